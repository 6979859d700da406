// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/detect/probe.hpp>
#include <envsetup/detect/report.hpp>
#include <envsetup/matrix/model.hpp>

#include <optional>
#include <string_view>
#include <vector>

namespace envsetup::detect {

// Looks at the whole host through `probe`: platform, driver, GPUs, CUDA toolkits, Python
// interpreters and their frameworks, and the traps between them (docs/detect.md). Never
// fails: a missing or unreadable source is an absent fact or a warning. `matrix` supplies
// the chip table and the driver -> CUDA mapping.
[[nodiscard]] HostReport detect_host(const SystemProbe& probe, const matrix::Matrix& matrix);

// The parts, each usable alone.
[[nodiscard]] HostPlatform detect_platform(const SystemProbe& probe);

// The CPU architecture: uname's machine ("x86_64", "aarch64"); under a sysroot, "aarch64"
// when its multiarch folders or dynamic loader say so, else "x86_64".
[[nodiscard]] std::string detect_arch(const SystemProbe& probe);
// The Platform of an architecture name; unset for one envsetup has no builds for (ppc64le).
[[nodiscard]] std::optional<core::Platform> platform_of_arch(const std::string& arch);
// The folders where `arch`'s C library lives (host paths), most specific first.
[[nodiscard]] std::vector<std::string> system_library_dirs(const std::string& arch);

// The host's C library, read from disk: glibc's version from libc.so.6 (its "release
// version X.Y" banner, or the libc-X.Y.so it links to) in system_library_dirs(arch); else
// musl when its loader (ld-musl-*.so.1) is there. Only without a sysroot, and only when the
// disk says nothing, the running process's glibc (gnu_get_libc_version) answers; `source`
// says which. Nothing found: glibc unset, musl false.
struct CLibrary {
  std::optional<core::Version> glibc;
  std::string source;  // the libc.so.6 read (host path), "ld-musl", "gnu_get_libc_version"
  bool musl = false;
};
[[nodiscard]] CLibrary detect_c_library(const SystemProbe& probe, const std::string& arch);

// NVIDIA Jetson (integrated GPU, L4T): "L4T R36.4.0" from /etc/nv_tegra_release, else
// "Tegra (nvidia,tegra234)" from the device tree's `compatible`; "" on any other host.
[[nodiscard]] std::string detect_jetson(const SystemProbe& probe);
void detect_driver_and_gpus(const SystemProbe& probe, const matrix::Matrix& matrix,
                            HostReport& report);
[[nodiscard]] std::vector<ToolkitInfo> detect_toolkits(const SystemProbe& probe);
[[nodiscard]] std::vector<PythonInfo> detect_pythons(const SystemProbe& probe);
void add_warnings(const SystemProbe& probe, const matrix::Matrix& matrix, HostReport& report);

// An architecture whose last driver branch (matrix `last_driver_branch`, e.g. R580 for
// Maxwell, Pascal and Volta) is older than the loaded driver's: NVIDIA's newer branches do
// not run its GPUs. One per architecture, naming the host's GPUs of it.
struct DriverTooNew {
  core::Version driver;      // 590.44
  std::string architecture;  // "Pascal"
  int last_branch = 0;       // 580
  std::vector<std::string> gpus;  // {"Tesla P100, sm_60"}, each (name, capability) once
  // "driver 590.44 is newer than R580, the last branch that supports Pascal GPUs (Tesla P100, sm_60)"
  [[nodiscard]] std::string text() const;
};
[[nodiscard]] std::vector<DriverTooNew> driver_too_new(const HostReport& report,
                                                       const matrix::Matrix& matrix);

// The overrides of detection, ENVSETUP_DRIVER_VERSION and ENVSETUP_GPUS, parsed as strictly
// as `--driver` and `--gpu`: a driver version of 2 to 4 dot-separated numbers, or `none`
// (nullopt: no driver); compute capabilities (8.9, 89, sm_89) separated by commas, or `none`
// (no GPU). Errors (usage) name the variable, show its value (control characters escaped),
// say why and what to write. The cli checks both once at start-up, before any command runs;
// detect_driver_and_gpus, which never fails, ignores a value that does not parse (with a
// warning), which only a caller that skipped that check can see.
inline constexpr std::string_view k_driver_override = "ENVSETUP_DRIVER_VERSION";
inline constexpr std::string_view k_gpus_override = "ENVSETUP_GPUS";
[[nodiscard]] util::Result<std::optional<core::Version>> parse_driver_override(std::string_view value);
[[nodiscard]] util::Result<std::vector<core::ComputeCapability>> parse_gpus_override(std::string_view value);

// Folders where the dynamic linker finds system libraries (host paths).
[[nodiscard]] const std::vector<std::string>& library_dirs();

}  // namespace envsetup::detect
