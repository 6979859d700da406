// SPDX-License-Identifier: Apache-2.0
// `envsetup verify` (docs/verify.md) and its hidden worker.
#pragma once

#include <envsetup/app/matrix_source.hpp>
#include <envsetup/util/error.hpp>
#include <envsetup/verify/check.hpp>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace envsetup::app {

inline constexpr int k_verify_default_size = 1024;
inline constexpr int k_verify_max_size = 4096;

struct VerifyOptions {
  std::optional<std::filesystem::path> sysroot;  // --sysroot; else ENVSETUP_SYSROOT
  MatrixChoice matrix;
  std::optional<int> gpu;                        // --gpu N; nullopt = every GPU
  int size = k_verify_default_size;              // --size: n of the n x n matmul
  std::chrono::milliseconds timeout{60'000};     // --timeout, per worker process
  // The executable that has the hidden `verify-gpu-worker` command (this program).
  std::filesystem::path worker = "/proc/self/exe";
  std::optional<std::filesystem::path> prefix;  // --prefix: the toolkit to check
  std::optional<std::filesystem::path> venv;    // --venv: the environment whose frameworks to check
  std::chrono::milliseconds framework_timeout{std::chrono::minutes(3)};  // per framework script
};

struct VerifyReport {
  std::vector<verify::Check> checks;
  std::vector<std::string> warnings;  // detection's warnings
};

// Runs the checks in order: "driver" (kernel module, libcuda.so.1, versions, cuInit), then
// "gpu-matmul[N]" for each selected GPU (skipped when the driver check found no usable GPU),
// each in a worker process killed after `timeout`; then "toolkit:*" for `prefix` (else the
// first toolkit detection found) and "framework:*" for the frameworks in `venv` (else in
// every detected Python), docs/verify-checks.md. Errors: only what stops verify from starting (a bad --sysroot, kind
// usage; an unloadable --matrix); a failing check is a Check, not an error.
[[nodiscard]] util::Result<VerifyReport> run_verify(const VerifyOptions& options);

// The hidden `envsetup verify-gpu-worker`: without `gpu`, probes `library` (DriverProbe);
// with it, runs the matmul on that GPU. Returns the one JSON line to print (worker_json.hpp).
struct WorkerOptions {
  std::string library;
  std::optional<int> gpu;
  int size = k_verify_default_size;
};
[[nodiscard]] std::string run_verify_worker(const WorkerOptions& options);

}  // namespace envsetup::app
