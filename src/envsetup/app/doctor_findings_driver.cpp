// SPDX-License-Identifier: Apache-2.0
// Doctor findings about the driver and the installed framework builds (docs/doctor.md).
#include <envsetup/app/doctor.hpp>

#include <envsetup/detect/detect.hpp>
#include <envsetup/resolve/installed_build.hpp>

namespace envsetup::app {

namespace {

std::string reinstall_fix(const std::string& framework, const std::string& python)
{
  return "envsetup resolve --framework " + framework +
         "   # shows the build for this host; then reinstall it with " + python +
         " -m pip install --force-reinstall <that build>";
}

void one_framework(const detect::HostReport& report, const detect::HostOs& os, const matrix::Matrix& matrix,
                   const detect::PythonInfo& python, const detect::FrameworkInfo& framework, std::vector<Finding>& out)
{
  const std::string what = framework.name + " " + framework.version + " (" + python.path + ")";
  if (framework.cuda->empty()) {
    if (!report.gpus.empty()) {
      out.push_back({Severity::warning, "cpu-only-build", what + " is a CPU-only build on a GPU host",
                     "its metadata names no CUDA version; this host has " +
                       std::to_string(report.gpus.size()) + " NVIDIA GPU(s), first: " +
                       report.gpus.front().name,
                     reinstall_fix(framework.name, python.path)});
    }
    return;
  }
  const auto host = host_facts(report);
  const auto needs = resolve::installed_build_needs(matrix, host, framework.name, framework.version,
                                                    *framework.cuda);
  if (needs && !needs->uncovered.empty()) {
    std::string gpus;
    for (const auto& gpu : needs->uncovered) {
      gpus += (gpus.empty() ? "" : ", ") + gpu.sm_name();
    }
    out.push_back({Severity::error, "gpu-not-covered",
                   "GPU " + gpus + " is not covered by " + what,
                   "the build (CUDA " + *framework.cuda + ") has code for " + needs->targets +
                     " only (matrix)",
                   reinstall_fix(framework.name, python.path)});
    return;
  }
  std::optional<core::Version> floor;
  std::string rule;
  if (needs && needs->min_driver) {
    floor = needs->min_driver;
    rule = needs->driver_rule;
  } else if (const auto cuda = core::Version::parse(*framework.cuda)) {
    if (const auto* major = matrix.find_cuda_major(cuda->major())) {
      floor = major->min_driver;
      rule = "CUDA " + std::to_string(major->major) + ".x needs driver >= " + major->min_driver.text();
    }
  }
  if (floor && report.driver && report.driver->version < *floor) {
    out.push_back({Severity::error, "driver-too-old",
                   "driver " + report.driver->version.text() + " is too old for " + what,
                   "the build is for CUDA " + *framework.cuda + "; " + rule + "; the driver is " +
                     report.driver->version.text() + " (" + report.driver->source + ")",
                   "upgrade the NVIDIA driver to >= " + floor->text() + " (" + driver_install_fix(os, std::nullopt) +
                     "), or install a build for an older CUDA: " + reinstall_fix(framework.name, python.path)});
  }
}

}  // namespace

core::HostFacts host_facts(const detect::HostReport& report)
{
  core::HostFacts host;
  if (report.driver) {
    host.driver = report.driver->version;
  }
  for (const auto& gpu : report.gpus) {
    if (gpu.compute_capability) {
      host.gpus.push_back({*gpu.compute_capability, gpu.name});
    }
  }
  if (report.host.platform) {
    host.platform = *report.host.platform;
  }
  return host;
}

void driver_findings(const detect::HostReport& report, const detect::EnvironmentFacts& facts,
                     std::vector<Finding>& out)
{
  if (facts.nouveau_loaded) {
    out.push_back({Severity::error, "nouveau-loaded", "the open-source nouveau driver is loaded",
                   "/proc/modules lists `nouveau`; it holds the GPU and the NVIDIA driver cannot",
                   nouveau_fix(facts.os)});
  }
  if (!report.driver) {
    if (!report.gpus.empty()) {
      out.push_back({Severity::error, "no-driver", "no NVIDIA driver is loaded",
                     std::to_string(report.gpus.size()) + " NVIDIA GPU(s) on the PCI bus (" + report.gpus.front().name +
                       ", " + report.gpus.front().source +
                       "), but /proc/driver/nvidia/version is absent and no libcuda answered",
                     driver_install_fix(facts.os, std::nullopt)});
    } else {
      out.push_back({Severity::info, "no-gpu", "no NVIDIA GPU and no NVIDIA driver found",
                     "nothing NVIDIA on the PCI bus, no /proc/driver/nvidia/version",
                     facts.os.container
                       ? "for the host's GPUs: " + container_fix(facts.os) +
                           "; for a CPU-only host nothing: envsetup resolve --cpu gives CPU builds"
                       : "nothing to do for a CPU-only host; envsetup resolve --cpu gives CPU builds"});
    }
    return;
  }
  const auto& driver = *report.driver;
  if (driver.libcuda && driver.kernel_module && *driver.libcuda != *driver.kernel_module) {
    out.push_back({Severity::error, "driver-mismatch",
                   "the driver's kernel module and libcuda differ",
                   "kernel module " + driver.kernel_module->text() + " (/proc/driver/nvidia/version), "
                   "user-space libcuda.so." + driver.libcuda->text(),
                   "sudo reboot   # after a driver upgrade; otherwise reinstall the driver so that "
                   "both are the same version"});
  }
}

void driver_branch_findings(const detect::HostReport& report, const detect::EnvironmentFacts& facts,
                            const matrix::Matrix& matrix, std::vector<Finding>& out)
{
  for (const auto& problem : detect::driver_too_new(report, matrix)) {
    const std::string branch = "R" + std::to_string(problem.last_branch);
    out.push_back({Severity::error, "driver-too-new", problem.text(),
                   "the driver is " + problem.driver.text() + " (" + report.driver->source + "); NVIDIA's " + branch +
                     " is the last driver branch for " + problem.architecture + " (matrix)",
                   "install an " + branch +
                     " driver, the newest that runs these GPUs: " + driver_install_fix(facts.os, problem.last_branch)});
  }
}

void framework_findings(const detect::HostReport& report, const detect::EnvironmentFacts& facts,
                        const matrix::Matrix& matrix, std::vector<Finding>& out)
{
  for (const auto& python : report.pythons) {
    for (const auto& framework : python.frameworks) {
      if (framework.cuda && framework.name != "numpy") {
        one_framework(report, facts.os, matrix, python, framework, out);
      }
    }
  }
}

}  // namespace envsetup::app
