// SPDX-License-Identifier: Apache-2.0
// Private to the resolve module.
#pragma once

#include <envsetup/core/host.hpp>
#include <envsetup/matrix/model.hpp>

namespace envsetup::resolve::detail {

// The newest cuDNN release that has a build for `cuda`'s major, supports that toolkit
// version and every GPU of `host`; null when none does.
[[nodiscard]] const matrix::CudnnRelease* best_cudnn(const matrix::Matrix& matrix,
                                                     const core::Version& cuda,
                                                     const core::HostFacts& host);

}  // namespace envsetup::resolve::detail
