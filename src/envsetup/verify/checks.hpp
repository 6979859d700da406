// SPDX-License-Identifier: Apache-2.0
// The driver and GPU-matmul checks of `envsetup verify` as pure functions from facts
// (detection's and the worker's answers) to Check values; docs/verify.md lists every outcome.
#pragma once

#include <envsetup/core/version.hpp>
#include <envsetup/verify/check.hpp>
#include <envsetup/verify/gpu_matmul.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace envsetup::verify {

// What is known about the driver when the driver check is made.
struct DriverFacts {
  std::optional<core::Version> kernel_module;  // from /proc or /sys (detection)
  std::optional<core::Version> libcuda;        // from the file name libcuda.so.1 resolves to
  bool wsl = false;                            // WSL has no kernel module to compare with
  std::optional<std::string> library;          // the libcuda.so.1 tried; nullopt: none found
  std::optional<DriverProbe> probe;            // the worker's answer; nullopt: not run or no answer
  std::string probe_failure;                   // why the worker gave no answer
};

// Check "driver": passes when libcuda.so.1 loads, cuInit succeeds and sees a GPU, and the
// kernel module's version equals libcuda's (when both are known; WSL has no module).
[[nodiscard]] Check driver_check(const DriverFacts& facts);

// Whether the matmul can run: the worker loaded the library and cuInit found GPUs.
[[nodiscard]] bool gpus_usable(const DriverFacts& facts);

// The name of GPU `gpu`'s matmul check: "gpu-matmul[0]".
[[nodiscard]] std::string matmul_check_name(int gpu);

// Check "gpu-matmul[N]" from the worker's answer: fails on a failed driver call or on any
// element outside the error bound; metrics gflops, h2d_gb_per_s, d2h_gb_per_s,
// max_relative_error, error_bound.
[[nodiscard]] Check matmul_check(const MatmulResult& result);

// Check "gpu-matmul[N]" when the worker gave no answer: it ran past `timeout` (`timed_out`)
// or crashed / printed garbage (`why`).
[[nodiscard]] Check matmul_worker_failed(int gpu, bool timed_out, std::chrono::milliseconds timeout,
                                         const std::string& why);

}  // namespace envsetup::verify
