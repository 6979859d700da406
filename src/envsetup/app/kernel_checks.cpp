// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/kernel_checks.hpp>

#include <envsetup/app/inspect_sources.hpp>

#include <algorithm>
#include <map>

#include <sys/stat.h>

namespace envsetup::app {

namespace fs = std::filesystem;

InspectTargets host_targets(const detect::HostReport& host)
{
  InspectTargets targets;
  for (const auto& gpu : host.gpus) {
    if (gpu.compute_capability &&
        std::find(targets.gpus.begin(), targets.gpus.end(), *gpu.compute_capability) == targets.gpus.end()) {
      targets.gpus.push_back(*gpu.compute_capability);
    }
  }
  if (host.driver) {
    targets.driver = host.driver->version;
    targets.driver_cuda = host.driver->cuda_version;
  }
  return targets;
}

namespace {

bool jit_blocked(const resolve::GpuRun& run)
{
  return run.how == resolve::RunKind::ptx_jit && run.driver_can_jit == false;
}

std::string targets_text(const binary::LibraryCode& code)
{
  std::string text;
  for (const auto& target : code.targets()) {
    text += (text.empty() ? "" : " ") + target.target.text();
  }
  return text;
}

// The libraries of `report` that belong to the framework `name` (its own distributions).
std::vector<const InspectedLibrary*> framework_libraries(const std::string& name, const InspectReport& report,
                                                         const matrix::Matrix& matrix)
{
  std::vector<const InspectedLibrary*> libraries;
  for (const auto& package : report.packages) {
    const auto* framework = framework_of_distribution(matrix, package.name);
    if (framework == nullptr || framework->name != name) {
      continue;
    }
    for (const auto index : package.libraries) {
      libraries.push_back(&report.libraries[index]);
    }
  }
  return libraries;
}

}  // namespace

verify::Check kernel_check(const std::string& framework, const InspectReport& report, const matrix::Matrix& matrix)
{
  verify::Check check{"framework:" + framework + ":kernels", verify::CheckStatus::skip, "", std::nullopt, {}};
  if (report.targets.gpus.empty()) {
    check.detail = "no GPU detected: nothing to check the libraries' code against";
    return check;
  }
  const auto libraries = framework_libraries(framework, report, matrix);
  if (libraries.empty()) {
    check.detail = "no CUDA library of " + framework + " found in the venv";
    return check;
  }
  std::vector<std::string> runs;
  for (std::size_t gpu = 0; gpu < report.targets.gpus.size(); ++gpu) {
    const std::string sm = report.targets.gpus[gpu].sm_name();
    std::map<std::string, std::size_t> how;  // "sass sm_90" -> libraries
    for (const auto* library : libraries) {
      const auto& run = library->coverage[gpu].run;
      if (run.how == resolve::RunKind::none || jit_blocked(run)) {
        check.status = verify::CheckStatus::fail;
        check.detail = library->file_name() + " has no code " + sm + " can run (it carries " +
                       targets_text(library->code) + ")" +
                       (run.how == resolve::RunKind::none ? ": \"no kernel image is available\""
                                                          : ": its PTX " + run.target + " needs a driver for CUDA " +
                                                              (run.jit_needs_cuda ? run.jit_needs_cuda->text() : "?"));
        check.hint = run.how == resolve::RunKind::none
                       ? "envsetup doctor --venv VENV   # names the build that covers " + sm
                       : "upgrade the NVIDIA driver, or install a build with SASS for " + sm;
        return check;
      }
      ++how[std::string(run.how == resolve::RunKind::sass ? "SASS " : "PTX JIT of ") + run.target];
    }
    std::string summary;
    for (const auto& [way, count] : how) {
      summary += (summary.empty() ? "" : ", ") + way + (count > 1 ? " (" + std::to_string(count) + " libraries)" : "");
    }
    runs.push_back(sm + ": " + summary);
  }
  check.status = verify::CheckStatus::pass;
  for (const auto& run : runs) {
    check.detail += (check.detail.empty() ? "" : "; ") + run;
  }
  return check;
}

std::optional<fs::path> venv_of_python(const std::string& python)
{
  const fs::path prefix = fs::path(python).parent_path().parent_path();
  struct stat status {};
  if (prefix.empty() || ::stat((prefix / "pyvenv.cfg").c_str(), &status) != 0 || !S_ISREG(status.st_mode)) {
    return std::nullopt;
  }
  return prefix;
}

std::vector<verify::Check> venv_kernel_checks(const fs::path& venv, const std::vector<std::string>& frameworks,
                                              const detect::HostReport& host, const matrix::Matrix& matrix)
{
  std::vector<verify::Check> checks;
  if (frameworks.empty()) {
    return checks;
  }
  const auto targets = host_targets(host);
  if (targets.gpus.empty()) {
    for (const auto& framework : frameworks) {
      checks.push_back({"framework:" + framework + ":kernels", verify::CheckStatus::skip,
                        "no GPU detected: nothing to check the libraries' code against", std::nullopt, {}});
    }
    return checks;
  }
  auto report = inspect_paths({venv}, targets, matrix);
  for (const auto& framework : frameworks) {
    if (!report) {
      checks.push_back({"framework:" + framework + ":kernels", verify::CheckStatus::fail,
                        "cannot inspect `" + venv.string() + "`: " + report.error().message,
                        "envsetup inspect " + venv.string() + "   # shows the error in full", {}});
    } else {
      checks.push_back(kernel_check(framework, *report, matrix));
    }
  }
  return checks;
}

}  // namespace envsetup::app
