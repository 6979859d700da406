// SPDX-License-Identifier: Apache-2.0
// What `inspect` tells the other commands: verify's and install's "framework:<name>:kernels"
// check and doctor's "no-kernel-image" findings (docs/verify-checks.md, docs/doctor.md).
#pragma once

#include <envsetup/app/doctor.hpp>
#include <envsetup/app/inspect_command.hpp>
#include <envsetup/detect/report.hpp>
#include <envsetup/verify/check.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace envsetup::app {

// The GPUs of `host` with a known compute capability, and its driver.
[[nodiscard]] InspectTargets host_targets(const detect::HostReport& host);

// "framework:<name>:kernels" from an inspected venv: pass when every GPU runs the framework's
// own libraries from SASS (or PTX the driver can JIT), naming how; fail when a GPU has no code
// ("no kernel image is available") or the driver cannot JIT the only PTX; skip when there is no
// GPU or the venv holds none of the framework's CUDA libraries. Pure.
[[nodiscard]] verify::Check kernel_check(const std::string& framework, const InspectReport& report,
                                         const matrix::Matrix& matrix);

// The venv a detected interpreter belongs to (its prefix holds pyvenv.cfg), else nullopt.
[[nodiscard]] std::optional<std::filesystem::path> venv_of_python(const std::string& python);

// kernel_check for each of `frameworks` (torch, tensorflow, jax) in `venv`, inspected once for
// `host`'s GPUs. An unreadable venv gives one failed check.
[[nodiscard]] std::vector<verify::Check> venv_kernel_checks(const std::filesystem::path& venv,
                                                            const std::vector<std::string>& frameworks,
                                                            const detect::HostReport& host,
                                                            const matrix::Matrix& matrix);

// Doctor's findings from an inspected venv: "no-kernel-image" (error) per distribution with a
// library no code of which runs on a GPU, "ptx-jit-driver-too-old" (error) where only PTX newer
// than the driver covers a GPU, "unreadable-library" (warning) per file that failed to read.
// `install_line(framework, installed version)` is the command that installs the resolver's
// build of a framework for this host (empty when the resolver has none). Pure.
void kernel_findings(const InspectReport& report, const matrix::Matrix& matrix, const std::filesystem::path& venv,
                     const std::function<std::string(const std::string& framework, const std::string& installed)>& install_line,
                     std::vector<Finding>& out);

}  // namespace envsetup::app
