// SPDX-License-Identifier: Apache-2.0
#include <envsetup/pyindex/claims.hpp>

#include <envsetup/util/strings.hpp>

#include <algorithm>

namespace envsetup::pyindex {

namespace {

std::string with_slash(std::string url)
{
  if (!url.ends_with('/')) {
    url += '/';
  }
  return url;
}

// The local version tag an index gives its builds: its last path component (".../cu124/" -> "cu124").
std::string local_tag_of(std::string_view index_url)
{
  while (index_url.ends_with('/')) {
    index_url.remove_suffix(1);
  }
  const auto slash = index_url.rfind('/');
  return std::string(slash == std::string_view::npos ? index_url : index_url.substr(slash + 1));
}

// The CPython X.Y from `min` to `max` (same major), ascending.
std::vector<core::Version> pythons_between(const core::Version& min, const core::Version& max)
{
  std::vector<core::Version> result;
  for (int minor = min.minor(); min.major() == max.major() && minor <= max.minor() && minor < 100; ++minor) {
    if (auto version = core::Version::parse(std::to_string(min.major()) + "." + std::to_string(minor))) {
      result.push_back(*version);
    }
  }
  return result;
}

struct Build {
  const matrix::Framework* framework;
  const matrix::FrameworkRelease* release;
  const core::Version* version;
  const matrix::Variant* variant;
};

void check_build(const Build& build, const std::vector<const WheelName*>& of_version, const std::string& shown,
                 ClaimReport& report)
{
  const auto& variant = *build.variant;
  const std::string platform = core::platform_name(variant.platform);
  auto add = [&](std::optional<std::string> python, std::optional<std::string> on, std::string claim,
                 std::string found) {
    report.contradictions.push_back({build.framework->name, build.version->text(), variant.name, std::move(python),
                                     std::move(on), std::move(claim), std::move(found)});
  };
  if (of_version.empty()) {
    add(std::nullopt, std::nullopt, "wheels of " + shown, "no wheel of that version on the index");
    return;
  }
  std::vector<std::pair<const WheelName*, core::Version>> fitting;  // wheel, glibc it needs
  for (const auto* wheel : of_version) {
    if (auto glibc = glibc_needed(*wheel, variant.platform)) {
      fitting.emplace_back(wheel, *glibc);
    }
  }
  if (fitting.empty()) {
    add(std::nullopt, platform, "a " + platform + " wheel of " + shown,
        "no wheel for " + std::string(wheel_arch(variant.platform)) + " (" + std::to_string(of_version.size()) +
          " wheels for other platforms)");
    return;
  }
  std::optional<core::Version> worst;  // the newest glibc some Python needs
  std::vector<std::string> needing;
  for (const auto& python : pythons_between(build.release->python_min, build.release->python_max)) {
    std::optional<core::Version> lowest;
    for (const auto& [wheel, glibc] : fitting) {
      if (supports_python(*wheel, python) && (!lowest || glibc < *lowest)) {
        lowest = glibc;
      }
    }
    if (!lowest) {
      add(python.text(), platform, "Python " + python.text() + " is supported",
          "no " + cpython_tag(python) + " wheel for " + platform);
    } else if (!variant.glibc.empty() && *lowest > variant.glibc) {
      needing.push_back(cpython_tag(python));
      if (!worst || *lowest > *worst) {
        worst = lowest;
      }
    }
  }
  if (worst) {
    add(std::nullopt, platform, "glibc " + variant.glibc.text() + " is enough",
        "the wheels need glibc " + worst->text() + " (manylinux_" + std::to_string(worst->major()) + "_" +
          std::to_string(worst->minor()) + ") for " + util::join(needing, ", "));
  }
}

}  // namespace

std::string index_of(const matrix::Variant& variant, const std::optional<std::string>& root)
{
  if (!variant.index_url) {
    return with_slash(root ? *root : std::string(k_pypi_root));
  }
  const std::string& url = *variant.index_url;
  if (root && url.starts_with(k_pytorch_root)) {
    return with_slash(with_slash(*root) + url.substr(k_pytorch_root.size()));
  }
  return with_slash(url);
}

std::string project_of(const matrix::Variant& variant)
{
  if (variant.packages.empty()) {
    return "";
  }
  const std::string_view package = variant.packages.front();
  return normalize_project(package.substr(0, package.find_first_of("[=<>!~ ;")));
}

std::string page_url(const std::string& index, const std::string& project)
{
  return with_slash(index) + project + "/";
}

std::string wheel_version(const matrix::FrameworkRelease& release, const core::Version& version,
                          const matrix::Variant& variant)
{
  const auto* pip = release.pip_version(version);
  std::string text = pip ? pip->pip : version.text();
  if (variant.index_url) {
    text += "+" + local_tag_of(*variant.index_url);
  }
  return text;
}

std::vector<std::string> pages_for(const matrix::Framework& framework, const std::optional<std::string>& root)
{
  std::vector<std::string> pages;
  for (const auto& release : framework.releases) {
    for (const auto& variant : release.variants) {
      auto page = page_url(index_of(variant, root), project_of(variant));
      if (std::find(pages.begin(), pages.end(), page) == pages.end()) {
        pages.push_back(std::move(page));
      }
    }
  }
  return pages;
}

ClaimReport check_claims(const matrix::Matrix& matrix, const matrix::Framework& framework, const Listings& listings,
                         const std::optional<std::string>& root)
{
  (void)matrix;  // the framework's own rows carry every claim checked today
  ClaimReport report;
  // page -> version -> wheels, built once per page.
  std::map<std::string, std::map<std::string, std::vector<const WheelName*>, std::less<>>> by_version;
  for (const auto& release : framework.releases) {
    for (const auto& variant : release.variants) {
      const auto project = project_of(variant);
      const auto page = page_url(index_of(variant, root), project);
      auto grouped = by_version.find(page);
      if (grouped == by_version.end()) {
        grouped = by_version.emplace(page, std::map<std::string, std::vector<const WheelName*>, std::less<>>{}).first;
        if (const auto listing = listings.find(page); listing != listings.end()) {
          for (const auto& wheel : listing->second.wheels) {
            if (wheel.distribution == project) {
              grouped->second[wheel.version].push_back(&wheel);
            }
          }
        }
      }
      for (const auto& version : release.versions) {
        const auto expected = wheel_version(release, version, variant);
        const auto found = grouped->second.find(expected);
        static const std::vector<const WheelName*> none;
        ++report.checked;
        check_build({&framework, &release, &version, &variant}, found == grouped->second.end() ? none : found->second,
                    project + " " + expected, report);
      }
    }
  }
  return report;
}

std::optional<std::string> missing_wheel(const std::vector<WheelName>& wheels, const std::string& project,
                                         const std::string& version, const core::Version& python,
                                         core::Platform platform, const std::optional<core::Version>& glibc)
{
  const std::string shown = project + " " + version;
  bool any_version = false;
  bool any_platform = false;
  bool any_python = false;
  std::optional<core::Version> lowest;
  for (const auto& wheel : wheels) {
    if (wheel.distribution != project || wheel.version != version) {
      continue;
    }
    any_version = true;
    const auto needed = glibc_needed(wheel, platform);
    if (!needed) {
      continue;
    }
    any_platform = true;
    if (!supports_python(wheel, python)) {
      continue;
    }
    any_python = true;
    if (!lowest || *needed < *lowest) {
      lowest = needed;
    }
  }
  if (!any_version) {
    return "no wheel of " + shown + " on the index";
  }
  if (!any_platform) {
    return "no " + core::platform_name(platform) + " wheel for " + shown + " on the index";
  }
  if (!any_python) {
    return "no " + cpython_tag(python) + " wheel for " + shown + " on the index";
  }
  if (glibc && lowest && *lowest > *glibc) {
    return "the " + cpython_tag(python) + " wheels of " + shown + " on the index need glibc " + lowest->text() +
           ", this host has " + glibc->text();
  }
  return std::nullopt;
}

}  // namespace envsetup::pyindex
