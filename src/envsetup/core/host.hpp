// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/core/gpu_arch.hpp>
#include <envsetup/core/version.hpp>

#include <optional>
#include <string>
#include <vector>

namespace envsetup::core {

// Where a host fact came from, shown to the user next to the fact.
enum class FactOrigin { flag, detected, environment, default_value };

struct GpuFact {
  ComputeCapability capability;
  std::string name;  // e.g. "NVIDIA H100 80GB HBM3"; empty when only the capability is known
};

// What the resolver needs to know about the machine. No driver means none is installed.
struct HostFacts {
  std::optional<Version> driver;
  std::vector<GpuFact> gpus;
};

}  // namespace envsetup::core
