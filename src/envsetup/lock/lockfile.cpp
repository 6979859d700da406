// SPDX-License-Identifier: Apache-2.0
#include <envsetup/lock/lockfile.hpp>

#include <envsetup/core/binary_compat.hpp>

#include <algorithm>
#include <span>
#include <tuple>

namespace envsetup::lock {

void sort_lockfile(Lockfile& lockfile)
{
  std::ranges::sort(lockfile.wheels, [](const LockedWheel& a, const LockedWheel& b) {
    return std::tie(a.name, a.filename) < std::tie(b.name, b.filename);
  });
  std::ranges::sort(lockfile.archives, [](const LockedArchive& a, const LockedArchive& b) {
    return std::tie(a.product, a.release, a.component, a.platform) <
           std::tie(b.product, b.release, b.component, b.platform);
  });
}

std::vector<std::string> host_mismatches(const Lockfile& lockfile, const core::HostFacts& host,
                                         const core::Version& python)
{
  const HostRequirements& need = lockfile.host;
  std::vector<std::string> reasons;
  if (host.platform != need.platform) {
    reasons.push_back("platform: the lock is for " + core::platform_name(need.platform) + ", this host is " +
                      core::platform_name(host.platform));
  }
  if (python.prefix(2) != need.python.prefix(2)) {
    reasons.push_back("python: the lock is for Python " + need.python.prefix(2).text() + ", this interpreter is " +
                      python.prefix(2).text());
  }
  if (need.glibc) {
    if (host.musl) {
      reasons.push_back("glibc: the lock needs glibc >= " + need.glibc->text() + ", this host uses musl");
    } else if (host.glibc && *host.glibc < *need.glibc) {
      reasons.push_back("glibc: the lock needs glibc >= " + need.glibc->text() + ", this host has " +
                        host.glibc->text());
    }
  }
  if (need.min_driver) {
    const std::string why = need.driver_rule.empty() ? "" : " (" + need.driver_rule + ")";
    if (!host.driver) {
      reasons.push_back("driver: the lock needs an NVIDIA driver >= " + need.min_driver->text() + why +
                        ", none is installed");
    } else if (*host.driver < *need.min_driver) {
      reasons.push_back("driver: the lock needs an NVIDIA driver >= " + need.min_driver->text() + why +
                        ", this host has " + host.driver->text());
    }
  }
  if (!need.targets.empty()) {
    std::vector<core::CodeTarget> code;
    code.reserve(need.targets.size());
    for (const core::ArchTarget& target : need.targets) {
      code.push_back(core::CodeTarget{target, std::nullopt});
    }
    std::string list;
    for (const core::ArchTarget& target : need.targets) {
      list += (list.empty() ? "" : " ") + target.text();
    }
    for (std::size_t i = 0; i < host.gpus.size(); ++i) {
      const core::GpuFact& gpu = host.gpus[i];
      if (core::best_match(std::span<const core::CodeTarget>(code), gpu.capability)) {
        continue;
      }
      const std::string name = gpu.name.empty() ? "" : " (" + gpu.name + ")";
      reasons.push_back("gpu " + std::to_string(i) + name + ": compute capability " + gpu.capability.text() +
                        " is not covered by the locked build's architectures (" + list + ")");
    }
  }
  return reasons;
}

}  // namespace envsetup::lock
