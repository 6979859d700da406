// SPDX-License-Identifier: Apache-2.0
// Which of a binary's code the driver loads on a GPU: the one rule shared by the resolver
// (a matrix variant's architecture list) and by `inspect` (the fatbin entries of a library).
#pragma once

#include <envsetup/core/gpu_arch.hpp>
#include <envsetup/core/version.hpp>

#include <optional>
#include <span>

namespace envsetup::core {

// One piece of device code: SASS or PTX for one target. `ptx_isa` is the PTX ISA version
// (`.version` of the PTX, 9.0 from CUDA 13.0) and is set only for PTX, when known.
struct CodeTarget {
  ArchTarget target;
  std::optional<Version> ptx_isa;

  friend bool operator==(const CodeTarget&, const CodeTarget&) = default;
};

// The code chosen for a GPU. `jit` is true when it is PTX the driver must JIT-compile.
struct CodeMatch {
  ArchTarget target;
  bool jit = false;
  std::optional<Version> ptx_isa;  // of the chosen PTX, when known
};

// The code the driver loads on `gpu`: the SASS that runs_on(gpu) with the newest capability,
// at equal capability 'a' before 'f' before plain; else the PTX that runs_on(gpu) with the
// newest capability (same suffix order; at equal target the one a driver is least likely to
// JIT, an unknown ISA else the highest, since every such PTX must be JIT-compiled). Nullopt: no
// code runs on `gpu` ("no kernel image is available").
[[nodiscard]] std::optional<CodeMatch> best_match(std::span<const CodeTarget> code, ComputeCapability gpu);

}  // namespace envsetup::core
