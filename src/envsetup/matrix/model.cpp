// SPDX-License-Identifier: Apache-2.0
#include <envsetup/matrix/model.hpp>

#include <algorithm>

namespace envsetup::matrix {

const CudaMajor* Matrix::find_cuda_major(int major) const
{
  for (const auto& entry : cuda_majors) {
    if (entry.major == major) {
      return &entry;
    }
  }
  return nullptr;
}

const CudaRelease* Matrix::find_cuda(const core::Version& version) const
{
  const bool minor_only = version.parts().size() <= 2;
  for (const auto& release : cuda) {  // ascending: the first X.Y match is the oldest
    if (minor_only ? release.version.prefix(2) == version : release.version == version) {
      return &release;
    }
  }
  return nullptr;
}

const CudaRelease* Matrix::newest_cuda_for_driver(const core::Version& driver) const
{
  const CudaRelease* newest = nullptr;
  for (const auto& release : cuda) {
    if (release.min_driver <= driver && (newest == nullptr || release.version > newest->version)) {
      newest = &release;
    }
  }
  return newest;
}

const CudaRelease* Matrix::oldest_cuda_for_ptx_isa(const core::Version& isa) const
{
  const CudaRelease* oldest = nullptr;
  for (const auto& release : cuda) {
    if (release.ptx_isa && *release.ptx_isa >= isa && (oldest == nullptr || release.version < oldest->version)) {
      oldest = &release;
    }
  }
  return oldest;
}

const Architecture* Matrix::architecture_of(core::ComputeCapability capability) const
{
  for (const auto& architecture : architectures) {
    const auto& caps = architecture.capabilities;
    if (std::find(caps.begin(), caps.end(), capability) != caps.end()) {
      return &architecture;
    }
  }
  return nullptr;
}

std::optional<core::Version> Matrix::min_driver_for(core::ComputeCapability capability) const
{
  if (const auto* architecture = architecture_of(capability)) {
    for (const auto& floor : architecture->floors) {
      if (floor.capability == capability) {
        return floor.min_driver;
      }
    }
    return architecture->min_driver;
  }
  return std::nullopt;
}

std::optional<int> Matrix::last_driver_branch_for(core::ComputeCapability capability) const
{
  const auto* architecture = architecture_of(capability);
  return architecture != nullptr ? architecture->last_driver_branch : std::nullopt;
}

const CudnnRelease* Matrix::find_cudnn(const core::Version& version) const
{
  for (const auto& release : cudnn) {
    if (release.version == version || (release.build && *release.build == version)) {
      return &release;
    }
  }
  return nullptr;
}

const PipVersion* FrameworkRelease::pip_version(const core::Version& version) const
{
  for (const auto& entry : pip_versions) {
    if (entry.version == version) {
      return &entry;
    }
  }
  return nullptr;
}

const Framework* Matrix::find_framework(std::string_view name) const
{
  for (const auto& framework : frameworks) {
    if (framework.name == name) {
      return &framework;
    }
  }
  return nullptr;
}

std::vector<core::ComputeCapability> Matrix::known_capabilities() const
{
  std::vector<core::ComputeCapability> all;
  for (const auto& architecture : architectures) {
    all.insert(all.end(), architecture.capabilities.begin(), architecture.capabilities.end());
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

}  // namespace envsetup::matrix
