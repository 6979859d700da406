// SPDX-License-Identifier: Apache-2.0
#include <envsetup/resolve/cudnn_choice.hpp>

#include <algorithm>

namespace envsetup::resolve::detail {

const matrix::CudnnRelease* best_cudnn(const matrix::Matrix& matrix, const core::Version& cuda,
                                       const core::HostFacts& host)
{
  const core::Version minor = cuda.prefix(2);
  for (auto release = matrix.cudnn.rbegin(); release != matrix.cudnn.rend(); ++release) {
    const bool supports_cuda =
      std::any_of(release->cuda.begin(), release->cuda.end(), [&](const auto& range) {
        return range.major == cuda.major() && range.min.prefix(2) <= minor &&
               minor <= range.max.prefix(2);
      });
    const bool supports_gpus = std::all_of(host.gpus.begin(), host.gpus.end(), [&](const auto& gpu) {
      return release->min_capability <= gpu.capability && gpu.capability <= release->max_capability;
    });
    if (supports_cuda && supports_gpus) {
      return &*release;
    }
  }
  return nullptr;
}

}  // namespace envsetup::resolve::detail
