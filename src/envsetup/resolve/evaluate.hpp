// SPDX-License-Identifier: Apache-2.0
// Private to the resolve module: the rules that accept or reject one candidate.
#pragma once

#include <envsetup/core/host.hpp>
#include <envsetup/core/plan.hpp>
#include <envsetup/core/request.hpp>
#include <envsetup/matrix/model.hpp>

#include <optional>
#include <string>
#include <vector>

namespace envsetup::resolve::detail {

// One rule a candidate breaks on this host.
struct Failure {
  // driver_branch: the build needs a driver newer than a GPU's last driver
  // branch; driver_too_new: the host's driver is newer than a GPU's last
  // branch; toolkit: no redistributable CUDA / cuDNN to install; cudnn: no pip
  // cuDNN supports the GPUs; index: the request excludes the build (the package index has no
  // wheel for it).
  enum class Kind {
    python,
    cuda_pin,
    gpu,
    no_driver,
    driver,
    driver_branch,
    driver_too_new,
    glibc,
    toolkit,
    cudnn,
    index
  };
  Kind kind = Kind::python;
  std::string text;
  std::optional<core::Version> needed_driver;  // for no_driver and driver
  std::optional<core::ComputeCapability> gpu;   // for gpu: the GPU left uncovered

  [[nodiscard]] static Failure of(Kind kind, std::string text)
  {
    Failure failure;
    failure.kind = kind;
    failure.text = std::move(text);
    return failure;
  }
};

// What one candidate needs and breaks. `failures` empty means it works.
struct Evaluation {
  std::vector<Failure> failures;
  std::vector<core::GpuCoverage> coverage;
  std::optional<core::Version> min_driver;
  std::string driver_rule;
  bool uses_ptx = false;

  [[nodiscard]] bool ok() const { return failures.empty(); }
  // True when every failure is of kind `a` or `b`.
  [[nodiscard]] bool only(Failure::Kind a, Failure::Kind b) const;
  [[nodiscard]] bool only(Failure::Kind a) const { return only(a, a); }
  [[nodiscard]] bool has(Failure::Kind kind) const;
  // The failures joined by "; ".
  [[nodiscard]] std::string reason() const;
};

// What a build offers, whatever produced it (a framework variant or a bare toolkit).
struct BuildFacts {
  core::Version cuda_written;                         // as the matrix writes it: 12.4.1 or 11.2
  const matrix::CudaRelease* cuda = nullptr;          // the release that names
  const std::vector<core::ArchTarget>* targets = nullptr;
  bool toolkit = false;  // true: nvcc of `cuda` can compile for any of `targets`
  std::optional<core::Version> python_min;
  std::optional<core::Version> python_max;
  std::optional<core::Version> glibc;  // the wheels' manylinux floor; unset: no wheels
};

// Applies every rule of the contract (docs/resolver.md) to one build on one host.
[[nodiscard]] Evaluation evaluate(const matrix::Matrix& matrix, const core::HostFacts& host,
                                  const core::Request& request, const BuildFacts& build);

// True when `cuda` agrees with every component of `pin` that both have.
[[nodiscard]] bool matches_pin(const core::Version& cuda, const core::Version& pin);

// "sm_50, sm_60, sm_70 and compute_70"
[[nodiscard]] std::string describe_targets(const std::vector<core::ArchTarget>& targets);

// "sm_89 (Ada Lovelace)"
[[nodiscard]] std::string describe_gpu(const matrix::Matrix& matrix, core::ComputeCapability gpu);

}  // namespace envsetup::resolve::detail
