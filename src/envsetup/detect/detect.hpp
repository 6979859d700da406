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
void detect_driver_and_gpus(const SystemProbe& probe, const matrix::Matrix& matrix,
                            HostReport& report);
[[nodiscard]] std::vector<ToolkitInfo> detect_toolkits(const SystemProbe& probe);
[[nodiscard]] std::vector<PythonInfo> detect_pythons(const SystemProbe& probe);
void add_warnings(const SystemProbe& probe, const matrix::Matrix& matrix, HostReport& report);

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
