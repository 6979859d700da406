// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/core/gpu_arch.hpp>
#include <envsetup/core/platform.hpp>
#include <envsetup/core/version.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace envsetup::core {

// How one GPU of the host runs a chosen build.
struct GpuCoverage {
  ComputeCapability gpu;
  bool ptx = false;    // true: the driver JIT-compiles PTX; false: the build has SASS for it
  std::string target;  // the build's entry that covers it, e.g. "sm_86" or "compute_90"
};

// Why one candidate (a framework version and build variant) was not chosen.
struct Rejection {
  std::string candidate;  // "torch 2.5.1 cu118"
  std::string reason;
};

// The chosen combination: everything later steps need to install it.
struct Plan {
  std::string framework;     // "torch", or "none" for a bare toolkit
  std::string display_name;  // "PyTorch"
  std::optional<Version> version;
  std::string variant;  // "cu124", "and-cuda", "cuda12", "cpu", or "toolkit"
  std::optional<Version> cuda;
  std::optional<Version> cudnn;
  std::optional<Version> python;
  std::optional<std::string> index_url;
  std::vector<std::string> packages;
  // Packages released in step with the framework, by series: {"torchvision", "0.20"}.
  std::vector<std::pair<std::string, std::string>> companions;
  bool pypi_default = false;
  bool system_toolkit = false;
  std::optional<Version> min_driver;  // the driver this plan needs on this host
  std::string driver_rule;            // why that driver, in words
  std::vector<GpuCoverage> coverage;
  Platform platform = Platform::linux_x86_64;
  std::optional<Version> glibc;  // the wheels' manylinux floor (X.Y); unset for a bare toolkit
  // What `envsetup install` lays out when the plan needs a system toolkit (system_toolkit, or
  // a bare toolkit): releases that have NVIDIA redistributable archives for `platform`.
  // They may differ from `cuda` / `cudnn` (what the framework was tested with): a newer
  // release of the same major, chosen by the rules in docs/resolver.md.
  std::optional<Version> toolkit_cuda;   // X.Y.Z, a cuda.json release with a manifest
  std::optional<Version> toolkit_cudnn;  // X.Y.Z, a cudnn.json release with a manifest
  // Why the plan differs from the matrix row (a toolkit or cuDNN substituted within its
  // major, a cuDNN wheel pinned for older GPUs), one sentence each, shown with the plan.
  std::vector<std::string> notes;
};

// The resolver's answer: a plan, or none with the hints that name the smallest changes that
// would give one. `rejected` lists every candidate that was considered and not chosen.
struct Resolution {
  std::optional<Plan> plan;
  std::vector<Rejection> rejected;
  std::string failure;             // one-line summary when there is no plan
  std::vector<std::string> hints;  // smallest changes that would work, cheapest first
};

}  // namespace envsetup::core
