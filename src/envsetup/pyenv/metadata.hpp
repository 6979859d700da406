// SPDX-License-Identifier: Apache-2.0
// Installed distributions, read from `site-packages/<dist>-<version>.dist-info/METADATA`,
// and the check that the installed framework is the build the plan chose.
#pragma once

#include <envsetup/util/error.hpp>

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace envsetup::pyenv {

// One `Requires-Dist` line: "jax-cuda12-plugin[with-cuda]>=0.4.30; extra == \"cuda12\"".
struct Requirement {
  std::string name;   // normalized: "jax-cuda12-plugin"
  std::string extra;  // the extra it belongs to ("cuda12"), empty when unconditional
};

struct Metadata {
  std::string name;                     // as written: "torch"
  std::string version;                  // "2.5.1+cu124"
  std::vector<std::string> provides_extras;
  std::vector<Requirement> requires_dist;
};

// PEP 503 name normalization: runs of -_. become one '-', lower case. Pure.
[[nodiscard]] std::string normalize_name(std::string_view name);

// The header fields of a METADATA file (stops at the first empty line). Errors (input): no
// Name or Version field. Pure.
[[nodiscard]] util::Result<Metadata> parse_metadata(std::string_view text);

// What was planned for the framework distribution.
struct ExpectedInstall {
  std::string distribution;  // "torch", "jax", "tensorflow"
  std::string version;       // "2.5.1+cu124" (with the local tag when the index gives one)
  std::string extra;         // the CUDA extra that brings the GPU libraries ("cuda12"), or empty
  bool cuda = true;          // false for a planned CPU build
  std::optional<std::string> index;  // the index the CUDA build comes from, for explanations
};

struct InstallCheck {
  enum class Outcome { expected, cpu_build, other_version, missing };
  Outcome outcome = Outcome::missing;
  std::string installed_version;  // empty when missing
  std::string explanation;        // one sentence for anything but `expected`
};

// Compares the installed framework (nullopt: not installed) with the plan. A CPU build is
// a `+cpu` local tag where a CUDA one was planned, or, for an `extra`, installed metadata
// that does not provide the extra or an extra requirement that is not in `installed`
// (normalized names). Pure.
[[nodiscard]] InstallCheck check_install(const ExpectedInstall& expected, const std::optional<Metadata>& framework,
                                         const std::set<std::string>& installed);

// The distributions installed in `site_packages` (normalized names) and the metadata of
// `distribution` among them (nullopt when absent). Errors: io / input (unreadable METADATA).
struct InstalledSet {
  std::set<std::string> names;
  std::optional<Metadata> framework;
};
[[nodiscard]] util::Result<InstalledSet> read_installed(const std::filesystem::path& site_packages,
                                                        std::string_view distribution);

}  // namespace envsetup::pyenv
