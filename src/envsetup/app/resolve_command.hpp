// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/app/matrix_source.hpp>
#include <envsetup/core/host.hpp>
#include <envsetup/core/plan.hpp>
#include <envsetup/core/request.hpp>
#include <envsetup/util/error.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace envsetup::app {

// `envsetup resolve` as the user typed it: raw strings, parsed and checked here.
struct ResolveOptions {
  std::string framework;              // "torch==2.5.1"
  std::optional<std::string> python;  // "3.11"
  std::optional<std::string> driver;  // "550.54.15"
  std::vector<std::string> gpus;      // "8.9", "89", "sm_89"
  std::optional<std::string> cuda;    // "12.4"
  bool cpu = false;
  MatrixChoice matrix;
  std::optional<std::filesystem::path> sysroot;  // where detection looks (ENVSETUP_SYSROOT)
};

// One host fact and where it came from, for the report.
struct FactNote {
  std::string fact;    // "driver"
  std::string value;   // "550.54.15"
  std::string origin;  // "--driver"
};

struct ResolveOutcome {
  core::Request request;
  core::HostFacts host;
  std::vector<FactNote> facts;
  core::Resolution resolution;
};

// Parses the options, loads the matrix, detects what the flags leave out (driver, GPUs, and
// the host's Pythons, of which the one giving the best plan is chosen) and resolves.
// Errors: usage (a flag's value does not parse), environment (a detected GPU of unknown
// compute capability), io / input (matrix). A refusal is an outcome without a plan.
[[nodiscard]] util::Result<ResolveOutcome> run_resolve(const ResolveOptions& options);

// Parses the request part of `options` (framework, python, cuda pin, cpu).
[[nodiscard]] util::Result<core::Request> parse_request(const ResolveOptions& options);

}  // namespace envsetup::app
