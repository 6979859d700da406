// SPDX-License-Identifier: Apache-2.0
#include <envsetup/resolve/cudnn_choice.hpp>

#include <envsetup/util/strings.hpp>

#include <algorithm>

namespace envsetup::resolve::detail {

namespace {

bool supports_cuda(const matrix::CudnnRelease& release, const core::Version& cuda)
{
  const core::Version minor = cuda.prefix(2);
  return std::any_of(release.cuda.begin(), release.cuda.end(), [&](const auto& range) {
    return range.major == cuda.major() && range.min.prefix(2) <= minor &&
           minor <= range.max.prefix(2);
  });
}

// Inside the release's range, or above its top in the same major: a cubin for X.y runs on
// X.z with z >= y (CUDA C++ Programming Guide, "Binary Compatibility"), so cuDNN's sm_120
// code runs on a 12.1 GPU (DGX Spark) although the support matrix lists up to 12.0.
bool below_top(core::ComputeCapability top, core::ComputeCapability gpu)
{
  return gpu <= top || gpu.major == top.major;
}

bool supports_gpu(const matrix::CudnnRelease& release, core::ComputeCapability gpu)
{
  return release.min_capability <= gpu && below_top(release.max_capability, gpu);
}

bool supports_gpus(const matrix::CudnnRelease& release, const core::HostFacts& host)
{
  return std::all_of(host.gpus.begin(), host.gpus.end(),
                     [&](const auto& gpu) { return supports_gpu(release, gpu.capability); });
}

// True when `release` is the one `tested` names: its X.Y.Z or build, or for a
// shorter `tested` ("8.6") any release of that X.Y.
bool names(const matrix::CudnnRelease& release, const core::Version& tested)
{
  const std::size_t n = tested.parts().size();
  return release.version.prefix(n) == tested || (release.build && *release.build == tested);
}

const matrix::CudaRelease* choose_cuda(const matrix::Matrix& matrix, const core::Version& tested,
                                       bool& substituted)
{
  const std::size_t n = tested.parts().size();
  for (auto release = matrix.cuda.rbegin(); release != matrix.cuda.rend(); ++release) {
    if (release->version.prefix(n) == tested && has_archives(*release)) {
      substituted = false;
      return &*release;
    }
  }
  for (auto release = matrix.cuda.rbegin(); release != matrix.cuda.rend(); ++release) {
    if (release->version.major() == tested.major() && release->version >= tested &&
        has_archives(*release)) {
      substituted = true;
      return &*release;
    }
  }
  return nullptr;
}

}  // namespace

std::string shipped_cudnn_failure(const matrix::Matrix& matrix, const core::Version& shipped,
                                  const core::HostFacts& host)
{
  const auto* release = matrix.find_cudnn(shipped);
  const bool before_list = release == nullptr && !matrix.cudnn.empty() && shipped < matrix.cudnn.front().version;
  if (release == nullptr && !before_list) {
    return "";
  }
  std::vector<std::string> missing;
  for (const auto& gpu : host.gpus) {
    if (before_list ? !below_top(matrix.cudnn.front().max_capability, gpu.capability)
                    : !supports_gpu(*release, gpu.capability)) {
      missing.push_back(gpu.capability.sm_name());
    }
  }
  if (missing.empty()) {
    return "";
  }
  const std::string range = before_list ? "up to " + matrix.cudnn.front().max_capability.text() + " at most"
                                        : release->min_capability.text() + "-" + release->max_capability.text();
  return "its cuDNN " + shipped.text() + " supports compute capability " + range + ", not " +
         util::join(missing, ", ");
}

bool has_archives(const matrix::CudaRelease& release)
{
  return !release.manifest.empty();
}

bool has_archives(const matrix::CudnnRelease& release, int cuda_major)
{
  return !release.manifest.empty() && release.manifest_layout != "none" &&
         std::any_of(release.cuda.begin(), release.cuda.end(),
                     [&](const auto& range) { return range.major == cuda_major; });
}

std::string host_gpu_names(const core::HostFacts& host)
{
  std::vector<std::string> names;
  for (const auto& gpu : host.gpus) {
    names.push_back(gpu.capability.sm_name());
  }
  return util::join(names, ", ");
}

const matrix::CudnnRelease* best_cudnn(const matrix::Matrix& matrix, const core::Version& cuda,
                                       const core::HostFacts& host, bool archives)
{
  for (auto release = matrix.cudnn.rbegin(); release != matrix.cudnn.rend(); ++release) {
    if (supports_cuda(*release, cuda) && supports_gpus(*release, host) &&
        (!archives || has_archives(*release, cuda.major()))) {
      return &*release;
    }
  }
  return nullptr;
}

ToolkitChoice toolkit_for_build(const matrix::Matrix& matrix, const core::HostFacts& host,
                                const core::Version& cuda_tested,
                                const std::optional<core::Version>& cudnn_tested,
                                const std::string& who)
{
  ToolkitChoice choice;
  bool substituted = false;
  choice.cuda = choose_cuda(matrix, cuda_tested, substituted);
  const std::string cuda_major = std::to_string(cuda_tested.major()) + ".x";
  if (choice.cuda == nullptr) {
    choice.failure = "no CUDA " + cuda_major + " release with redistributable archives";
    return choice;
  }
  const core::Version& toolkit = choice.cuda->version;
  if (substituted) {
    choice.notes.push_back(
      who + " was tested with CUDA " + cuda_tested.text() + "; CUDA " + cuda_major +
      " minor releases are backward compatible, so envsetup "
      "installs " +
      toolkit.text() + ", the newest " + cuda_major + " with redistributable archives");
  }
  auto usable = [&](const matrix::CudnnRelease& release) {
    return has_archives(release, toolkit.major()) && supports_cuda(release, toolkit) &&
           supports_gpus(release, host);
  };
  if (!cudnn_tested) {
    choice.cudnn = best_cudnn(matrix, toolkit, host, true);
    return choice;
  }
  for (auto release = matrix.cudnn.rbegin(); release != matrix.cudnn.rend(); ++release) {
    if (names(*release, *cudnn_tested) && usable(*release)) {
      choice.cudnn = &*release;
      return choice;
    }
  }
  const std::string cudnn_major = std::to_string(cudnn_tested->major()) + ".x";
  for (auto release = matrix.cudnn.rbegin(); release != matrix.cudnn.rend(); ++release) {
    if (release->version.major() == cudnn_tested->major() &&
        release->version >= cudnn_tested->prefix(3) && usable(*release)) {
      choice.cudnn = &*release;
      choice.notes.push_back(who + " was tested with cuDNN " + cudnn_tested->text() + "; cuDNN " +
                             cudnn_major +
                             " releases are backward compatible, so "
                             "envsetup installs " +
                             release->version.text() + ", the newest " + cudnn_major +
                             " with redistributable archives for CUDA " + toolkit.prefix(2).text());
      return choice;
    }
  }
  choice.failure = "no cuDNN " + cudnn_major + " release with archives for CUDA " +
                   toolkit.prefix(2).text() + " that supports " + host_gpu_names(host);
  return choice;
}

CudnnPin cudnn_wheel_pin(const matrix::Matrix& matrix, const core::HostFacts& host,
                         const matrix::Variant& variant)
{
  CudnnPin pin;
  const auto& wheel = *variant.cudnn_wheel;
  const std::string range = wheel.package + wheel.spec_text;
  const matrix::CudnnRelease* newest = nullptr;
  for (auto release = matrix.cudnn.rbegin(); release != matrix.cudnn.rend(); ++release) {
    const bool for_major =
      std::any_of(release->cuda.begin(), release->cuda.end(),
                  [&](const auto& r) { return r.major == variant.cuda.major(); });
    if (!for_major || !wheel.spec.matches(release->version)) {
      continue;
    }
    newest = newest != nullptr ? newest : &*release;
    if (!supports_gpus(*release, host)) {
      continue;
    }
    if (&*release != newest) {
      pin.release = &*release;
      pin.requirement =
        wheel.package + "==" + release->full_version().text();
      std::vector<std::string> dropped;
      for (const auto& gpu : host.gpus) {
        if (!supports_gpu(*newest, gpu.capability)) {
          dropped.push_back(gpu.capability.sm_name());
        }
      }
      pin.note = "pip would install cuDNN " + newest->version.text() + " (the newest inside " +
                 range + "), which does not support " + util::join(dropped, ", ") +
                 "; envsetup pins " + *pin.requirement + ", the newest inside that range that does";
    }
    return pin;
  }
  if (newest != nullptr) {
    pin.failure = "no cuDNN release inside " + range + " supports " + host_gpu_names(host);
  }
  return pin;
}

}  // namespace envsetup::resolve::detail
