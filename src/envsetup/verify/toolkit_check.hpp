// SPDX-License-Identifier: Apache-2.0
// Check 3 of `envsetup verify`: a CUDA toolkit prefix (docs/verify-checks.md).
#pragma once

#include <envsetup/core/version.hpp>
#include <envsetup/verify/check.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace envsetup::verify {

// What the prefix should hold. Unset versions are not compared (the check then reports what
// it found).
struct ToolkitExpectation {
  std::filesystem::path prefix;
  std::optional<core::Version> cuda;   // X.Y or X.Y.Z: nvcc, version.json, libcudart
  std::optional<core::Version> cudnn;  // X.Y or X.Y.Z: libcudnn
  // Run the cuBLAS SGEMM: set only when a GPU and a working driver were found; otherwise
  // the SGEMM check is a skip.
  bool gpu_usable = false;
};

// The toolkit checks, in order:
//   toolkit:nvcc          `bin/nvcc --version` runs and agrees with version.json / `cuda`
//   toolkit:version.json  version.json parses and agrees with `cuda`
//   toolkit:libcudart     dlopen by path, cudaRuntimeGetVersion agrees with `cuda`
//   toolkit:libcublas     dlopen by path, cublasGetProperty major agrees with `cuda`'s major
//   toolkit:libcudnn      dlopen by path, cudnnGetVersion agrees with `cudnn`
//   toolkit:cublas-sgemm  C = A*B through the prefix's libcublas vs the CPU (metric "tflops",
//                         "max_rel_error")
// A missing nvcc, version.json or cuDNN is a skip with a reason; every other problem is a
// fail with a hint. Libraries are loaded into this process (RTLD_NOW | RTLD_LOCAL) and never
// unloaded. Never throws.
[[nodiscard]] std::vector<Check> check_toolkit(const ToolkitExpectation& expected);

// The newest versioned copy of `library` ("libcudart.so") in the prefix's lib64/, lib/ or
// targets/*/lib/ (libcudart.so.12 before libcudart.so), or nullopt.
[[nodiscard]] std::optional<std::filesystem::path> find_prefix_library(
  const std::filesystem::path& prefix, const std::string& library);

}  // namespace envsetup::verify
