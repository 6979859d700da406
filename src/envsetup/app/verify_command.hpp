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
  // Not used yet: the toolkit check (--prefix) and the framework checks (--venv) of issue 8
  // come after the GPU checks in run_verify.
  std::optional<std::filesystem::path> prefix;
  std::optional<std::filesystem::path> venv;
};

struct VerifyReport {
  std::vector<verify::Check> checks;
  std::vector<std::string> warnings;  // detection's warnings
};

// Runs the checks in order: "driver" (kernel module, libcuda.so.1, versions, cuInit), then
// "gpu-matmul[N]" for each selected GPU (skipped when the driver check found no usable GPU),
// each in a worker process killed after `timeout`. [Toolkit (--prefix) and framework (--venv)
// checks go here next.] Errors: only what stops verify from starting (a bad --sysroot, kind
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
