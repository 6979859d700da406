// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/app/inspect_command.hpp>

#include <iosfwd>
#include <string>

namespace envsetup::cli {

// "sass", "ptx-jit" or "none".
[[nodiscard]] const char* run_kind_name(resolve::RunKind how);

// {"ok", "gpus", "gpu_source", "driver", "driver_cuda", "libraries": [{"path", "package",
// "sass", "ptx": [{"target", "isa"}], "toolkits", "compression", "relocatable", "units",
// "sections", "coverage": {"sm_90": "sass"}, "coverage_detail": [...]}], "packages",
// "without_cuda", "warnings", "errors"} (docs/inspect.md), pretty-printed.
[[nodiscard]] std::string inspect_json(const app::InspectReport& report);

// The text report: one block per library with CUDA code, then packages, warnings, problems.
void print_inspect_report(std::ostream& out, const app::InspectReport& report);

// The exit code of a report: 6 when a library cannot run on a GPU, else the code of the first
// unreadable file's error kind, else 0.
[[nodiscard]] int inspect_exit_code(const app::InspectReport& report);

}  // namespace envsetup::cli
