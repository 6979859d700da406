// SPDX-License-Identifier: Apache-2.0
#include <envsetup/detect/detect.hpp>
#include <envsetup/detect/parsers.hpp>

#include <gnu/libc-version.h>
#include <sys/utsname.h>

namespace envsetup::detect {

namespace {

std::string architecture(const SystemProbe& probe)
{
  if (probe.has_sysroot()) {
    if (probe.is_dir("/usr/lib/aarch64-linux-gnu") || probe.is_dir("/lib/aarch64-linux-gnu")) {
      return "aarch64";
    }
    return "x86_64";
  }
  struct utsname name {};
  return ::uname(&name) == 0 ? std::string(name.machine) : std::string();
}

std::string glibc_version(const SystemProbe& probe)
{
  if (!probe.has_sysroot()) {
    return ::gnu_get_libc_version();
  }
  for (const auto& dir : library_dirs()) {
    for (const auto& name : probe.list_dir(dir)) {
      if (name.starts_with("libc-") && name.ends_with(".so")) {
        if (auto version = parse_glibc_version(name)) {
          return version->text();
        }
      }
    }
    // libc.so.6 embeds "GNU C Library ... release version 2.36."; it is a few MB at most.
    if (auto binary = probe.read_file(dir + "/libc.so.6", 8 << 20)) {
      if (auto version = parse_glibc_version(*binary)) {
        return version->text();
      }
    }
  }
  return {};
}

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
  platform.arch = architecture(probe);
  platform.glibc = glibc_version(probe);
  platform.wsl = is_wsl(probe);
  platform.container = is_container(probe);
  return platform;
}

}  // namespace envsetup::detect
