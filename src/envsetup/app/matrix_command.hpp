// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/app/matrix_source.hpp>
#include <envsetup/matrix/model.hpp>
#include <envsetup/matrix/problem.hpp>
#include <envsetup/util/error.hpp>

#include <string>
#include <vector>

namespace envsetup::app {

// How many entries of each kind a matrix holds.
struct MatrixCount {
  std::string what;  // "CUDA releases", "torch versions"
  std::size_t count = 0;
};

struct ValidationReport {
  std::string origin;  // "built into envsetup" or "in `DIR`"
  matrix::Problems problems;
  std::vector<MatrixCount> counts;  // filled only when there is no problem
};

// Checks a matrix without stopping at the first problem. Errors (kind io) only when the
// files cannot be read; defects of the data are `problems`.
[[nodiscard]] util::Result<ValidationReport> validate_matrix(const MatrixChoice& choice);

[[nodiscard]] std::vector<MatrixCount> count_entries(const matrix::Matrix& matrix);

}  // namespace envsetup::app
