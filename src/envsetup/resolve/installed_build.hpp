// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/core/host.hpp>
#include <envsetup/matrix/model.hpp>

#include <optional>
#include <string>
#include <vector>

namespace envsetup::resolve {

// What an already installed framework build needs from this host, by the same rules the
// resolver applies to a candidate (docs/resolver.md).
struct InstalledBuildNeeds {
  const matrix::Variant* variant = nullptr;      // the matrix's build variant
  std::optional<core::Version> min_driver;       // unset when a GPU is not covered
  std::string driver_rule;                       // why `min_driver`, e.g. "... (Table 2)"
  std::vector<core::ComputeCapability> uncovered;  // GPUs the build has no code for
  std::string targets;                           // "sm_50, sm_60, ..., compute_90"
};

// The matrix variant of framework `name` at `version` ("2.5.1+cu124") built for CUDA `cuda`
// ("12.4"), evaluated on `host`; nullopt when the matrix does not know that build. Pure.
[[nodiscard]] std::optional<InstalledBuildNeeds> installed_build_needs(
  const matrix::Matrix& matrix, const core::HostFacts& host, const std::string& name,
  const std::string& version, const std::string& cuda);

}  // namespace envsetup::resolve
