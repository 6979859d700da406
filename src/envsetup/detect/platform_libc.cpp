// SPDX-License-Identifier: Apache-2.0
// What the host is built on, read from disk through the probe (so that `--sysroot` sees a
// fake host): the CPU architecture, the C library (glibc's version, or musl) and Jetson.
#include <envsetup/detect/detect.hpp>
#include <envsetup/detect/parse_support.hpp>
#include <envsetup/detect/parsers.hpp>
#include <envsetup/util/strings.hpp>

#include <gnu/libc-version.h>
#include <sys/utsname.h>

namespace envsetup::detect {

namespace {

// libc.so.6 embeds "GNU C Library ... release version 2.36."; it is a few MB at most.
constexpr std::size_t k_max_libc_bytes = 16 << 20;

std::optional<core::Version> glibc_of(const SystemProbe& probe, const std::string& library)
{
  // glibc < 2.34: libc.so.6 links to libc-2.31.so, whose name says the version.
  if (auto resolved = probe.canonical(library)) {
    if (auto version = parse_glibc_version(resolved->filename().string())) {
      return version;
    }
  }
  if (auto binary = probe.read_file(library, k_max_libc_bytes)) {
    return parse_glibc_version(*binary);
  }
  return std::nullopt;
}

bool has_musl_loader(const SystemProbe& probe)
{
  for (const char* dir : {"/lib", "/usr/lib", "/usr/local/lib"}) {
    for (const auto& name : probe.list_dir(dir)) {
      if ((name.starts_with("ld-musl-") || name.starts_with("libc.musl-")) && name.ends_with(".so.1")) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

std::string detect_arch(const SystemProbe& probe)
{
  if (!probe.has_sysroot()) {
    struct utsname name {};
    return ::uname(&name) == 0 ? std::string(name.machine) : std::string();
  }
  if (probe.is_dir("/usr/lib/aarch64-linux-gnu") || probe.is_dir("/lib/aarch64-linux-gnu") ||
      probe.is_file("/lib/ld-linux-aarch64.so.1") || probe.is_file("/lib/ld-musl-aarch64.so.1")) {
    return "aarch64";
  }
  return "x86_64";
}

std::optional<core::Platform> platform_of_arch(const std::string& arch)
{
  if (arch.empty()) {
    return std::nullopt;
  }
  auto platform = core::parse_platform(arch);
  return platform ? std::optional(*platform) : std::nullopt;
}

std::vector<std::string> system_library_dirs(const std::string& arch)
{
  const std::string triple = (arch.empty() ? std::string("x86_64") : arch) + "-linux-gnu";
  return {"/usr/lib/" + triple, "/lib/" + triple, "/usr/lib64", "/lib64", "/usr/lib", "/lib"};
}

CLibrary detect_c_library(const SystemProbe& probe, const std::string& arch)
{
  CLibrary library;
  std::string unreadable;  // a libc.so.6 whose version could not be read: glibc, version unknown
  for (const auto& dir : system_library_dirs(arch)) {
    const std::string path = dir + "/libc.so.6";
    if (!probe.is_file(path)) {
      continue;
    }
    if (auto version = glibc_of(probe, path)) {
      library.glibc = version;
      library.source = path;
      return library;
    }
    unreadable = unreadable.empty() ? path : unreadable;
  }
  if (!unreadable.empty()) {
    library.source = unreadable;  // glibc is there; which one is not known (and not musl)
    return library;
  }
  if (has_musl_loader(probe)) {
    library.musl = true;
    library.source = "ld-musl";
    return library;
  }
  if (!probe.has_sysroot()) {
    // The running process's glibc: the system's unless envsetup was linked statically or
    // brought its own C library; `source` tells the report where the answer came from.
    if (auto version = parse_glibc_version(std::string("release version ") + ::gnu_get_libc_version())) {
      library.glibc = version;
      library.source = "gnu_get_libc_version";
    }
  }
  return library;
}

std::string detect_jetson(const SystemProbe& probe)
{
  if (auto text = probe.read_file("/etc/nv_tegra_release", 4096)) {
    if (auto release = parse_l4t_release(*text)) {
      return "L4T " + *release;
    }
  }
  for (const char* path : {"/proc/device-tree/compatible", "/sys/firmware/devicetree/base/compatible"}) {
    if (auto text = probe.read_file(path, 4096)) {
      if (auto tegra = parse_tegra_compatible(*text)) {
        return "Tegra (" + *tegra + ")";
      }
    }
  }
  return {};
}

std::optional<std::string> parse_l4t_release(std::string_view text)
{
  // "# R36 (release), REVISION: 4.0, GCID: 37537400, BOARD: generic, EABI: aarch64, DATE: ..."
  const auto first = text.find_first_not_of("# \t");
  if (first == std::string_view::npos || text[first] != 'R') {
    return std::nullopt;
  }
  const std::string_view major = detail::leading_version_text(text.substr(first + 1));
  if (major.empty() || major.find('.') != std::string_view::npos) {
    return std::nullopt;
  }
  constexpr std::string_view revision_key = "REVISION:";
  const auto at = text.find(revision_key);
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  const auto rest = text.substr(at + revision_key.size());
  const auto start = rest.find_first_not_of(" \t");
  const std::string_view revision =
    start == std::string_view::npos ? std::string_view() : detail::leading_version_text(rest.substr(start));
  if (revision.empty()) {
    return std::nullopt;
  }
  return "R" + std::string(major) + "." + std::string(revision);
}

std::optional<std::string> parse_tegra_compatible(std::string_view text)
{
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\0', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    const auto entry = util::trim(text.substr(start, end - start));
    if (entry.starts_with("nvidia,tegra")) {
      return std::string(entry);
    }
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace envsetup::detect
