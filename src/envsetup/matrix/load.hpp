// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/matrix/model.hpp>
#include <envsetup/matrix/problem.hpp>
#include <envsetup/util/error.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace envsetup::matrix {

// The `schema_version` of the matrix files this build reads (docs/matrix-format.md).
inline constexpr int k_schema_version = 2;

struct SourceFile {
  std::string name;  // file name, used in problem reports
  std::string content;
};

// The domain files every matrix must have; every other `*.json` is a framework
// file.
inline constexpr const char* k_cuda_file = "cuda.json";
inline constexpr const char* k_gpus_file = "gpus.json";
inline constexpr const char* k_cudnn_file = "cudnn.json";

// Parses and checks `files` (schema, then cross-references). Every problem
// found is added to `problems`; the returned matrix is complete only when
// `problems` stays empty.
[[nodiscard]] Matrix parse_matrix(const std::vector<SourceFile>& files, Problems& problems);

// Reads every `*.json` file of `directory`. Errors (kind io): the folder cannot
// be listed or a file cannot be read.
[[nodiscard]] util::Result<std::vector<SourceFile>> read_matrix_dir(const std::filesystem::path& directory);

// The files compiled into the binary.
[[nodiscard]] std::vector<SourceFile> embedded_matrix_files();

// Loads and validates a matrix; any problem is an error (kind input) that lists
// them all.
[[nodiscard]] util::Result<Matrix> load_matrix(const std::vector<SourceFile>& files, const std::string& origin);

}  // namespace envsetup::matrix
