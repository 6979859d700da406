// SPDX-License-Identifier: Apache-2.0
// Check 4 of `envsetup verify`: a framework inside a Python interpreter (docs/verify-checks.md).
#pragma once

#include <envsetup/util/error.hpp>
#include <envsetup/verify/check.hpp>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace envsetup::verify {

struct FrameworkDevice {
  std::string name;
  std::string capability;  // "8.6"
};

// The one JSON line a templates/verify/<framework>_check.py script prints.
struct FrameworkAnswer {
  std::string framework;                   // "torch", "tensorflow", "jax"
  std::optional<std::string> version;      // unset when the import failed
  std::optional<std::string> cuda_build;   // "12.4"; "" for a CPU-only build; unset: unknown
  bool cuda_available = false;
  std::vector<FrameworkDevice> devices;
  std::optional<double> matmul_max_error;  // relative, GPU vs CPU
  std::optional<bool> conv_ok;             // torch: cuDNN convolution vs CPU
  std::optional<std::string> cudnn_version;
  std::vector<std::string> libraries;      // CUDA libraries in /proc/self/maps
  std::vector<std::string> site_packages;  // where the interpreter's own packages live
  std::string prefix;                      // sys.prefix
  std::optional<std::string> error;        // the exception text, when something raised
};

// Parses the last line of `output` that is a JSON object. Errors (kind verification): no
// such line, or one without a "framework" string.
[[nodiscard]] util::Result<FrameworkAnswer> parse_framework_answer(const std::string& output);

// Where a loaded CUDA library came from.
struct LoadedLibrary {
  std::string path;
  bool expected = true;
  std::string reason;  // why it is unexpected; empty when expected
};

// Classifies `answer.libraries`: libcuda/libnvidia-* (the driver) are expected anywhere;
// every other CUDA library is expected below one of `answer.site_packages` or
// `answer.prefix`, and flagged otherwise, with the LD_LIBRARY_PATH entry (from
// `ld_library_path`) that put it there when there is one. Pure.
[[nodiscard]] std::vector<LoadedLibrary> classify_libraries(
  const FrameworkAnswer& answer, const std::vector<std::string>& ld_library_path);

// The checks an answer gives: framework:<name> (import, version, build), framework:<name>:gpu
// (available, devices), framework:<name>:matmul, framework:<name>:cudnn (torch),
// framework:<name>:libraries. `gpu_expected`: the host has a usable NVIDIA GPU, so a CPU-only
// build or an unavailable GPU is a fail rather than a skip. Pure.
[[nodiscard]] std::vector<Check> framework_checks(const FrameworkAnswer& answer, bool gpu_expected,
                                                  const std::vector<std::string>& ld_library_path);

struct FrameworkCheckRun {
  std::filesystem::path python;  // the interpreter (a venv's bin/python)
  std::string framework;         // "torch", "tensorflow", "jax"
  std::string script;            // the text of templates/verify/<framework>_check.py
  std::chrono::milliseconds timeout{std::chrono::minutes(3)};
  bool gpu_expected = false;
  std::vector<std::string> ld_library_path;  // the LD_LIBRARY_PATH folders the child inherits
};

// Runs `python -c script` (no shell) with a timeout, parses its JSON line and returns
// framework_checks() of it. A run that cannot start, times out, or prints no JSON gives one
// failed framework:<name> check with the output's tail as evidence. Never throws.
[[nodiscard]] std::vector<Check> check_framework(const FrameworkCheckRun& run);

}  // namespace envsetup::verify
