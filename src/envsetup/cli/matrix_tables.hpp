// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/matrix/model.hpp>

#include <iosfwd>
#include <string>

namespace envsetup::cli {

// Writes the parts of the matrix selected by `domain` ("cuda", "gpus", "cudnn",
// "frameworks", or empty for all) and `framework` (empty for all) as tables.
void print_matrix_tables(std::ostream& out, const matrix::Matrix& matrix,
                         const std::string& domain, const std::string& framework);

// The same selection as one JSON document.
[[nodiscard]] std::string matrix_json(const matrix::Matrix& matrix, const std::string& domain,
                                      const std::string& framework);

}  // namespace envsetup::cli
