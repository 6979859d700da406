// SPDX-License-Identifier: Apache-2.0
#include <envsetup/specgen/pip_requirements.hpp>
#include <envsetup/util/strings.hpp>

#include <algorithm>

namespace envsetup::specgen {

namespace {

// The local version tag a wheel index gives its builds: its last path component
// (".../whl/cu124" -> "cu124", ".../whl/cpu" -> "cpu").
std::string local_tag_of(std::string_view index_url)
{
  while (index_url.ends_with('/')) {
    index_url.remove_suffix(1);
  }
  const auto slash = index_url.rfind('/');
  return std::string(slash == std::string_view::npos ? index_url : index_url.substr(slash + 1));
}

std::string mirrored(const std::string& index_url, const std::optional<std::string>& mirror)
{
  if (!mirror || !index_url.starts_with(k_pytorch_wheel_root)) {
    return index_url;
  }
  std::string root = *mirror;
  if (!root.ends_with('/')) {
    root += '/';
  }
  return root + index_url.substr(k_pytorch_wheel_root.size());
}

// torchvision/torchaudio release in step with torch: the companion's X.Y series plus the
// framework's patch level (torch 2.5.1 -> torchvision 0.20.1), except torch 2.0.x whose
// companions started at patch 1 (torchvision 0.15.1, torchaudio 2.0.1 for torch 2.0.0), as
// listed in the pytorch/vision README compatibility table.
std::string companion_version(const std::string& series, const core::Version& framework_version)
{
  int patch = framework_version.part(2);
  if (framework_version.part(0) == 2 && framework_version.part(1) == 0) {
    ++patch;
  }
  return series + "." + std::to_string(patch);
}

}  // namespace

std::string distribution_name(std::string_view requirement)
{
  const auto end = requirement.find_first_of("[=<>!~ ;");
  return std::string(requirement.substr(0, end));
}

util::Result<PipRequirements> pip_requirements(const core::Plan& plan, const PipOptions& options)
{
  if (plan.packages.empty() || !plan.version) {
    return util::make_error(util::ErrorKind::usage, "the plan installs no Python package")
      .with_hint("pass a framework: --framework torch, tensorflow or jax");
  }
  // Each requirement and the index URL become one line of requirements.txt (and one pip
  // argument): a newline or space in the mirror would add lines or options of its own.
  if (const auto problem = options.wheel_mirror ? util::mirror_url_problem(*options.wheel_mirror) : std::nullopt) {
    return util::make_error(util::ErrorKind::usage,
                            "--wheel-mirror `" + util::escape_control_characters(*options.wheel_mirror) +
                              "` is not a wheel index URL")
      .with_cause(*problem)
      .with_hint("give the root that holds cu124/, cpu/, ... e.g. http://mirror.lab/pytorch/whl/");
  }
  PipRequirements result;
  std::string local_tag;
  if (plan.index_url) {
    result.extra_index_url = mirrored(*plan.index_url, options.wheel_mirror);
    local_tag = local_tag_of(*plan.index_url);
  }
  const auto pin = [&](std::string requirement) {
    if (!local_tag.empty() && requirement.find("==") != std::string::npos) {
      requirement += "+" + local_tag;
    }
    return requirement;
  };
  for (const auto& package : plan.packages) {
    result.requirements.push_back(pin(package));
  }
  for (const auto& wanted : options.with) {
    const auto companion = std::find_if(plan.companions.begin(), plan.companions.end(),
                                        [&](const auto& entry) { return entry.first == wanted; });
    if (companion == plan.companions.end()) {
      std::vector<std::string> known;
      for (const auto& entry : plan.companions) {
        known.push_back(entry.first);
      }
      return util::make_error(util::ErrorKind::usage, "`" + wanted + "` is not released with " +
                                                        plan.framework + " " + plan.version->text())
        .with_hint(known.empty() ? "this framework has no companion packages in the matrix"
                                 : "choose from " + util::join(known, ", "));
    }
    result.requirements.push_back(
      pin(companion->first + "==" + companion_version(companion->second, *plan.version)));
  }
  for (const auto& requirement : result.requirements) {
    if (util::find_control_character(requirement)) {
      return util::make_error(util::ErrorKind::input, "the matrix's requirement `" +
                                                        util::escape_control_characters(requirement) +
                                                        "` is not one pip requirement")
        .with_cause("it contains a control character, which would add a line to requirements.txt")
        .with_hint("fix the matrix's `packages` (see `envsetup matrix validate`)");
    }
  }
  result.framework_package = distribution_name(plan.packages.front());
  result.expected_version = plan.version->text() + (local_tag.empty() ? "" : "+" + local_tag);
  return result;
}

}  // namespace envsetup::specgen
