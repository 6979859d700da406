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

// One entry of a build's architecture list: SASS for one compute capability (`sm_86`),
// arch-specific SASS that runs only on exactly that capability (`sm_90a`, `sm_100f`), or PTX
// (`compute_90`) that the driver JIT-compiles for any GPU of that capability or newer.
struct ArchTarget {
  enum class Kind { sass, sass_specific, ptx };
  Kind kind = Kind::sass;
  ComputeCapability capability;
  char suffix = '\0';  // 'a' or 'f' for sass_specific

  // Accepts `sm_XY`, `sm_XYa`, `sm_XYf` and `compute_XY` (XY two or three digits).
  [[nodiscard]] static util::Result<ArchTarget> parse(std::string_view text);
  [[nodiscard]] std::string text() const;

  // True when code of this target runs on a GPU of compute capability `gpu`:
  // SASS `sm_a.b` on `a.c` with c >= b; arch-specific SASS never counts (a portable build
  // cannot rely on it); PTX `compute_XY` on any capability >= X.Y.
  [[nodiscard]] bool runs_on(ComputeCapability gpu) const;

  friend bool operator==(const ArchTarget&, const ArchTarget&) = default;
};

}  // namespace envsetup::core
