// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/core/host.hpp>
#include <envsetup/core/plan.hpp>
#include <envsetup/core/request.hpp>
#include <envsetup/matrix/model.hpp>
#include <envsetup/util/error.hpp>

namespace envsetup::resolve {

// Chooses the best framework version, build variant, CUDA, cuDNN and Python for `request`
// on `host`, following the rules in docs/resolver.md. Pure: no I/O.
//
// Returns a Resolution with a plan, or without one and with the reasons and the smallest
// changes that would give one (a refusal is an answer, not an error). Errors (kind usage):
// an unknown framework, a GPU compute capability the matrix does not know, `--cpu` with
// `none`, a `--cuda` pin that names no CUDA release in the matrix.
[[nodiscard]] util::Result<core::Resolution> resolve(const matrix::Matrix& matrix,
                                                     const core::HostFacts& host,
                                                     const core::Request& request);

}  // namespace envsetup::resolve
