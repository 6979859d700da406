// SPDX-License-Identifier: Apache-2.0
#include <envsetup/detect/detect.hpp>

namespace envsetup::detect {

const std::vector<std::string>& library_dirs()
{
  static const std::vector<std::string> dirs = {
    "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib/x86_64-linux-gnu",
    "/lib/aarch64-linux-gnu",    "/usr/lib64",                 "/lib64",
    "/usr/lib",                  "/usr/local/nvidia/lib64",    "/usr/lib/wsl/lib",
  };
  return dirs;
}

HostReport detect_host(const SystemProbe& probe, const matrix::Matrix& matrix)
{
  HostReport report;
  report.host = detect_platform(probe);
  detect_driver_and_gpus(probe, matrix, report);
  report.toolkits = detect_toolkits(probe);
  report.pythons = detect_pythons(probe);
  add_warnings(probe, matrix, report);
  return report;
}

}  // namespace envsetup::detect
