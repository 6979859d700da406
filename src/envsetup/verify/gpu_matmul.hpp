// SPDX-License-Identifier: Apache-2.0
// The driver-side work of `envsetup verify`, done in the worker process
// (`envsetup verify-gpu-worker`) so that a hanging or crashing driver cannot take envsetup
// down: what the driver says about itself, and one SGEMM on one GPU.
#pragma once

#include <string>
#include <string_view>

namespace envsetup::verify {

// What loading the driver library and cuInit showed.
struct DriverProbe {
  std::string library;        // what was dlopen()ed
  bool loaded = false;        // dlopen and every symbol succeeded
  std::string load_error;     // why not, when !loaded
  std::string init_error;     // cuInit's error name, "" when it succeeded
  int cuda_version = 0;       // cuDriverGetVersion: 1000 * major + 10 * minor
  int device_count = 0;       // cuDeviceGetCount, when cuInit succeeded
};

// Loads `library` and asks it: cuInit, cuDriverGetVersion, cuDeviceGetCount.
[[nodiscard]] DriverProbe probe_driver(const std::string& library);

// One GPU's SGEMM check.
struct MatmulResult {
  int gpu = 0;
  int size = 0;                // n: C = A * B with n x n matrices
  std::string name;            // the GPU's name, when it was read
  std::string compute_capability;  // "9.0", when it was read
  std::string error;           // the first driver step that failed, "" when all ran
  std::string jit_log;         // the JIT's error log, when loading the PTX failed
  double max_relative_error = 0.0;
  double error_bound = 0.0;
  std::size_t bad_elements = 0;
  double gflops = 0.0;         // kernel throughput, 2 n^3 flops per launch
  double h2d_gb_per_s = 0.0;   // host -> device copy bandwidth (pageable memory)
  double d2h_gb_per_s = 0.0;   // device -> host
};

// The embedded PTX of the kernel (src/envsetup/verify/sgemm.ptx) and its entry's name.
[[nodiscard]] std::string_view sgemm_ptx();
inline constexpr const char* k_sgemm_entry = "envsetup_sgemm";

// Multiplies two random `size` x `size` matrices on GPU ordinal `gpu` with the embedded PTX
// kernel (JIT-compiled by the driver), times it, and compares the result with the CPU
// reference (sgemm.hpp). A failing driver call ends the run with `error` set; numbers that
// are off are `bad_elements` > 0. `size` must be >= 1.
[[nodiscard]] MatmulResult run_matmul(const std::string& library, int gpu, int size);

}  // namespace envsetup::verify
