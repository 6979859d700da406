// SPDX-License-Identifier: Apache-2.0
// Wheel file names (PEP 427) and their compatibility tags (PEP 425, manylinux PEP 600).
// Pure: names come from untrusted index pages and are only parsed, never used as paths.
#pragma once

#include <envsetup/core/platform.hpp>
#include <envsetup/core/version.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace envsetup::pyindex {

// `{distribution}-{version}(-{build})?-{python}-{abi}-{platform}.whl`. Each tag field is a
// compressed tag set (`cp311.cp312`, `manylinux_2_17_x86_64.manylinux2014_x86_64`).
struct WheelName {
  std::string distribution;  // normalized (PEP 503): "torch", "jax-cuda12-plugin"
  std::string version;       // as written: "2.5.1+cu124"
  std::string build;         // optional build tag, empty when absent
  std::vector<std::string> python_tags;
  std::vector<std::string> abi_tags;
  std::vector<std::string> platform_tags;
};

// Nullopt for anything that is not a wheel name: another extension (sdists are skipped),
// the wrong number of fields, an empty field, a name over 512 characters, characters
// outside [A-Za-z0-9._+!-].
[[nodiscard]] std::optional<WheelName> parse_wheel_name(std::string_view file_name);

// PEP 503: lower case, runs of `-`, `_`, `.` become one `-`.
[[nodiscard]] std::string normalize_project(std::string_view name);

// One platform tag, read: `any`, `linux_<arch>`, `manylinux_X_Y_<arch>` (and the legacy
// aliases manylinux1 = 2.5, manylinux2010 = 2.12, manylinux2014 = 2.17), `musllinux_X_Y_<arch>`;
// every other tag (macOS, Windows) is `other`.
struct PlatformTag {
  enum class Kind { any, linux, manylinux, musllinux, other };
  Kind kind = Kind::other;
  std::string arch;                   // "x86_64", "aarch64"; empty for any/other
  std::optional<core::Version> libc;  // glibc (manylinux) or musl (musllinux) X.Y
};
[[nodiscard]] PlatformTag parse_platform_tag(std::string_view tag);

// "x86_64" / "aarch64": the wheel architecture of an envsetup platform.
[[nodiscard]] std::string_view wheel_arch(core::Platform platform);

// What a glibc host of `platform` needs to install the wheel: nullopt when no platform tag
// fits; else the lowest glibc among the fitting tags (0.0 for `any` and `linux_<arch>`,
// which pip accepts on any glibc).
[[nodiscard]] std::optional<core::Version> glibc_needed(const WheelName& wheel, core::Platform platform);

// True when CPython X.Y (the regular, not free-threaded, build) can install the wheel:
// `cpXY` with ABI `cpXY`, `none` or `abi3`; `cpXY` with `abi3` also for every later 3.x;
// `pyX` / `pyXY` (with `none`) for X.Y at least XY.
[[nodiscard]] bool supports_python(const WheelName& wheel, const core::Version& python);

// "cp313".
[[nodiscard]] std::string cpython_tag(const core::Version& python);

}  // namespace envsetup::pyindex
