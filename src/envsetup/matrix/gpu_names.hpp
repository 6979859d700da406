// SPDX-License-Identifier: Apache-2.0
// `--gpu` as users write it: a compute capability (8.9, 89, sm_89) or a chip or product
// name from the matrix's chip table (gpus.json `chips`: "a100", "H100", "RTX 3090", "gb10",
// "GA102").
#pragma once

#include <envsetup/core/gpu_arch.hpp>
#include <envsetup/matrix/model.hpp>
#include <envsetup/util/error.hpp>

#include <string>
#include <string_view>

namespace envsetup::matrix {

struct GpuChoice {
  core::ComputeCapability capability;
  // How the text was understood, for the report: "" for a compute capability, else
  // "A100 (GA100)" / "RTX 3090 (GA102)".
  std::string name;
};

// Reads one `--gpu` value. A compute capability first (core::ComputeCapability::parse);
// otherwise a name, compared case- and space-insensitively: a chip name (GA100) matches
// whole, a product name matches when the text equals a run of consecutive words of one of
// a chip's products ("rtx 3090", "RTX3090", "a100", "gb10" in "NVIDIA GB10 (DGX Spark)").
// A name that matches chips of one compute capability is that capability. Errors (kind
// usage): a name matching chips of several capabilities (the message lists each match
// with its capability), or no chip (close chip and product names, by edit distance or
// substring, are listed as hints with their capability).
[[nodiscard]] util::Result<GpuChoice> parse_gpu(const Matrix& matrix, std::string_view text);

}  // namespace envsetup::matrix
