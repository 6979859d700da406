// SPDX-License-Identifier: Apache-2.0
// The lockfile: one resolved plan, every wheel and NVIDIA archive it installs, and what a host
// must offer to use it (docs/lockfile.md). Pure: reading and writing the file is app's business.
#pragma once

#include <envsetup/core/gpu_arch.hpp>
#include <envsetup/core/host.hpp>
#include <envsetup/core/platform.hpp>
#include <envsetup/core/version.hpp>
#include <envsetup/util/error.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace envsetup::lock {

struct LockedWheel {
  std::string name;      // the project name as the installer reported it, e.g. "torch"
  std::string version;   // PEP 440, as reported, e.g. "2.5.1+cu124"
  std::string filename;  // the wheel's file name
  std::string index;     // the key of its LockedIndex, e.g. "pytorch-cu124" or "pypi"
  // Relative to that index's root (no `..`, no leading `/`), or an absolute http(s) URL when
  // the index linked the file elsewhere.
  std::string url;
  std::string sha256;  // 64 lower-case hex digits
  std::uint64_t size = 0;

  friend bool operator==(const LockedWheel&, const LockedWheel&) = default;
};

// An index root the wheels came from, as given at lock time (a mirror may replace it later).
struct LockedIndex {
  std::string key;
  std::string url;

  friend bool operator==(const LockedIndex&, const LockedIndex&) = default;
};

struct LockedArchive {
  std::string product;        // cuda | cudnn
  std::string release;        // 12.4.1
  std::string component;      // e.g. cuda_cudart
  std::string platform;       // NVIDIA's key, e.g. linux-x86_64
  std::string relative_path;  // as in NVIDIA's manifest (no `..`, no leading `/`)
  std::string sha256;
  std::uint64_t size = 0;

  friend bool operator==(const LockedArchive&, const LockedArchive&) = default;
};

struct HostRequirements {
  core::Platform platform = core::Platform::linux_x86_64;
  std::optional<core::Version> glibc;  // the floor; unset: none recorded
  core::Version python;                // X.Y
  std::optional<core::Version> min_driver;
  std::string driver_rule;  // why that floor, for the record (e.g. "CUDA 12.4 needs >= 550.54.14")
  // The build's SASS + PTX: every GPU of a host must be covered by one of them.
  std::vector<core::ArchTarget> targets;
};

struct Lockfile {
  int schema_version = 1;
  std::string envsetup_version;
  std::string matrix_source, matrix_generated, matrix_sha256;
  // Named `requires` in the file; `requires` is a C++20 keyword, hence `host` here.
  HostRequirements host;
  std::string framework, display_name, variant;
  core::Version version;
  std::optional<core::Version> cuda, cudnn;
  std::optional<core::Version> toolkit_cuda, toolkit_cudnn;  // when the plan has a toolkit prefix
  std::vector<std::string> requirements;                     // the plan's pip requirement lines, for the record
  std::vector<LockedIndex> indexes;
  std::vector<LockedWheel> wheels;      // sorted by name then filename
  std::vector<LockedArchive> archives;  // sorted by product, release, component
};

// The schema this build writes and the only one it reads.
inline constexpr int lockfile_schema_version = 1;

// Sorts `wheels` (name, then filename) and `archives` (product, release, component, platform)
// as the file stores them.
void sort_lockfile(Lockfile& lockfile);

// Stable TOML: fixed key order, sorted arrays, one wheel or archive per table. The same
// Lockfile gives the same bytes.
[[nodiscard]] std::string lockfile_text(const Lockfile& lockfile);

// Strict (the file is untrusted input): a TOML syntax error, an unknown or missing key, a
// value of the wrong type, another schema_version, a bad sha256, an absolute or `..` path, a
// wheel file name that is not a wheel name or not the wheel's name/version, a wheel whose
// index is not listed, duplicates: errors of kind input naming the entry.
[[nodiscard]] util::Result<Lockfile> parse_lockfile(std::string_view text);

// Why this host cannot use the lock (empty when it can): platform, Python X.Y, glibc floor,
// driver floor, each GPU covered (core::best_match over `host.targets`). Pure.
[[nodiscard]] std::vector<std::string> host_mismatches(const Lockfile& lockfile, const core::HostFacts& host,
                                                       const core::Version& python);

}  // namespace envsetup::lock
