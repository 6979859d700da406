// SPDX-License-Identifier: Apache-2.0
// The matrix checked against the binaries: a framework build's architecture list in matrix/
// against the SASS and PTX its own libraries carry.
#include <envsetup/app/inspect_sources.hpp>

#include <envsetup/pyenv/metadata.hpp>

#include <algorithm>
#include <array>

namespace envsetup::app {

namespace {

// NVIDIA libraries some framework wheels bundle (torch's cu118 wheels carry cuDNN and
// cuBLAS in torch/lib): their targets are NVIDIA's, not the framework build's.
bool is_nvidia_library(const std::string& path)
{
  static constexpr std::array k_prefixes{"libcublas", "libcudnn", "libcufft", "libcurand", "libcusparse",
                                         "libcusolver", "libnccl", "libnvrtc", "libcudart", "libnvJitLink",
                                         "libnvjitlink", "libcupti", "libnvToolsExt", "libnvperf", "libcufile",
                                         "libnvshmem", "libnvblas", "libcusparseLt", "libnvjpeg", "libnpp"};
  const auto slash = path.find_last_of("/!");
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  return std::any_of(k_prefixes.begin(), k_prefixes.end(), [&](const char* p) { return name.starts_with(p); });
}

// The variant of `release` the installed `version` is: the one its local tag names
// (`+cu124`), else the PyPI default, else the one closest to the binaries.
const matrix::Variant* pick_variant(const matrix::FrameworkRelease& release, const std::string& version,
                                    const std::vector<core::CodeTarget>& targets)
{
  const auto plus = version.find('+');
  const std::string local = plus == std::string::npos ? "" : version.substr(plus + 1);
  const matrix::Variant* best = nullptr;
  std::size_t best_distance = 0;
  for (const auto& variant : release.variants) {
    const std::string tag = "cu" + std::to_string(variant.cuda.major()) + std::to_string(variant.cuda.minor());
    if (!local.empty() && local.starts_with("cu")) {
      if (local == tag) {
        return &variant;
      }
      continue;
    }
    const auto mismatch = resolve::compare_arch_lists(variant, targets);
    const std::size_t distance = mismatch.only_in_matrix.size() + mismatch.only_in_binary.size() +
                                 (variant.pypi_default ? 0 : 1);
    if (best == nullptr || distance < best_distance) {
      best = &variant;
      best_distance = distance;
    }
  }
  return best;
}

std::string joined(const std::vector<core::ArchTarget>& targets)
{
  std::string text;
  for (const auto& target : targets) {
    text += (text.empty() ? "" : " ") + target.text();
  }
  return text;
}

}  // namespace

const matrix::Framework* framework_of_distribution(const matrix::Matrix& matrix, const std::string& name)
{
  std::string framework = pyenv::normalize_name(name);
  if (framework == "jaxlib" ||
      (framework.starts_with("jax-cuda") && (framework.ends_with("-plugin") || framework.ends_with("-pjrt")))) {
    framework = "jax";
  }
  return matrix.find_framework(framework);
}

void add_matrix_checks(InspectReport& report, const matrix::Matrix& matrix)
{
  for (const auto& package : report.packages) {
    const auto* framework = framework_of_distribution(matrix, package.name);
    auto version = core::Version::parse(package.version.substr(0, package.version.find('+')));
    if (framework == nullptr || !version) {
      continue;
    }
    std::vector<core::CodeTarget> targets;
    for (const auto index : package.libraries) {
      const auto& library = report.libraries[index];
      if (is_nvidia_library(library.path)) {
        continue;
      }
      for (const auto& code : library.code.targets()) {
        if (std::none_of(targets.begin(), targets.end(), [&](const auto& t) { return t.target == code.target; })) {
          targets.push_back(code);
        }
      }
    }
    for (const auto& release : framework->releases) {
      if (std::find(release.versions.begin(), release.versions.end(), *version) == release.versions.end()) {
        continue;
      }
      const auto* variant = pick_variant(release, package.version, targets);
      if (variant == nullptr || targets.empty()) {
        break;
      }
      const auto mismatch = resolve::compare_arch_lists(*variant, targets);
      if (!mismatch.only_in_matrix.empty() || !mismatch.only_in_binary.empty()) {
        std::string message = "matrix/" + framework->file + " lists `" + variant->arch_list.text + "` for " +
                              framework->name + " " + version->text() + " (variant " + variant->name +
                              "), but its libraries disagree:";
        if (!mismatch.only_in_matrix.empty()) {
          message += " only in the matrix: " + joined(mismatch.only_in_matrix) + ";";
        }
        if (!mismatch.only_in_binary.empty()) {
          message += " only in the binaries: " + joined(mismatch.only_in_binary) + ";";
        }
        message.pop_back();
        report.warnings.push_back({"matrix-mismatch", package.name + " " + package.version, message});
      }
      break;
    }
  }
}

}  // namespace envsetup::app
