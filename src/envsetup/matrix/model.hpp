// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/core/gpu_arch.hpp>
#include <envsetup/core/version.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace envsetup::matrix {

// Every fact carries where it came from (docs/matrix-format.md).
struct Provenance {
  std::string source;
  std::string unverified;  // empty when the fact is verified
};

// Minor-version compatibility floor of a CUDA major (release notes, Table 2).
struct CudaMajor {
  int major = 0;
  core::Version min_driver;
  Provenance provenance;
};

struct CudaRelease {
  core::Version version;  // X.Y.Z
  std::string label;
  std::string release_date;  // YYYY-MM-DD or empty
  core::Version min_driver;  // Table 3, Linux x86_64
  std::vector<core::ArchTarget> targets;
  std::string manifest;  // empty when there is no redist manifest
  Provenance provenance;
};

struct Architecture {
  std::string name;
  std::vector<core::ComputeCapability> capabilities;
  core::Version min_driver;
  Provenance provenance;
};

struct Chip {
  std::string name;
  std::string architecture;
  core::ComputeCapability capability;
  std::string products;
  std::vector<std::pair<std::uint16_t, std::uint16_t>> pci_device_ids;  // inclusive ranges
  Provenance provenance;
};

struct CudnnCudaRange {
  int major = 0;
  core::Version min;
  core::Version max;
};

struct CudnnRelease {
  core::Version version;  // X.Y.Z
  std::optional<core::Version> build;
  std::vector<CudnnCudaRange> cuda;
  core::ComputeCapability min_capability;
  core::ComputeCapability max_capability;
  std::string manifest;
  std::string manifest_layout;  // "cuda_variant", "flat" or "none"
  Provenance provenance;
};

struct Variant {
  std::string name;
  core::Version cuda;  // X.Y.Z, or X.Y for "the X.Y toolkits"
  std::optional<core::Version> cudnn;
  std::vector<core::ArchTarget> targets;
  std::optional<std::string> index_url;
  std::vector<std::string> packages;  // templates with {version}
  bool pypi_default = false;
  bool system_toolkit = false;
  Provenance provenance;
};

struct FrameworkRelease {
  core::Version series;
  std::vector<core::Version> versions;  // ascending
  std::string released;
  core::Version python_min;
  core::Version python_max;
  std::vector<std::pair<std::string, std::string>> companions;
  std::vector<Variant> variants;
  Provenance provenance;
};

struct CpuBuild {
  std::optional<std::string> index_url;
  std::vector<std::string> packages;
};

struct Framework {
  std::string file;  // the matrix file it was read from
  std::string name;
  std::string display_name;
  CpuBuild cpu;
  std::vector<FrameworkRelease> releases;  // ascending by series
};

// The whole compatibility matrix, loaded and validated. Lookups are linear: the tables
// hold a few hundred rows.
struct Matrix {
  std::vector<CudaMajor> cuda_majors;
  std::vector<CudaRelease> cuda;  // ascending by version
  std::vector<Architecture> architectures;
  std::vector<Chip> chips;
  std::vector<CudnnRelease> cudnn;  // ascending by version
  std::vector<Framework> frameworks;

  [[nodiscard]] const CudaMajor* find_cuda_major(int major) const;
  // The release `version` names: an exact X.Y.Z, or for X.Y the oldest X.Y.Z release (its
  // driver requirement is the one PTX of that minor needs).
  [[nodiscard]] const CudaRelease* find_cuda(const core::Version& version) const;
  // The newest CUDA release whose toolkit driver requirement `driver` meets (the reverse of
  // Table 3), e.g. 535.104.05 -> 12.2.2. Null when the driver predates every release.
  [[nodiscard]] const CudaRelease* newest_cuda_for_driver(const core::Version& driver) const;
  [[nodiscard]] const Architecture* architecture_of(core::ComputeCapability capability) const;
  [[nodiscard]] const Framework* find_framework(std::string_view name) const;
  // Every compute capability the matrix knows, ascending.
  [[nodiscard]] std::vector<core::ComputeCapability> known_capabilities() const;
};

}  // namespace envsetup::matrix
