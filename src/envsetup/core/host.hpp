// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/core/gpu_arch.hpp>
#include <envsetup/core/platform.hpp>
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
  Platform platform = Platform::linux_x86_64;  // detected, or --platform
  // The C library's X.Y (detected from the library on disk, or --glibc). Unset: unknown
  // (not checked, and the plan says so); a musl host is `musl` true with no version.
  std::optional<Version> glibc;
  bool musl = false;
  // Set on NVIDIA Jetson (integrated GPU, L4T / JetPack): what was found, e.g.
  // "Jetson (L4T R36.4.0)". Every framework plan is refused there with the reason.
  std::optional<std::string> jetson;
};

}  // namespace envsetup::core
