// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/matrix/model.hpp>
#include <envsetup/matrix/problem.hpp>

#include <string>
#include <vector>

namespace envsetup::matrix {

// Cross-reference checks over a schema-valid matrix whose tables are still in
// file order (problem pointers use those indices): duplicates, every variant
// naming a known CUDA release, capabilities known to gpus.json, ranges in
// order, patch versions inside their series, at most one PyPI default per
// release.
void check_references(const Matrix& matrix, Problems& problems);

// The framework part of check_references (validate_framework.cpp): versions and
// series, variants (CUDA release, name unique per platform, `sass`/`ptx` equal
// to what `arch_list` says in its notation, capabilities known to gpus.json),
// platform gaps.
void check_frameworks(const Matrix& matrix, Problems& problems);

namespace detail {
// Reports an empty list, a target whose capability gpus.json lacks, and a
// target listed twice
// (`pointer` + "/i" locates entry i).
void check_targets(const Matrix& matrix, const std::string& file, const std::string& pointer,
                   const std::vector<core::ArchTarget>& targets, Problems& problems);
}  // namespace detail

}  // namespace envsetup::matrix
