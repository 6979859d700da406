// SPDX-License-Identifier: Apache-2.0
#include <envsetup/detect/detect.hpp>
#include <envsetup/detect/parsers.hpp>

namespace envsetup::detect {

namespace {

bool is_wsl(const SystemProbe& probe)
{
  if (probe.is_file("/proc/sys/fs/binfmt_misc/WSLInterop") || probe.is_dir("/usr/lib/wsl/lib")) {
    return true;
  }
  const auto version = probe.read_file("/proc/version", 4096).value_or("");
  return version.find("microsoft") != std::string::npos ||
         version.find("Microsoft") != std::string::npos;
}

bool is_container(const SystemProbe& probe)
{
  if (probe.is_file("/.dockerenv") || probe.is_file("/run/.containerenv")) {
    return true;
  }
  const auto cgroup = probe.read_file("/proc/1/cgroup", 65536).value_or("");
  for (const char* marker : {"docker", "kubepods", "containerd", "lxc", "libpod"}) {
    if (cgroup.find(marker) != std::string::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace

HostPlatform detect_platform(const SystemProbe& probe)
{
  HostPlatform platform;
  auto text = probe.read_file("/etc/os-release", 65536);
  if (!text) {
    text = probe.read_file("/usr/lib/os-release", 65536);
  }
  if (text) {
    const auto fields = parse_os_release(*text);
    const auto name = fields.find("NAME");
    const auto version = fields.find("VERSION_ID");
    platform.os = name != fields.end() ? name->second : "";
    platform.os_version = version != fields.end() ? version->second : "";
  }
  platform.arch = detect_arch(probe);
  platform.platform = platform_of_arch(platform.arch);
  const auto library = detect_c_library(probe, platform.arch);
  platform.glibc = library.glibc ? library.glibc->text() : "";
  // Without a version, `source` names a libc.so.6 whose version could not be read.
  platform.glibc_source = library.source == "ld-musl" ? "" : library.source;
  platform.musl = library.musl;
  platform.jetson = detect_jetson(probe);
  platform.wsl = is_wsl(probe);
  platform.container = is_container(probe);
  return platform;
}

}  // namespace envsetup::detect
