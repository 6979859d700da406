// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/core/version.hpp>
#include <envsetup/core/version_spec.hpp>
#include <envsetup/util/error.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace envsetup::core {

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

  // Splits `torch==2.5.1`, `torch>=2.4,<2.7`, `tensorflow`, `jax`, `none` into framework
  // name and specifier. Names are lower-cased and the aliases `pytorch` and `tf` mapped to
  // `torch` and `tensorflow`. Whether the framework exists is checked against the matrix by
  // the resolver. Errors (kind usage): empty name, bad specifier.
  [[nodiscard]] static util::Result<Request> parse_framework(std::string_view text);
};

inline constexpr std::string_view k_bare_toolkit = "none";

}  // namespace envsetup::core
