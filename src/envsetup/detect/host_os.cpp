// SPDX-License-Identifier: Apache-2.0
#include <envsetup/detect/host_os.hpp>
#include <envsetup/detect/parsers.hpp>
#include <envsetup/util/strings.hpp>

#include <algorithm>
#include <array>

namespace envsetup::detect {

namespace {

std::string clean(const std::map<std::string, std::string>& values, const std::string& key)
{
  const auto found = values.find(key);
  std::string out;
  if (found != values.end()) {
    for (const char c : found->second.substr(0, 256)) {
      if (!util::is_control_character(c)) {
        out += c;
      }
    }
  }
  return out;
}

bool has(const std::vector<std::string>& words, std::string_view word)
{
  return std::find(words.begin(), words.end(), word) != words.end();
}

OsFamily family_of(const HostOs& os)
{
  if (os.id == "ubuntu" || has(os.id_like, "ubuntu")) {
    return OsFamily::ubuntu;
  }
  if (os.id == "debian" || has(os.id_like, "debian")) {
    return OsFamily::debian;
  }
  if (os.id == "fedora") {
    return OsFamily::fedora;
  }
  if (os.id == "rhel" || os.id == "centos" || has(os.id_like, "rhel") || has(os.id_like, "centos")) {
    return OsFamily::rhel;
  }
  if (has(os.id_like, "fedora")) {
    return OsFamily::rhel;  // Amazon Linux, Oracle Linux name only fedora
  }
  return OsFamily::unknown;
}

}  // namespace

HostOs host_os_from_release(std::string_view text)
{
  const auto values = parse_os_release(text);
  HostOs os;
  os.id = clean(values, "ID");
  const std::string id_like = clean(values, "ID_LIKE");
  for (const auto word : util::split(id_like, ' ')) {
    if (!word.empty()) {
      os.id_like.emplace_back(word);
    }
  }
  os.version_id = clean(values, "VERSION_ID");
  os.pretty_name = clean(values, "PRETTY_NAME");
  if (os.pretty_name.empty()) {
    os.pretty_name = clean(values, "NAME");
  }
  os.family = family_of(os);
  return os;
}

HostOs read_host_os(const SystemProbe& probe)
{
  auto text = probe.read_file("/etc/os-release", 65536);
  if (!text) {
    text = probe.read_file("/usr/lib/os-release", 65536);
  }
  HostOs os = text ? host_os_from_release(*text) : HostOs{};
  if (probe.is_file("/.dockerenv")) {
    os.container = true;
    os.container_evidence = "/.dockerenv exists";
  } else if (probe.is_file("/run/.containerenv")) {
    os.container = true;
    os.container_evidence = "/run/.containerenv exists (Podman)";
  } else if (const auto cgroup = probe.read_file("/proc/1/cgroup", 65536)) {
    static constexpr std::array<std::string_view, 5> k_signs = {"docker", "kubepods", "containerd", "libpod", "lxc"};
    for (const auto sign : k_signs) {
      if (cgroup->find(sign) != std::string::npos) {
        os.container = true;
        os.container_evidence = "/proc/1/cgroup names " + std::string(sign);
        break;
      }
    }
  }
  return os;
}

std::string os_display_name(const HostOs& os)
{
  if (!os.pretty_name.empty()) {
    return os.pretty_name;
  }
  return os.id.empty() ? "" : os.id + (os.version_id.empty() ? "" : " " + os.version_id);
}

}  // namespace envsetup::detect
