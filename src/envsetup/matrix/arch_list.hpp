// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/core/gpu_arch.hpp>
#include <envsetup/matrix/model.hpp>
#include <envsetup/util/error.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace envsetup::matrix {

// `torch` / `bazel`: the names the matrix stores in `arch_list.notation`.
[[nodiscard]] std::string notation_name(ArchNotation notation);
[[nodiscard]] std::optional<ArchNotation> parse_notation(std::string_view text);

// The code a build's architecture list asks for, SASS entries (in text order)
// then PTX entries (docs/matrix-format.md):
// - torch (TORCH_CUDA_ARCH_LIST): `X.Y` = sm_XY, `X.Y+PTX` = sm_XY and
// compute_XY,
//   `X.Ya` / `X.Yf` = sm_XYa / sm_XYf; entries separated by `;` or spaces;
// - bazel (TF_CUDA_COMPUTE_CAPABILITIES, HERMETIC_CUDA_COMPUTE_CAPABILITIES):
// `sm_XY` (or
//   `sm_XYa`) = SASS only, `compute_XY` = sm_XY and compute_XY, TensorFlow's
//   bare `X.Y` = sm_XY and compute_XY; entries separated by `,`.
// An entry named twice yields one target. Errors (kind input): an empty list or
// an entry the notation does not know, named in the cause.
[[nodiscard]] util::Result<std::vector<core::ArchTarget>> parse_arch_list(ArchNotation notation, std::string_view text);

}  // namespace envsetup::matrix
