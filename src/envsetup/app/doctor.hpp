// SPDX-License-Identifier: Apache-2.0
// `envsetup doctor`: detection plus verification plus explanations (docs/doctor.md).
#pragma once

#include <envsetup/app/matrix_source.hpp>
#include <envsetup/core/host.hpp>
#include <envsetup/detect/environment_facts.hpp>
#include <envsetup/detect/report.hpp>
#include <envsetup/matrix/model.hpp>
#include <envsetup/util/error.hpp>
#include <envsetup/verify/check.hpp>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace envsetup::app {

enum class Severity { error, warning, info };

[[nodiscard]] const char* severity_name(Severity severity);

// One problem doctor found. `id` is stable (docs/doctor.md lists every one); `evidence`
// says what was read where; `fix` is what to do, a command when there is one.
struct Finding {
  Severity severity = Severity::info;
  std::string id;
  std::string title;
  std::string evidence;
  std::string fix;
};

// The findings of a detected host and the extra facts, most severe first. Pure.
[[nodiscard]] std::vector<Finding> doctor_findings(const detect::HostReport& report,
                                                   const detect::EnvironmentFacts& facts,
                                                   const matrix::Matrix& matrix);

// The resolver's view of a detected host: its driver, GPUs and platform. Pure.
[[nodiscard]] core::HostFacts host_facts(const detect::HostReport& report);

// The parts of doctor_findings (each appends).
void driver_findings(const detect::HostReport& report, const detect::EnvironmentFacts& facts,
                     std::vector<Finding>& out);
// "driver-too-new": the driver's branch is newer than the last one that supports some GPU
// (matrix `last_driver_branch`).
void driver_branch_findings(const detect::HostReport& report, const detect::EnvironmentFacts& facts,
                            const matrix::Matrix& matrix, std::vector<Finding>& out);
void framework_findings(const detect::HostReport& report, const detect::EnvironmentFacts& facts,
                        const matrix::Matrix& matrix, std::vector<Finding>& out);
void library_findings(const detect::HostReport& report, const detect::EnvironmentFacts& facts,
                      std::vector<Finding>& out);

// "toolkit-newer-than-driver": a detected CUDA toolkit newer than the CUDA the driver runs
// (its own answer, else the matrix's table). Pure.
void host_fit_findings(const detect::HostReport& report, const detect::EnvironmentFacts& facts,
                       const matrix::Matrix& matrix, std::vector<Finding>& out);

// Fixes that fit `os` (docs/doctor.md "Fixes per host"), pure: the driver install (of
// `branch` when set) with the distribution's own tools, or, inside a container, the host's
// NVIDIA Container Toolkit and `--gpus all`; blacklisting nouveau.
[[nodiscard]] std::string driver_install_fix(const detect::HostOs& os, std::optional<int> branch);
[[nodiscard]] std::string container_fix(const detect::HostOs& os);
[[nodiscard]] std::string nouveau_fix(const detect::HostOs& os);

// One error finding ("check-failed") per failed check. Pure.
[[nodiscard]] std::vector<Finding> check_findings(const std::vector<verify::Check>& checks);

struct DoctorOptions {
  std::optional<std::filesystem::path> sysroot;  // --sysroot; else ENVSETUP_SYSROOT
  MatrixChoice matrix;
  std::optional<std::filesystem::path> venv;     // --venv: run the framework checks there
  std::optional<std::filesystem::path> prefix;   // --prefix: run the toolkit checks there
  std::chrono::milliseconds timeout{std::chrono::minutes(3)};  // per framework script
};

struct DoctorReport {
  detect::HostReport host;
  detect::HostOs os;  // the distribution and container facts the fixes were chosen for
  std::vector<Finding> findings;
  std::vector<verify::Check> checks;

  // True when no finding is an error.
  [[nodiscard]] bool ok() const;
};

// Detects the host, reads the extra facts, runs the checks of `envsetup verify` (run_verify:
// driver and GPU matmul when the host has an NVIDIA driver or GPU, the toolkit of `prefix`
// or the first one detected, the frameworks of `venv` or of every detected Python), and
// explains. Errors: only a
// matrix that cannot be loaded or a bad sysroot (as run_detect); a host problem is a finding.
[[nodiscard]] util::Result<DoctorReport> run_doctor(const DoctorOptions& options);

// Check 4 alone: the built-in check script of `framework` ("torch", "tensorflow", "jax") run
// by `python` (verify::check_framework). `gpu_expected`: a GPU-less answer is a failure.
// Errors (kind usage): an unknown framework.
[[nodiscard]] util::Result<std::vector<verify::Check>> run_framework_check(
  const std::filesystem::path& python, const std::string& framework, bool gpu_expected,
  std::chrono::milliseconds timeout);

}  // namespace envsetup::app
