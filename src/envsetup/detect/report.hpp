// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/core/gpu_arch.hpp>
#include <envsetup/core/platform.hpp>
#include <envsetup/core/version.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace envsetup::detect {

// Every fact says which source answered (docs/detect.md lists them): "nvml", "libcuda",
// "proc", "sysfs", "pci", "nvidia-smi", "matrix", "ENVSETUP_GPUS", ...

struct HostPlatform {
  std::string os;          // os-release NAME, e.g. "Debian GNU/Linux"
  std::string os_version;  // os-release VERSION_ID, e.g. "12"
  std::string arch;        // "x86_64", "aarch64"
  std::optional<core::Platform> platform;  // of `arch`; unset for one envsetup has no builds for
  std::string glibc;         // "2.36"; empty when unknown or on a musl host
  std::string glibc_source;  // the libc.so.6 read (host path), or "gnu_get_libc_version"
                             // (the running process's: a fallback, docs/detect.md)
  bool musl = false;         // the C library is musl (ld-musl-*.so.1), not glibc
  std::string jetson;        // NVIDIA Jetson: "L4T R36.4.0", "Tegra (nvidia,tegra234)"; else ""
  bool wsl = false;
  bool container = false;
};

struct DriverInfo {
  core::Version version;
  std::optional<core::Version> cuda_version;  // the newest CUDA this driver runs (X.Y)
  std::string source;                          // of `version`
  std::string cuda_source;                     // of `cuda_version`
  std::optional<core::Version> kernel_module;  // /proc or /sys, when read
  std::optional<core::Version> libcuda;        // user-space libcuda.so.<version>, when found
};

struct GpuInfo {
  int index = 0;
  std::string name;
  std::optional<core::ComputeCapability> compute_capability;
  std::optional<std::uint64_t> memory_bytes;
  std::string pci_bus_id;
  std::string source;
};

struct ToolkitInfo {
  std::string path;
  std::optional<core::Version> version;
  std::string version_source;  // "version.json", "version.txt", "nvcc", "cuda_runtime_api.h", "dist-info"
  std::optional<core::Version> cudnn_version;
  std::string cudnn_source;  // "cudnn_version.h", "cudnn.h", "library name", "dist-info"
  std::string origin;        // why this folder was looked at: "/usr/local", "CUDA_HOME", "PATH", ...
};

struct FrameworkInfo {
  std::string name;     // "torch", "tensorflow", "jax", "numpy"
  std::string version;  // as installed, e.g. "2.5.1+cu124"
  std::optional<std::string> cuda;  // "12.4"; "" for a CPU-only build; unset when unknown/n.a.
};

struct PythonInfo {
  std::string path;
  std::optional<core::Version> version;  // X.Y
  std::string origin;                    // "PATH", "pyenv", "conda", "venv"
  std::vector<FrameworkInfo> frameworks;
};

struct HostReport {
  HostPlatform host;
  std::optional<DriverInfo> driver;
  std::vector<GpuInfo> gpus;
  std::vector<ToolkitInfo> toolkits;
  std::vector<PythonInfo> pythons;
  std::vector<std::string> warnings;
};

}  // namespace envsetup::detect
