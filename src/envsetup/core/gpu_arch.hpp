// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/util/error.hpp>

#include <compare>
#include <string>
#include <string_view>

namespace envsetup::core {

// A GPU's compute capability, e.g. 8.6 (GA102) or 12.0 (GB202).
struct ComputeCapability {
  int major = 0;
  int minor = 0;

  // Accepts `8.9`, `89`, `sm_89`, `12.0`, `120`, `sm_120`. Errors (kind input): anything
  // else, or a minor above 9. Whether the capability exists is the matrix's business.
  [[nodiscard]] static util::Result<ComputeCapability> parse(std::string_view text);

  // `8.9`
  [[nodiscard]] std::string text() const;
  // `sm_89`
  [[nodiscard]] std::string sm_name() const;

  friend auto operator<=>(const ComputeCapability&, const ComputeCapability&) = default;
};

// One entry of a build's architecture list or of a binary's fatbin: SASS (machine code,
// `sm_86`) or PTX (`compute_90`, JIT-compiled by the driver), each either portable, arch-specific
// (`a`: `sm_90a`, `compute_90a`) or family-specific (`f`: `sm_100f`, `compute_120f`).
// Rules (CUDA Programming Guide, "Binary Compatibility" / "PTX Compatibility"; Blackwell
// Compatibility Guide, family-specific features):
// - SASS `sm_XY` and `sm_XYf` run on X.Z with Z >= Y (same major); `sm_XYa` only on exactly X.Y;
// - PTX `compute_XY` runs on any capability >= X.Y, `compute_XYf` on X.Z with Z >= Y,
//   `compute_XYa` only on exactly X.Y (whether the driver can JIT its ISA is not checked here).
struct ArchTarget {
  enum class Kind { sass, ptx };
  Kind kind = Kind::sass;
  ComputeCapability capability;
  char suffix = '\0';  // '\0' (portable), 'a' (arch-specific) or 'f' (family)

  // Accepts `sm_XY`, `compute_XY`, each optionally followed by `a` or `f` (XY two or three
  // digits). Errors (kind input): anything else.
  [[nodiscard]] static util::Result<ArchTarget> parse(std::string_view text);
  // `sm_90a`, `compute_100f`, `sm_86`
  [[nodiscard]] std::string text() const;

  // True when code of this target runs on a GPU of compute capability `gpu` (the rules above).
  [[nodiscard]] bool runs_on(ComputeCapability gpu) const;

  friend bool operator==(const ArchTarget&, const ArchTarget&) = default;
};

}  // namespace envsetup::core
