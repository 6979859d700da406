// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/core/version.hpp>
#include <envsetup/core/version_spec.hpp>
#include <envsetup/util/error.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace envsetup::core {

// A build the resolver must skip, with the reason its rejection shows: a framework version
// and variant the package index has no wheel for (app/index_check). With `python` set it is
// skipped only when planned for that Python (another Python may have wheels).
struct BuildExclusion {
  std::string framework;  // "torch"
  Version version;        // 2.5.1
  std::string variant;    // "cu124"
  std::optional<Version> python;
  std::string reason;  // "no cp313 wheel for torch 2.5.1+cu124 on the index"
};

// What the user asked for: a framework (or "none" for a bare CUDA toolkit) with an optional
// version specifier, and optional pins.
struct Request {
  std::string framework;  // canonical name as in the matrix ("torch"), or "none"
  VersionSpec version;
  std::optional<Version> python;    // X.Y; unset = newest the chosen release supports
  std::optional<Version> cuda_pin;  // X, X.Y or X.Y.Z; a variant matches on those components
  bool cpu = false;                 // explicitly ask for a CPU-only build
  // The plan must name a toolkit `envsetup install` can lay out even when the framework's
  // wheels bring CUDA (`install --framework --with-toolkit`): builds without one are rejected.
  bool with_toolkit = false;
  // `==X.Y.Z.postN` (a PEP 440 post release, as plans print for tensorflow 2.15.0): the pin
  // is `==X.Y.Z` and this keeps the spelling, which the matrix must know for that version.
  std::optional<std::string> post_release;
  // Builds to skip (empty unless the package index was asked): each is rejected with its reason.
  std::vector<BuildExclusion> excluded;

  // The exclusion that applies to `build_version` `variant` planned for `planned_python`, or null.
  [[nodiscard]] const BuildExclusion* exclusion_of(const Version& build_version, const std::string& variant,
                                                   const std::optional<Version>& planned_python) const;

  // Splits `torch==2.5.1`, `torch>=2.4,<2.7`, `tensorflow`, `jax`, `none` into framework
  // name and specifier. Names are lower-cased and the aliases `pytorch` and `tf` mapped to
  // `torch` and `tensorflow`. Whether the framework exists is checked against the matrix by
  // the resolver. Errors (kind usage): empty name, bad specifier.
  [[nodiscard]] static util::Result<Request> parse_framework(std::string_view text);
};

inline constexpr std::string_view k_bare_toolkit = "none";

}  // namespace envsetup::core
