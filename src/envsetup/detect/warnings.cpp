// SPDX-License-Identifier: Apache-2.0
// The traps between what detection found: libraries that shadow each other, versions that
// do not fit the driver, builds that do not cover the GPUs.
#include <envsetup/core/binary_compat.hpp>
#include <envsetup/detect/detect.hpp>
#include <envsetup/detect/parsers.hpp>
#include <envsetup/util/strings.hpp>

#include <algorithm>
#include <map>

namespace envsetup::detect {

namespace {

namespace fs = std::filesystem;

// Versions of the CUDA runtime and cuDNN that each LD_LIBRARY_PATH folder provides.
void check_library_path(const SystemProbe& probe, HostReport& report)
{
  std::map<std::string, std::pair<core::Version, std::string>> first_seen;  // library -> (version, dir)
  std::optional<core::Version> cuda_home_version;
  if (auto home = probe.env("CUDA_HOME")) {
    if (auto canonical = probe.canonical(*home)) {
      for (const auto& toolkit : report.toolkits) {
        if (toolkit.path == canonical->string()) {
          cuda_home_version = toolkit.version;
        }
      }
    }
  }
  for (const auto& dir : probe.env_paths("LD_LIBRARY_PATH")) {
    for (const auto& name : probe.list_dir(dir)) {
      for (const char* library : {"libcudart.so", "libcudnn.so"}) {
        auto version = parse_library_file_version(name, library);
        if (!version) {
          continue;
        }
        const auto [it, inserted] = first_seen.emplace(library, std::pair{*version, dir.string()});
        if (!inserted && it->second.first.major() != version->major()) {
          report.warnings.push_back("LD_LIBRARY_PATH provides " + std::string(library) + " " +
                                    it->second.first.text() + " from `" + it->second.second +
                                    "` and " + version->text() + " from `" + dir.string() +
                                    "`: the first one found shadows the other");
        }
        if (std::string(library) == "libcudart.so" && cuda_home_version &&
            version->major() != cuda_home_version->major()) {
          report.warnings.push_back("LD_LIBRARY_PATH entry `" + dir.string() + "` provides " +
                                    name + ", but CUDA_HOME is CUDA " +
                                    cuda_home_version->text() +
                                    ": programs built with that toolkit may load the wrong runtime");
        }
      }
    }
  }
  const auto runtime = first_seen.find("libcudart.so");
  if (runtime == first_seen.end()) {
    return;
  }
  for (const auto& python : report.pythons) {
    for (const auto& framework : python.frameworks) {
      if (framework.cuda && !framework.cuda->empty() &&
          std::to_string(runtime->second.first.major()) != framework.cuda->substr(0, framework.cuda->find('.'))) {
        report.warnings.push_back("LD_LIBRARY_PATH puts CUDA runtime " + runtime->second.first.text() +
                                  " from `" + runtime->second.second + "` ahead of the CUDA " +
                                  *framework.cuda + " libraries " + framework.name + " " +
                                  framework.version + " (" + python.path + ") was built for");
      }
    }
  }
}

// The matrix's build variant for an installed framework: same release, same CUDA X.Y.
const matrix::Variant* installed_variant(const matrix::Matrix& matrix, const FrameworkInfo& framework,
                                         std::optional<core::Platform> platform)
{
  const auto* entry = matrix.find_framework(framework.name);
  auto version = core::Version::parse(framework.version.substr(0, framework.version.find_first_of("+a-z")));
  if (entry == nullptr || !version || !framework.cuda || framework.cuda->empty()) {
    return nullptr;
  }
  for (const auto& release : entry->releases) {
    if (std::find(release.versions.begin(), release.versions.end(), *version) == release.versions.end()) {
      continue;
    }
    for (const auto& variant : release.variants) {
      if (platform && variant.platform != *platform) {
        continue;
      }
      const std::string cuda = variant.cuda.prefix(2).text();
      if (cuda == *framework.cuda || variant.cuda.prefix(1).text() == *framework.cuda) {
        return &variant;
      }
    }
  }
  return nullptr;
}

void check_frameworks(const matrix::Matrix& matrix, HostReport& report)
{
  for (const auto& python : report.pythons) {
    for (const auto& framework : python.frameworks) {
      if (!framework.cuda || framework.name == "numpy") {
        continue;
      }
      const std::string what = framework.name + " " + framework.version + " in " + python.path;
      if (framework.cuda->empty()) {
        if (!report.gpus.empty()) {
          report.warnings.push_back(what + " is a CPU-only build, but this host has " +
                                    std::to_string(report.gpus.size()) + " NVIDIA GPU(s)");
        }
        continue;
      }
      auto cuda = core::Version::parse(*framework.cuda);
      if (cuda && report.driver && report.driver->cuda_version) {
        const auto* floor = matrix.find_cuda_major(cuda->major());
        if (cuda->major() > report.driver->cuda_version->major() ||
            (floor != nullptr && report.driver->version < floor->min_driver)) {
          report.warnings.push_back(what + " is built for CUDA " + *framework.cuda + ", but driver " +
                                    report.driver->version.text() + " supports CUDA " +
                                    report.driver->cuda_version->text());
        }
      }
      const auto* variant = installed_variant(matrix, framework, report.host.platform);
      if (variant == nullptr) {
        continue;
      }
      for (const auto& gpu : report.gpus) {
        if (!gpu.compute_capability) {
          continue;
        }
        std::vector<core::CodeTarget> code;
        for (const auto& target : variant->targets) {
          code.push_back(core::CodeTarget{target, std::nullopt});
        }
        const bool covered = core::best_match(code, *gpu.compute_capability).has_value();
        if (!covered) {
          report.warnings.push_back("GPU " + std::to_string(gpu.index) + " (" +
                                    gpu.compute_capability->sm_name() + ") is not covered by " +
                                    what + ": it was built for " + [&] {
                                      std::string list;
                                      for (const auto& t : variant->targets) {
                                        list += (list.empty() ? "" : " ") + t.text();
                                      }
                                      return list;
                                    }());
        }
      }
    }
  }
}

}  // namespace

std::vector<DriverTooNew> driver_too_new(const HostReport& report, const matrix::Matrix& matrix)
{
  std::vector<DriverTooNew> found;
  if (!report.driver) {
    return found;
  }
  const int branch = report.driver->version.major();
  for (const auto& gpu : report.gpus) {
    if (!gpu.compute_capability) {
      continue;
    }
    const auto* architecture = matrix.architecture_of(*gpu.compute_capability);
    const auto last = matrix.last_driver_branch_for(*gpu.compute_capability);
    if (architecture == nullptr || !last || branch <= *last) {
      continue;
    }
    const std::string what = (gpu.name.empty() ? "" : gpu.name + ", ") + gpu.compute_capability->sm_name();
    auto same = std::find_if(found.begin(), found.end(),
                             [&](const DriverTooNew& p) { return p.architecture == architecture->name; });
    if (same == found.end()) {
      found.push_back({report.driver->version, architecture->name, *last, {what}});
    } else if (std::find(same->gpus.begin(), same->gpus.end(), what) == same->gpus.end()) {
      same->gpus.push_back(what);
    }
  }
  return found;
}

std::string DriverTooNew::text() const
{
  return "driver " + driver.text() + " is newer than R" + std::to_string(last_branch) +
         ", the last branch that supports " + architecture + " GPUs (" + util::join(gpus, "; ") + ")";
}

void add_warnings(const SystemProbe& probe, const matrix::Matrix& matrix, HostReport& report)
{
  if (report.driver && report.driver->libcuda && report.driver->kernel_module &&
      *report.driver->libcuda != *report.driver->kernel_module) {
    report.warnings.push_back("user-space libcuda.so is " + report.driver->libcuda->text() +
                              " but the kernel module is " + report.driver->kernel_module->text() +
                              ": CUDA programs will fail with a driver/library version mismatch "
                              "(reboot, or reinstall the driver)");
  }
  if (report.host.glibc.empty() && !report.host.glibc_source.empty()) {
    report.warnings.push_back("cannot read glibc's version from " + report.host.glibc_source +
                              ": wheels' manylinux floors are not checked (pass `--glibc X.Y` to resolve)");
  }
  if (!report.driver && !report.gpus.empty()) {
    report.warnings.push_back(std::to_string(report.gpus.size()) +
                              " NVIDIA GPU(s) found on the PCI bus, but no NVIDIA driver is loaded");
  }
  for (const auto& problem : driver_too_new(report, matrix)) {
    report.warnings.push_back(problem.text() + ": install an R" + std::to_string(problem.last_branch) +
                              " driver");
  }
  check_library_path(probe, report);
  check_frameworks(matrix, report);
}

}  // namespace envsetup::detect
