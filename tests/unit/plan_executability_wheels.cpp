// SPDX-License-Identifier: Apache-2.0
// check_plan's wheel step (plan_executability.hpp).
#include "plan_executability.hpp"

#include <envsetup/util/strings.hpp>

#include <algorithm>
#include <cstdlib>
#include <optional>

namespace envsetup::testing::detail {

std::string gpu_support(const matrix::CudnnRelease& cudnn, const core::Plan& plan)
{
  if (cudnn.min_capability.major == 0 && cudnn.max_capability.major == 0) {
    return "";  // the matrix does not say
  }
  for (const auto& covered : plan.coverage) {
    // Above the range in the same major runs the top's cubins (CUDA binary compatibility).
    const bool above = covered.gpu > cudnn.max_capability && covered.gpu.major != cudnn.max_capability.major;
    if (covered.gpu < cudnn.min_capability || above) {
      return "cuDNN " + cudnn.version.text() + " supports compute capability " + cudnn.min_capability.text() + "-" +
             cudnn.max_capability.text() + ", not the GPU " + covered.gpu.text() + " the plan covers";
    }
  }
  return "";
}

namespace {

struct Requirement {
  std::string name;    // "jax"
  std::string extras;  // "[cuda12]" or ""
  std::string version;
};

// `name[extras]==version`; nullopt for anything else (no exact pin).
std::optional<Requirement> parse_requirement(const std::string& text)
{
  const auto eq = text.find("==");
  if (eq == std::string::npos || eq == 0 || eq + 2 == text.size()) {
    return std::nullopt;
  }
  Requirement requirement;
  std::string head = text.substr(0, eq);
  if (const auto bracket = head.find('['); bracket != std::string::npos) {
    requirement.extras = head.substr(bracket);
    head.resize(bracket);
  }
  requirement.name = head;
  requirement.version = text.substr(eq + 2);
  return requirement;
}

const matrix::Variant* find_variant(const matrix::FrameworkRelease& release, const core::Plan& plan)
{
  for (const auto& variant : release.variants) {
    if (variant.name == plan.variant && variant.platform == plan.platform) {
      return &variant;
    }
  }
  return nullptr;
}

void check_cudnn_pin(const matrix::Matrix& matrix, const core::Plan& plan, const matrix::Variant* variant,
                     const Requirement& requirement, const std::string& text, std::vector<std::string>& problems)
{
  const int major = std::atoi(requirement.name.substr(std::string("nvidia-cudnn-cu").size()).c_str());
  const auto build = core::Version::parse(requirement.version);
  const matrix::CudnnRelease* release = nullptr;
  for (const auto& candidate : matrix.cudnn) {
    if (build && candidate.build && *candidate.build == *build && candidate.build->parts().size() == 4) {
      release = &candidate;
    }
  }
  if (release == nullptr) {
    problems.push_back("[wheels] `" + text + "`: no cudnn.json release has the build " + requirement.version);
    return;
  }
  if (std::none_of(release->cuda.begin(), release->cuda.end(), [&](const auto& r) { return r.major == major; })) {
    problems.push_back("[wheels] `" + text + "`: cuDNN " + release->version.text() + " has no build for CUDA " +
                       std::to_string(major));
  }
  if (variant != nullptr && variant->cudnn_wheel) {
    if (variant->cudnn_wheel->package != requirement.name || !variant->cudnn_wheel->spec.matches(*build)) {
      problems.push_back("[wheels] `" + text + "` is outside the framework's own requirement " +
                         variant->cudnn_wheel->package + variant->cudnn_wheel->spec_text);
    }
  }
  if (const auto unsupported = gpu_support(*release, plan); !unsupported.empty()) {
    problems.push_back("[wheels] `" + text + "`: " + unsupported);
  }
}

// What pip installs for an unpinned cudnn_wheel: the newest cudnn.json build inside its spec.
void check_open_cudnn(const matrix::Matrix& matrix, const core::Plan& plan, const matrix::CudnnWheel& wheel,
                      std::vector<std::string>& problems)
{
  const matrix::CudnnRelease* newest = nullptr;
  for (const auto& release : matrix.cudnn) {
    if (release.build && wheel.spec.matches(*release.build)) {
      newest = &release;
    }
  }
  if (newest == nullptr) {
    problems.push_back("[wheels] no cudnn.json release is inside " + wheel.package + wheel.spec_text);
  } else if (const auto unsupported = gpu_support(*newest, plan); !unsupported.empty()) {
    problems.push_back("[wheels] " + wheel.package + wheel.spec_text + " unpinned installs the newest, " + unsupported +
                       " (pin an older cuDNN or refuse)");
  }
}

}  // namespace

void check_wheels(const matrix::Matrix& matrix, const core::Plan& plan, std::vector<std::string>& problems)
{
  const auto* framework = matrix.find_framework(plan.framework);
  if (framework == nullptr || !plan.version) {
    problems.push_back("[wheels] framework `" + plan.framework + "` (version " +
                       (plan.version ? plan.version->text() : "unset") + ") is not in the matrix");
    return;
  }
  const matrix::FrameworkRelease* release = nullptr;
  for (const auto& candidate : framework->releases) {
    if (std::find(candidate.versions.begin(), candidate.versions.end(), *plan.version) != candidate.versions.end()) {
      release = &candidate;
    }
  }
  if (release == nullptr) {
    problems.push_back("[wheels] " + plan.framework + " " + plan.version->text() + " is no release's version");
    return;
  }
  const bool cpu = plan.variant == "cpu";
  const matrix::Variant* variant = cpu ? nullptr : find_variant(*release, plan);
  if (!cpu && variant == nullptr) {
    problems.push_back("[wheels] " + plan.framework + " " + release->series.text() + " has no variant `" +
                       plan.variant + "` for " + core::platform_name(plan.platform));
    return;
  }
  const auto& templates = cpu ? framework->cpu.packages : variant->packages;
  // A GPU variant installs the release's pip spelling of the version when it names one
  // (`pip_versions`: TensorFlow 2.15.0 as 2.15.0.post1), which `matrix validate` keeps to
  // `<version>.post<N>`.
  const auto* pip = cpu ? nullptr : release->pip_version(*plan.version);
  const std::string spelled = pip != nullptr ? pip->pip : plan.version->text();
  std::vector<std::string> expected;
  for (const auto& package : templates) {
    expected.push_back(util::replace_all(package, "version", spelled));
  }
  bool pinned_cudnn = false;
  for (const auto& text : plan.packages) {
    const auto requirement = parse_requirement(text);
    if (!requirement) {
      problems.push_back("[wheels] `" + text + "` is not an exact `name==version` pin");
    } else if (std::find(expected.begin(), expected.end(), text) != expected.end()) {
      continue;
    } else if (requirement->name.rfind("nvidia-cudnn-cu", 0) == 0) {
      pinned_cudnn = true;
      check_cudnn_pin(matrix, plan, variant, *requirement, text, problems);
    } else {
      problems.push_back("[wheels] `" + text + "` is neither the variant's package (" + util::join(expected, ", ") +
                         ") nor a known cuDNN wheel");
    }
  }
  for (const auto& package : expected) {
    if (std::find(plan.packages.begin(), plan.packages.end(), package) == plan.packages.end()) {
      problems.push_back("[wheels] the plan does not install `" + package + "`");
    }
  }
  if (variant != nullptr && variant->cudnn_wheel && !pinned_cudnn) {
    check_open_cudnn(matrix, plan, *variant->cudnn_wheel, problems);
  }
  const auto& own_index = cpu ? framework->cpu.index_url : variant->index_url;
  if (plan.index_url && *plan.index_url != "https://pypi.org/simple" && *plan.index_url != "https://pypi.org/simple/" &&
      plan.index_url != own_index) {
    problems.push_back("[wheels] index " + *plan.index_url + " is not the variant's (" + own_index.value_or("PyPI") +
                       ")");
  }
}

}  // namespace envsetup::testing::detail
