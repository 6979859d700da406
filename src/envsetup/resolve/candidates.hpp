// SPDX-License-Identifier: Apache-2.0
// Private to the resolve module: the candidates of a request and their evaluations.
#pragma once

#include <envsetup/resolve/evaluate.hpp>

#include <optional>
#include <string>
#include <vector>

namespace envsetup::resolve::detail {

// One concrete choice: a framework version with one build variant, or a bare toolkit.
struct Candidate {
  const matrix::FrameworkRelease* release = nullptr;  // null for a bare toolkit
  const matrix::Variant* variant = nullptr;           // null for a bare toolkit
  const matrix::CudaRelease* cuda = nullptr;
  core::Version version;  // framework version; the CUDA version for a bare toolkit
  bool in_spec = true;    // matches the request's version specifier
  bool listed = true;     // shown when rejected; false for older patches of a CUDA X.Y
  Evaluation evaluation;
  // What `install` lays out for a system toolkit or a bare toolkit
  // (docs/resolver.md).
  const matrix::CudaRelease* toolkit_cuda = nullptr;
  const matrix::CudnnRelease* toolkit_cudnn = nullptr;
  std::optional<std::string> cudnn_pin;  // "nvidia-cudnn-cu12==9.10.2.21"
  const matrix::CudnnRelease* pinned_cudnn = nullptr;
  std::vector<std::string> notes;  // substitutions and pins, one sentence each

  [[nodiscard]] std::string name(const std::string& framework) const;
};

// A requested framework release with no GPU build for the host's platform.
struct PlatformGap {
  const matrix::FrameworkRelease* release = nullptr;
  core::Version version;  // the newest version of the release inside the request
  std::string reason;     // "no GPU build for linux-aarch64: ..."
};

// Candidates in preference order (newest release first; within one release
// SASS-covered before PTX, then newest CUDA), each evaluated. Framework
// candidates outside the version specifier are included with `in_spec` false,
// for hints. Only variants for the host's platform are candidates; requested
// releases that have none are added to `gaps`.
[[nodiscard]] std::vector<Candidate> framework_candidates(const matrix::Matrix& matrix,
                                                          const matrix::Framework& framework,
                                                          const core::HostFacts& host,
                                                          const core::Request& request,
                                                          std::vector<PlatformGap>& gaps);

// Every CUDA release (matching the `--cuda` pin), newest first, each evaluated as a bare
// toolkit; only the newest patch of each X.Y is `listed`.
[[nodiscard]] std::vector<Candidate> toolkit_candidates(const matrix::Matrix& matrix,
                                                        const core::HostFacts& host,
                                                        const core::Request& request);

// The smallest changes that would make some candidate work, cheapest first.
[[nodiscard]] std::vector<std::string> hints_for(const matrix::Matrix& matrix,
                                                 const std::string& framework,
                                                 const core::HostFacts& host,
                                                 const core::Request& request,
                                                 const std::vector<Candidate>& candidates);

}  // namespace envsetup::resolve::detail
