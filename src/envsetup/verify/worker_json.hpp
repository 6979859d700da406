// SPDX-License-Identifier: Apache-2.0
// The one-line JSON answers of the worker process (`envsetup verify-gpu-worker`), written by
// the worker and read by `envsetup verify`. Pure.
#pragma once

#include <envsetup/util/error.hpp>
#include <envsetup/verify/gpu_matmul.hpp>

#include <string>
#include <string_view>

namespace envsetup::verify {

// {"kind": "probe", "library", "loaded", "load_error", "init_error", "cuda_version",
//  "device_count"} on one line, no trailing newline.
[[nodiscard]] std::string probe_to_json_line(const DriverProbe& probe);

// {"kind": "matmul", "gpu", "size", "name", "compute_capability", "error", "jit_log",
//  "max_relative_error" (null when infinite), "error_bound", "bad_elements", "gflops",
//  "h2d_gb_per_s", "d2h_gb_per_s"} on one line.
[[nodiscard]] std::string matmul_to_json_line(const MatmulResult& result);

// Read the worker's stdout: its last non-empty line must be the answer of the given kind.
// Errors (kind verification): no such line, not JSON, another kind, or a missing or
// mistyped field.
[[nodiscard]] util::Result<DriverProbe> parse_probe_line(std::string_view output);
[[nodiscard]] util::Result<MatmulResult> parse_matmul_line(std::string_view output);

}  // namespace envsetup::verify
