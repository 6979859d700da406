// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/detect/report.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace envsetup::detect {

// What one of NVIDIA's user-space libraries answered.
struct LibraryAnswer {
  std::optional<core::Version> driver;        // NVML only
  std::optional<core::Version> cuda_version;  // X.Y the driver supports
  std::vector<GpuInfo> gpus;
  std::string failure;  // why the library gave no answer ("" when it answered)
};

// Loads NVML (`libnvidia-ml.so.1`) with dlopen from `library` (a file path, or a bare name
// for the system's search path) and reads the driver version, the CUDA version it supports
// and every GPU. Never throws; a missing library or failing call is `failure`.
[[nodiscard]] LibraryAnswer query_nvml(const std::string& library);

// The same through the CUDA driver API (`libcuda.so.1`): cuInit, cuDriverGetVersion and the
// device attributes. cuInit can take long on real GPUs, so this runs only when NVML fails.
[[nodiscard]] LibraryAnswer query_cuda_driver(const std::string& library);

}  // namespace envsetup::detect
