// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/app/matrix_source.hpp>
#include <envsetup/app/python_choice.hpp>
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
  std::optional<std::string> python;  // "3.11", "3.11.7" or an interpreter path (python_from_flag)
  std::optional<std::string> driver;  // "550.54.15"
  std::vector<std::string> gpus;      // "8.9", "89", "sm_89", "a100", "RTX 3090" (matrix::parse_gpu)
  std::optional<std::string> cuda;    // "12.4"
  std::optional<std::string> platform;  // "linux-aarch64", "linux-sbsa" (core::parse_platform)
  std::optional<std::string> glibc;     // "2.28"
  bool cpu = false;
  bool with_toolkit = false;  // install --framework --with-toolkit (core::Request::with_toolkit)
  // The plan is carried out on this machine (`install --framework`): a --platform other
  // than the detected one is refused (check_platform_here).
  bool install_here = false;
  // The plan is for another machine (spec --format conda/pixi/docker/apptainer): without
  // --python, the host's Pythons are not looked at and the plan takes the newest Python it
  // supports.
  bool python_from_plan = false;
  MatrixChoice matrix;
  std::optional<std::filesystem::path> sysroot;  // where detection looks (ENVSETUP_SYSROOT)
};

// One host fact and where it came from, for the report: "driver", "GPU", "platform",
// "glibc", "C library" (musl), "Jetson", "Python".
struct FactNote {
  std::string fact;    // "driver"
  std::string value;   // "550.54.15"
  std::string origin;  // "--driver", "detected (proc)"
};

struct ResolveOutcome {
  core::Request request;
  core::HostFacts host;
  std::vector<FactNote> facts;
  core::Resolution resolution;
  // The interpreter the plan's Python was found at (--python PATH, or the host's interpreter
  // chosen); empty when the Python is a version only.
  std::string python_path;
  MatrixInfo matrix;  // the matrix in effect (every plan's JSON names it)
};

// Parses the options, loads the matrix, detects what the flags leave out (driver, GPUs,
// platform, glibc or musl, Jetson, and the host's Pythons: the default one (app::host_pythons)
// unless another gives a strictly better plan, see app::choose_python; the plan's notes then
// say why) and resolves. With a --platform other than this host's, the plan is for
// that other machine: this host's C library and Jetson are not its facts (glibc is unknown
// unless --glibc says it). Errors: usage (a flag's value does not parse; an install_here
// --platform that is not this host's), environment (a detected GPU of unknown compute
// capability; a host architecture envsetup has no builds for, without --platform),
// io / input (matrix). A refusal is an outcome without a plan. A plan made from a matrix
// generated more than k_stale_matrix_days ago carries a note saying so (stale_matrix_note).
[[nodiscard]] util::Result<ResolveOutcome> run_resolve(const ResolveOptions& options);

// For a plan carried out on this machine: ok when `options.platform` is unset or names this
// host's platform (detected below `options.sysroot`). Errors: usage (--platform does not
// parse, or names another platform: its wheels cannot run here; the hint says how to
// write a spec for that machine instead), as make_probe.
[[nodiscard]] util::Status check_platform_here(const ResolveOptions& options);

// Parses the request part of `options` (framework, python, cuda pin, cpu); `--python` as
// app::python_from_flag (an interpreter path is run once), its answer also left in `python`.
[[nodiscard]] util::Result<core::Request> parse_request(const ResolveOptions& options);
[[nodiscard]] util::Result<core::Request> parse_request(const ResolveOptions& options,
                                                        std::optional<PythonCandidate>& python);

}  // namespace envsetup::app
