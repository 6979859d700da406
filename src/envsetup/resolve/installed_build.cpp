// SPDX-License-Identifier: Apache-2.0
#include <envsetup/resolve/installed_build.hpp>

#include <envsetup/resolve/evaluate.hpp>

#include <algorithm>

namespace envsetup::resolve {

namespace {

struct Found {
  const matrix::FrameworkRelease* release = nullptr;
  const matrix::Variant* variant = nullptr;
};

Found find_variant(const matrix::Matrix& matrix, const std::string& name,
                   const std::string& version, const std::string& cuda, core::Platform platform)
{
  const auto* framework = matrix.find_framework(name);
  const auto parsed = core::Version::parse(version.substr(0, version.find_first_of("+abcdefghijklmnopqrstuvwxyz")));
  if (framework == nullptr || !parsed || cuda.empty()) {
    return {};
  }
  for (const auto& release : framework->releases) {
    if (std::find(release.versions.begin(), release.versions.end(), *parsed) == release.versions.end()) {
      continue;
    }
    for (const auto& variant : release.variants) {
      if (variant.platform != platform) {
        continue;
      }
      if (variant.cuda.prefix(2).text() == cuda || variant.cuda.prefix(1).text() == cuda) {
        return {&release, &variant};
      }
    }
  }
  return {};
}

}  // namespace

std::optional<InstalledBuildNeeds> installed_build_needs(const matrix::Matrix& matrix,
                                                         const core::HostFacts& host,
                                                         const std::string& name,
                                                         const std::string& version,
                                                         const std::string& cuda)
{
  const auto found = find_variant(matrix, name, version, cuda, host.platform);
  if (found.variant == nullptr) {
    return std::nullopt;
  }
  const auto* release = matrix.find_cuda(found.variant->cuda);
  if (release == nullptr) {
    return std::nullopt;
  }
  detail::BuildFacts build;
  build.cuda_written = found.variant->cuda;
  build.cuda = release;
  build.targets = &found.variant->targets;
  const auto evaluation = detail::evaluate(matrix, host, core::Request{}, build);

  InstalledBuildNeeds needs;
  needs.variant = found.variant;
  needs.min_driver = evaluation.min_driver;
  needs.driver_rule = evaluation.driver_rule;
  needs.targets = detail::describe_targets(found.variant->targets);
  for (const auto& failure : evaluation.failures) {
    if (failure.gpu) {
      needs.uncovered.push_back(*failure.gpu);
    }
  }
  return needs;
}

}  // namespace envsetup::resolve
