// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/core/gpu_arch.hpp>
#include <envsetup/core/platform.hpp>
#include <envsetup/core/version.hpp>
#include <envsetup/core/version_spec.hpp>

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
  // The PTX ISA version this release's nvcc writes (`.version` of its PTX; PTX ISA document,
  // "Release Notes"): a driver JIT-compiles PTX of that ISA from this release on. Unset: unknown.
  std::optional<core::Version> ptx_isa;
  std::string manifest;  // empty when there is no redist manifest
  Provenance provenance;
};

// The oldest driver that supports one compute capability: the Table 3 driver of
// the first CUDA release that knows it (8.6: CUDA 11.1, >= 455.23).
struct CapabilityFloor {
  core::ComputeCapability capability;
  core::Version min_driver;
  Provenance provenance;
};

struct Architecture {
  std::string name;
  std::vector<core::ComputeCapability> capabilities;  // ascending, those of `floors`
  std::vector<CapabilityFloor> floors;                // one per capability, ascending
  core::Version min_driver;                           // the lowest floor
  // The last driver branch that supports this architecture (580 for Maxwell,
  // Pascal, Volta); unset while NVIDIA supports it in current branches.
  std::optional<int> last_driver_branch;
  Provenance last_branch_provenance;
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

  // The 4-part build when known (what pip's nvidia-cudnn wheels and plans name), else X.Y.Z.
  [[nodiscard]] const core::Version& full_version() const { return build ? *build : version; }
};

// How a build's source wrote its GPU architecture list (docs/matrix-format.md):
// - torch: TORCH_CUDA_ARCH_LIST, `X.Y` = SASS, `X.Y+PTX` = SASS and PTX, `X.Ya`
// = arch-specific;
// - bazel: TensorFlow / JAX build flags, `sm_XY` = SASS only, `compute_XY` =
// SASS and PTX
//   (TensorFlow's `X.Y` = both as well).
enum class ArchNotation { torch, bazel };

struct ArchList {
  ArchNotation notation = ArchNotation::torch;
  std::string text;  // the source's string, verbatim, for audit
};

// A pip requirement on cuDNN that the framework leaves open (`jax[cuda12]`
// takes `nvidia-cudnn-cu12>=9.8,<10`): pip installs the newest inside `spec`
// unless the plan pins one.
struct CudnnWheel {
  std::string package;  // "nvidia-cudnn-cu12"
  core::VersionSpec spec;
  std::string spec_text;  // ">=9.8,<10", as written
};

struct Variant {
  std::string name;
  core::Platform platform = core::Platform::linux_x86_64;
  core::Version cuda;                  // X.Y.Z, or X.Y for "the X.Y toolkits"
  std::optional<core::Version> cudnn;  // the cuDNN the build ships or was tested with
  std::optional<CudnnWheel> cudnn_wheel;
  // `sass` entries (sm_XY, sm_XYa, sm_XYf) then `ptx` entries (compute_XY), as
  // the matrix stores them: the unambiguous form of `arch_list`.
  std::vector<core::ArchTarget> targets;
  ArchList arch_list;
  core::Version glibc;  // X.Y: the manylinux floor of the variant's wheels (2.17, 2.28)
  std::optional<std::string> index_url;
  std::vector<std::string> packages;  // templates with {version}
  bool pypi_default = false;
  bool system_toolkit = false;
  Provenance provenance;
};

// The name pip must be given for a version whose plain spelling cannot be installed
// (TensorFlow 2.15.0's [and-cuda] extra: 2.15.0.post1). Used in the GPU variants' package
// templates; the plan keeps `version`.
struct PipVersion {
  core::Version version;  // as in `versions`: "2.15.0"
  std::string pip;        // "2.15.0.post1": the version, then `.post<N>`
  std::string why;        // one sentence for the plan's notes
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
  std::vector<PipVersion> pip_versions;  // optional "pip_versions"
  Provenance provenance;

  // The PipVersion entry of `version`, or null.
  [[nodiscard]] const PipVersion* pip_version(const core::Version& version) const;
};

struct CpuBuild {
  std::optional<std::string> index_url;
  std::vector<std::string> packages;
};

// A platform a framework publishes no GPU build for, with the reason
// (TensorFlow: no CUDA wheels for aarch64).
struct PlatformGap {
  core::Platform platform = core::Platform::linux_aarch64;
  std::string reason;
  Provenance provenance;
};

struct Framework {
  std::string file;  // the matrix file it was read from
  std::string name;
  std::string display_name;
  CpuBuild cpu;
  std::vector<PlatformGap> platform_gaps;
  std::vector<FrameworkRelease> releases;  // ascending by series
};

// The whole compatibility matrix, loaded and validated. Lookups are linear: the
// tables hold a few hundred rows.
struct Matrix {
  std::vector<CudaMajor> cuda_majors;
  std::vector<CudaRelease> cuda;  // ascending by version
  std::vector<Architecture> architectures;
  std::vector<Chip> chips;
  std::vector<CudnnRelease> cudnn;  // ascending by version
  std::vector<Framework> frameworks;

  [[nodiscard]] const CudaMajor* find_cuda_major(int major) const;
  // The release `version` names: an exact X.Y.Z, or for X.Y the oldest X.Y.Z
  // release (its driver requirement is the one PTX of that minor needs).
  [[nodiscard]] const CudaRelease* find_cuda(const core::Version& version) const;
  // The newest CUDA release whose toolkit driver requirement `driver` meets
  // (the reverse of Table 3), e.g. 535.104.05 -> 12.2.2. Null when the driver
  // predates every release.
  [[nodiscard]] const CudaRelease* newest_cuda_for_driver(const core::Version& driver) const;
  // The oldest release whose `ptx_isa` is at least `isa`: the first CUDA whose driver
  // JIT-compiles PTX of that ISA (9.0 -> 13.0.0). Null when `isa` is newer than every
  // release's (or no release has one).
  [[nodiscard]] const CudaRelease* oldest_cuda_for_ptx_isa(const core::Version& isa) const;
  [[nodiscard]] const Architecture* architecture_of(core::ComputeCapability capability) const;
  // The oldest driver that supports `capability` (its CapabilityFloor); unset
  // when unknown.
  [[nodiscard]] std::optional<core::Version> min_driver_for(core::ComputeCapability capability) const;
  // The last driver branch that supports `capability`'s architecture; unset
  // when none is set.
  [[nodiscard]] std::optional<int> last_driver_branch_for(core::ComputeCapability capability) const;
  // The cuDNN release `version` names: X.Y.Z or its 4-part build; null when
  // none.
  [[nodiscard]] const CudnnRelease* find_cudnn(const core::Version& version) const;
  [[nodiscard]] const Framework* find_framework(std::string_view name) const;
  // Every compute capability the matrix knows, ascending.
  [[nodiscard]] std::vector<core::ComputeCapability> known_capabilities() const;
};

}  // namespace envsetup::matrix
