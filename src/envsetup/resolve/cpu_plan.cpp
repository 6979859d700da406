// SPDX-License-Identifier: Apache-2.0
#include <envsetup/resolve/cpu_plan.hpp>

#include <envsetup/util/strings.hpp>

#include <algorithm>

namespace envsetup::resolve::detail {

namespace {

// The glibc floor of a release's wheels on `platform`: the lowest of its GPU variants there
// (CPU wheels are built with the same manylinux tag); unset when it has none there.
std::optional<core::Version> cpu_glibc_floor(const matrix::FrameworkRelease& release, core::Platform platform)
{
  std::optional<core::Version> floor;
  for (const auto& variant : release.variants) {
    if (variant.platform == platform && !variant.glibc.empty() && (!floor || variant.glibc < *floor)) {
      floor = variant.glibc;
    }
  }
  return floor;
}

}  // namespace

core::Resolution resolve_cpu(const matrix::Framework& framework, const core::HostFacts& host,
                             const core::Request& request)
{
  if (host.musl) {
    core::Resolution refused;
    refused.failure = "no CPU build of " + framework.name +
                      " installs on this host: its wheels are manylinux (glibc), and this host uses musl";
    refused.hints.push_back("use a glibc-based Linux (or a glibc container)");
    return refused;
  }
  core::Resolution resolution;
  std::optional<std::pair<core::Version, std::string>> lowest_refused;  // glibc, candidate
  for (auto release = framework.releases.rbegin(); release != framework.releases.rend(); ++release) {
    const auto& versions = release->versions;
    const auto version =
      std::find_if(versions.rbegin(), versions.rend(), [&](const auto& v) { return request.version.matches(v); });
    if (version == versions.rend()) {
      continue;
    }
    const std::string name = framework.name + " " + version->text() + " cpu";
    if (request.python && (*request.python < release->python_min || *request.python > release->python_max)) {
      resolution.rejected.push_back({name, "Python " + request.python->text() + " is outside the supported " +
                                             release->python_min.text() + "-" + release->python_max.text()});
      continue;
    }
    const auto glibc = cpu_glibc_floor(*release, host.platform);
    if (glibc && host.glibc && *host.glibc < *glibc) {
      resolution.rejected.push_back(
        {name, "its wheels need glibc >= " + glibc->text() + "; this host has " + host.glibc->text()});
      if (!lowest_refused || *glibc < lowest_refused->first) {
        lowest_refused = std::pair(*glibc, name);
      }
      continue;
    }
    core::Plan plan;
    plan.framework = framework.name;
    plan.display_name = framework.display_name;
    plan.version = *version;
    plan.variant = "cpu";
    plan.platform = host.platform;
    plan.glibc = glibc;
    plan.python = request.python ? *request.python : release->python_max;
    plan.index_url = framework.cpu.index_url;
    for (const auto& package : framework.cpu.packages) {
      plan.packages.push_back(util::replace_all(package, "version", version->text()));
    }
    plan.companions = release->companions;
    resolution.plan = std::move(plan);
    return resolution;
  }
  resolution.failure = "no CPU build of " + framework.name + request.version.text() + " fits the request";
  if (lowest_refused) {
    resolution.hints.push_back("a system with glibc >= " + lowest_refused->first.text() + " would allow " +
                               lowest_refused->second);
  }
  return resolution;
}

}  // namespace envsetup::resolve::detail
