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

// The part of the chosen matrix one request needs: the CUDA, GPU and cuDNN files and the
// framework file named `<framework>.json` (none for "none"). Loading every framework file
// doubles what `resolve` parses; when no file of that name declares the framework, every
// file is loaded, so an unknown name is reported with the whole list. Errors: as load_matrix.
[[nodiscard]] util::Result<matrix::Matrix> load_matrix_for(const MatrixChoice& choice, const std::string& framework);

// `choice` with ENVSETUP_MATRIX applied when it names no folder.
[[nodiscard]] MatrixChoice with_environment(MatrixChoice choice);

}  // namespace envsetup::app
