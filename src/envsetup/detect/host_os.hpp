// SPDX-License-Identifier: Apache-2.0
// Which distribution the host runs (/etc/os-release) and whether envsetup runs inside a
// container: what `envsetup doctor` needs to give fixes that work on this host.
#pragma once

#include <envsetup/detect/probe.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace envsetup::detect {

// The distribution families doctor has commands for.
enum class OsFamily {
  unknown,
  ubuntu,  // Ubuntu and derivatives (ID or ID_LIKE "ubuntu": Pop!_OS, Linux Mint)
  debian,  // Debian and ID_LIKE=debian that is not Ubuntu-like
  fedora,  // Fedora
  rhel,    // RHEL and rebuilds (ID_LIKE "rhel"/"centos": Rocky, AlmaLinux, CentOS Stream)
};

struct HostOs {
  std::string id;                    // os-release ID: "ubuntu", "debian", "fedora", "rocky"
  std::vector<std::string> id_like;  // ID_LIKE words
  std::string version_id;            // "24.04", "12", "40", "9.4"
  std::string pretty_name;           // PRETTY_NAME (else NAME)
  OsFamily family = OsFamily::unknown;
  bool container = false;
  std::string container_evidence;  // "/.dockerenv", "/run/.containerenv", "/proc/1/cgroup: docker"
};

// os-release text (read by parsers.hpp's parse_os_release) as a HostOs without the container
// facts. Pure; untrusted text: control characters are dropped from the values kept.
[[nodiscard]] HostOs host_os_from_release(std::string_view text);

// /etc/os-release (else /usr/lib/os-release), /.dockerenv, /run/.containerenv and
// /proc/1/cgroup read through `probe` (sysroot-aware). Never fails: unknown facts stay empty.
[[nodiscard]] HostOs read_host_os(const SystemProbe& probe);

// "Ubuntu 24.04", "Debian 12", ... ("" when unknown).
[[nodiscard]] std::string os_display_name(const HostOs& os);

}  // namespace envsetup::detect
