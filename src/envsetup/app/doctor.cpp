// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/doctor.hpp>

#include <envsetup/app/detect_command.hpp>
#include <envsetup/app/kernel_checks.hpp>
#include <envsetup/app/setup_checks.hpp>
#include <envsetup/app/verify_command.hpp>
#include <envsetup/detect/detect.hpp>
#include <envsetup/resolve/resolver.hpp>
#include <envsetup/verify/framework_check.hpp>

#include <algorithm>

namespace envsetup::app {

namespace fs = std::filesystem;

const char* severity_name(Severity severity)
{
  switch (severity) {
    case Severity::error:
      return "error";
    case Severity::warning:
      return "warning";
    case Severity::info:
      return "info";
  }
  return "info";
}

std::vector<Finding> doctor_findings(const detect::HostReport& report,
                                     const detect::EnvironmentFacts& facts,
                                     const matrix::Matrix& matrix)
{
  std::vector<Finding> findings;
  driver_findings(report, facts, findings);
  driver_branch_findings(report, facts, matrix, findings);
  host_fit_findings(report, facts, matrix, findings);
  framework_findings(report, facts, matrix, findings);
  library_findings(report, facts, findings);
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Finding& a, const Finding& b) { return a.severity < b.severity; });
  return findings;
}

std::vector<Finding> check_findings(const std::vector<verify::Check>& checks)
{
  std::vector<Finding> findings;
  for (const auto& check : checks) {
    if (check.status == verify::CheckStatus::fail) {
      findings.push_back({Severity::error, "check-failed", "check " + check.name + " failed",
                          check.detail, check.hint.value_or("")});
    }
  }
  return findings;
}

bool DoctorReport::ok() const
{
  return std::none_of(findings.begin(), findings.end(),
                      [](const Finding& f) { return f.severity == Severity::error; });
}

namespace {

// `envsetup install --framework NAME==V --venv VENV --force`: the build the resolver picks
// for `host`, of the installed version when one of its builds fits, else of any ("" when none).
std::string install_line(const detect::HostReport& host, const matrix::Matrix& matrix, const fs::path& venv,
                         const std::string& framework, const std::string& installed)
{
  const std::string release = installed.substr(0, installed.find('+'));
  for (const std::string& spec : {framework + "==" + release, framework}) {
    auto request = core::Request::parse_framework(spec);
    if (!request) {
      continue;
    }
    auto resolution = resolve::resolve(matrix, host_facts(host), *request);
    if (resolution && resolution->plan && resolution->plan->version) {
      return "envsetup install --framework " + framework + "==" + resolution->plan->version->text() + " --venv " +
             venv.string() + " --force";
    }
  }
  return "";
}

// What the venv's binaries say about the detected GPUs (kernel_findings); nothing without a GPU.
void venv_kernel_findings(const detect::HostReport& host, const matrix::Matrix& matrix, const fs::path& venv,
                          std::vector<Finding>& out)
{
  const auto targets = host_targets(host);
  if (targets.gpus.empty()) {
    return;
  }
  auto inspected = inspect_paths({venv}, targets, matrix);
  if (!inspected) {
    out.push_back({Severity::warning, "unreadable-library", "cannot inspect the libraries of " + venv.string(),
                   inspected.error().message, "envsetup inspect " + venv.string() + "   # shows the error in full"});
    return;
  }
  kernel_findings(*inspected, matrix, venv,
                  [&](const std::string& framework, const std::string& installed) {
                    return install_line(host, matrix, venv, framework, installed);
                  },
                  out);
  std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) { return a.severity < b.severity; });
}

}  // namespace

util::Result<DoctorReport> run_doctor(const DoctorOptions& options)
{
  detect::SystemProbe::Environment overrides;
  fs::path venv;
  if (options.venv) {
    venv = normalized_venv(*options.venv);
    overrides.emplace("VIRTUAL_ENV", venv.string());
  }
  auto probe = make_probe(options.sysroot, overrides);
  if (!probe) {
    return std::move(probe).error();
  }
  auto matrix = load_matrix(with_environment(options.matrix));
  if (!matrix) {
    return std::move(matrix).error();
  }
  DoctorReport doctor;
  doctor.host = detect::detect_host(*probe, *matrix);
  std::vector<std::string> toolkit_dirs;
  for (const auto& toolkit : doctor.host.toolkits) {
    toolkit_dirs.push_back(toolkit.path);
  }
  // VIRTUAL_ENV (set to --venv above) is among the venvs the facts look at.
  const auto facts = detect::read_environment_facts(*probe, {}, toolkit_dirs);
  doctor.findings = doctor_findings(doctor.host, facts, *matrix);
  doctor.os = facts.os;
  if (options.venv) {
    venv_kernel_findings(doctor.host, *matrix, venv, doctor.findings);
  }
  // Verification: every check of `envsetup verify`. On a host without any NVIDIA driver or
  // GPU the driver and GPU checks are left out (the "no-gpu" finding says it).
  VerifyOptions verify_options;
  verify_options.sysroot = options.sysroot;
  verify_options.matrix = options.matrix;
  verify_options.prefix = options.prefix;
  verify_options.venv = options.venv;
  verify_options.framework_timeout = options.timeout;
  auto verified = run_verify(verify_options);
  if (!verified) {
    return std::move(verified).error();
  }
  const bool nvidia_present = doctor.host.driver.has_value() || !doctor.host.gpus.empty();
  for (auto& check : verified->checks) {
    const bool gpu_check = check.name == "driver" || check.name.starts_with("gpu-matmul");
    if (!gpu_check || nvidia_present) {
      doctor.checks.push_back(std::move(check));
    }
  }
  for (auto& check : doctor.checks) {
    // The driver check's generic install hint, replaced by the one for this host (not on
    // WSL, whose driver comes from Windows and whose hint says so).
    if (check.name == "driver" && check.hint && check.hint->starts_with("install the NVIDIA driver (")) {
      check.hint = driver_install_fix(facts.os, std::nullopt);
    }
  }
  for (auto& finding : check_findings(doctor.checks)) {
    doctor.findings.push_back(std::move(finding));
  }
  return doctor;
}

util::Result<std::vector<verify::Check>> run_framework_check(const fs::path& python,
                                                             const std::string& framework,
                                                             bool gpu_expected,
                                                             std::chrono::milliseconds timeout)
{
  auto script = framework_check_script(framework);
  if (!script) {
    return std::move(script).error();
  }
  auto probe = make_probe(std::nullopt);
  if (!probe) {
    return std::move(probe).error();
  }
  return verify::check_framework({python, framework, *script, timeout, gpu_expected, ld_library_path(*probe)});
}

}  // namespace envsetup::app
