// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/matrix/model.hpp>
#include <envsetup/matrix/problem.hpp>

namespace envsetup::matrix {

// Cross-reference checks over a schema-valid matrix whose tables are still in file order
// (problem pointers use those indices): duplicates, every variant naming a known CUDA
// release, capabilities known to gpus.json, ranges in order, patch versions inside their
// series, at most one PyPI default per release.
void check_references(const Matrix& matrix, Problems& problems);

}  // namespace envsetup::matrix
