// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/matrix/load.hpp>
#include <envsetup/matrix/model.hpp>
#include <envsetup/util/error.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace envsetup::app {

// Which matrix to use: `--matrix DIR`, else the folder named by ENVSETUP_MATRIX, else the
// copy compiled into the binary.
struct MatrixChoice {
  std::optional<std::filesystem::path> directory;
};

// "the built-in matrix" or "in `DIR`", for messages.
[[nodiscard]] std::string describe(const MatrixChoice& choice);

// The chosen matrix's files. Errors (kind io): the folder cannot be read.
[[nodiscard]] util::Result<std::vector<matrix::SourceFile>> matrix_files(const MatrixChoice& choice);

// The chosen matrix, loaded and validated. Errors: io (unreadable), input (invalid).
[[nodiscard]] util::Result<matrix::Matrix> load_matrix(const MatrixChoice& choice);

// `choice` with ENVSETUP_MATRIX applied when it names no folder.
[[nodiscard]] MatrixChoice with_environment(MatrixChoice choice);

}  // namespace envsetup::app
