// SPDX-License-Identifier: Apache-2.0
// Pure: how code read from a binary (or listed by the matrix) runs on a GPU under a driver,
// and where a matrix variant's architecture list and a binary disagree. No I/O.
#pragma once

#include <envsetup/core/binary_compat.hpp>
#include <envsetup/matrix/model.hpp>

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace envsetup::resolve {

// sass: the driver loads machine code; ptx_jit: it must JIT-compile PTX; none: no kernel image.
enum class RunKind { sass, ptx_jit, none };

struct GpuRun {
  core::ComputeCapability gpu;
  RunKind how = RunKind::none;
  std::string target;                           // "sm_90a" / "compute_90"; empty for none
  std::optional<core::Version> ptx_isa;         // ptx_jit: the PTX's ISA, when known
  std::optional<core::Version> jit_needs_cuda;  // ptx_jit: X.Y of the oldest CUDA knowing that ISA
  // ptx_jit: whether the driver can JIT that ISA. Nullopt: the driver or the ISA is unknown,
  // or the ISA is newer than the matrix knows while the driver is newer than every release.
  std::optional<bool> driver_can_jit;
};

// How code with `targets` runs on `gpu` (core::best_match) under a driver that supports CUDA
// `driver_cuda` (X.Y; nullopt: unknown). A driver JITs PTX of ISA I when `driver_cuda` is at
// least the oldest CUDA release whose `ptx_isa` is >= I (matrix::Matrix::oldest_cuda_for_ptx_isa).
[[nodiscard]] GpuRun run_on(std::span<const core::CodeTarget> targets, core::ComputeCapability gpu,
                            const std::optional<core::Version>& driver_cuda, const matrix::Matrix& matrix);

// The CUDA version (X.Y) a driver version supports, from the matrix's Table-3 floors: that of
// the newest release whose min_driver `driver` meets (535.104.05 -> 12.2). Nullopt when the
// driver predates every release.
[[nodiscard]] std::optional<core::Version> cuda_for_driver(const core::Version& driver, const matrix::Matrix& matrix);

// Where a matrix variant and the targets read from a binary disagree, in each list's order
// without repeats; PTX ISA versions are not compared. Both empty: they agree.
struct ArchMismatch {
  std::vector<core::ArchTarget> only_in_matrix;
  std::vector<core::ArchTarget> only_in_binary;

  [[nodiscard]] bool empty() const { return only_in_matrix.empty() && only_in_binary.empty(); }
};
[[nodiscard]] ArchMismatch compare_arch_lists(const matrix::Variant& variant, std::span<const core::CodeTarget> binary);

}  // namespace envsetup::resolve
