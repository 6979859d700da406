// SPDX-License-Identifier: Apache-2.0
// Private to the resolve module: which CUDA and cuDNN releases a plan installs,
// and the pip cuDNN a framework leaves open (docs/resolver.md, "Toolkit and
// cuDNN").
#pragma once

#include <envsetup/core/host.hpp>
#include <envsetup/matrix/model.hpp>

#include <optional>
#include <string>
#include <vector>

namespace envsetup::resolve::detail {

// True when NVIDIA publishes redistributable archives (a manifest) for the
// release.
[[nodiscard]] bool has_archives(const matrix::CudaRelease& release);
// True when the cuDNN release has redistributable archives built for CUDA major
// `cuda_major`.
[[nodiscard]] bool has_archives(const matrix::CudnnRelease& release, int cuda_major);

// Why the cuDNN a wheel build ships (`shipped`, a version or 4-part build) cannot serve every
// GPU of `host`, or "" when it can. A release serves a GPU inside its compute-capability range
// or above its top in the same major. A cuDNN older than the matrix's first release serves no
// GPU above that release's top (old releases never gain new GPUs); its lower end is unknown
// and not checked. A newer cuDNN the matrix does not list is not checked.
[[nodiscard]] std::string shipped_cudnn_failure(const matrix::Matrix& matrix, const core::Version& shipped,
                                                const core::HostFacts& host);

// The newest cuDNN release that has a build for `cuda`'s major, supports that
// toolkit version and every GPU of `host` (with archives for that major when
// `archives`); null when none does.
[[nodiscard]] const matrix::CudnnRelease* best_cudnn(const matrix::Matrix& matrix,
                                                     const core::Version& cuda,
                                                     const core::HostFacts& host,
                                                     bool archives = false);

// The CUDA and cuDNN a system-toolkit build gets installed: the tested releases
// when they have archives, else the newest of the same major that has them
// (minor releases are backward compatible); `notes` says why for each
// substitution. `failure` is set (and the pointers may be null) when no release
// qualifies.
struct ToolkitChoice {
  const matrix::CudaRelease* cuda = nullptr;
  const matrix::CudnnRelease* cudnn = nullptr;
  std::vector<std::string> notes;
  std::string failure;
};

// `who` names the build in notes ("TensorFlow 2.13").
[[nodiscard]] ToolkitChoice toolkit_for_build(const matrix::Matrix& matrix,
                                              const core::HostFacts& host,
                                              const core::Version& cuda_tested,
                                              const std::optional<core::Version>& cudnn_tested,
                                              const std::string& who);

// The pin a `cudnn_wheel` variant needs: none when pip's newest cuDNN inside
// the spec supports every GPU, else the newest inside it that does
// (`requirement` set, with a note), else `failure`.
struct CudnnPin {
  std::optional<std::string> requirement;  // "nvidia-cudnn-cu12==9.10.2.21"
  const matrix::CudnnRelease* release = nullptr;
  std::string note;
  std::string failure;
};

[[nodiscard]] CudnnPin cudnn_wheel_pin(const matrix::Matrix& matrix, const core::HostFacts& host,
                                       const matrix::Variant& variant);

// "sm_61, sm_70": the host's GPUs.
[[nodiscard]] std::string host_gpu_names(const core::HostFacts& host);

}  // namespace envsetup::resolve::detail
