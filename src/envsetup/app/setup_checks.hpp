// SPDX-License-Identifier: Apache-2.0
// Checks 3 and 4 of verification (docs/verify-checks.md) against a detected host, shared by
// `envsetup verify` and `envsetup doctor`.
#pragma once

#include <envsetup/detect/probe.hpp>
#include <envsetup/detect/report.hpp>
#include <envsetup/util/error.hpp>
#include <envsetup/verify/check.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace envsetup::app {

// The toolkit checks of `prefix`, expecting the CUDA/cuDNN versions detection found there.
// The cuBLAS SGEMM runs only when `gpu_usable` (and never below a sysroot).
[[nodiscard]] std::vector<verify::Check> prefix_checks(const detect::SystemProbe& probe,
                                                       const detect::HostReport& report,
                                                       const std::filesystem::path& prefix, bool gpu_usable);

// The framework checks of every torch/tensorflow/jax installed in `python`'s interpreter
// (as detected), each in its own process killed after `timeout`. A GPU-less answer fails
// when the host has a driver and GPUs.
[[nodiscard]] std::vector<verify::Check> python_checks(const detect::PythonInfo& python,
                                                       const detect::SystemProbe& probe,
                                                       const detect::HostReport& report,
                                                       const std::vector<std::string>& ld_library_path,
                                                       std::chrono::milliseconds timeout);

// python_checks for the interpreter of `venv` (an absolute, normalized folder); a skip when
// detection found none there or it has no framework.
[[nodiscard]] std::vector<verify::Check> venv_checks(const detect::SystemProbe& probe,
                                                     const detect::HostReport& report,
                                                     const std::vector<std::string>& ld_library_path,
                                                     const std::filesystem::path& venv,
                                                     std::chrono::milliseconds timeout);

// The check script of `framework` ("torch", "tensorflow", "jax"): templates/verify/common.py
// followed by templates/verify/<framework>_check.py. Errors (kind usage): another framework.
[[nodiscard]] util::Result<std::string> framework_check_script(const std::string& framework);

// True for the frameworks that have a check script: torch, tensorflow, jax.
[[nodiscard]] bool has_check_script(const std::string& framework);

// The LD_LIBRARY_PATH folders of `probe`'s environment, in order.
[[nodiscard]] std::vector<std::string> ld_library_path(const detect::SystemProbe& probe);

// `venv` as given on the command line, absolute and without a trailing slash.
[[nodiscard]] std::filesystem::path normalized_venv(const std::filesystem::path& venv);

}  // namespace envsetup::app
