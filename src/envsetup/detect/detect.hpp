// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/detect/probe.hpp>
#include <envsetup/detect/report.hpp>
#include <envsetup/matrix/model.hpp>

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

// Folders where the dynamic linker finds system libraries (host paths).
[[nodiscard]] const std::vector<std::string>& library_dirs();

}  // namespace envsetup::detect
