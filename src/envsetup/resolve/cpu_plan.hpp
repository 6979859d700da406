// SPDX-License-Identifier: Apache-2.0
// Private to the resolve module: the plan for `--cpu`.
#pragma once

#include <envsetup/core/host.hpp>
#include <envsetup/core/plan.hpp>
#include <envsetup/core/request.hpp>
#include <envsetup/matrix/model.hpp>

namespace envsetup::resolve::detail {

// The newest release inside the request with a CPU build that installs on `host`: for its
// platform, with the glibc floor of the release's wheels there (the lowest of its GPU
// variants: CPU wheels carry the same manylinux tag); none on musl (manylinux wheels).
[[nodiscard]] core::Resolution resolve_cpu(const matrix::Framework& framework, const core::HostFacts& host,
                                           const core::Request& request);

}  // namespace envsetup::resolve::detail
