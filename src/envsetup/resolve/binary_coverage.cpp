// SPDX-License-Identifier: Apache-2.0
#include <envsetup/resolve/binary_coverage.hpp>

#include <algorithm>

namespace envsetup::resolve {

namespace {

// The newest release's X.Y, or nullopt for an empty matrix.
std::optional<core::Version> newest_cuda(const matrix::Matrix& matrix)
{
  if (matrix.cuda.empty()) {
    return std::nullopt;
  }
  const auto newest = std::max_element(matrix.cuda.begin(), matrix.cuda.end(),
                                       [](const auto& a, const auto& b) { return a.version < b.version; });
  return newest->version.prefix(2);
}

void add_unique(std::vector<core::ArchTarget>& out, const core::ArchTarget& target)
{
  if (std::find(out.begin(), out.end(), target) == out.end()) {
    out.push_back(target);
  }
}

bool contains(const std::vector<core::ArchTarget>& list, const core::ArchTarget& target)
{
  return std::find(list.begin(), list.end(), target) != list.end();
}

}  // namespace

GpuRun run_on(std::span<const core::CodeTarget> targets, core::ComputeCapability gpu,
              const std::optional<core::Version>& driver_cuda, const matrix::Matrix& matrix)
{
  GpuRun run;
  run.gpu = gpu;
  const auto match = core::best_match(targets, gpu);
  if (!match) {
    return run;
  }
  run.target = match->target.text();
  if (!match->jit) {
    run.how = RunKind::sass;
    return run;
  }
  run.how = RunKind::ptx_jit;
  run.ptx_isa = match->ptx_isa;
  if (!run.ptx_isa) {
    return run;
  }
  if (const auto* release = matrix.oldest_cuda_for_ptx_isa(*run.ptx_isa)) {
    run.jit_needs_cuda = release->version.prefix(2);
    if (driver_cuda) {
      run.driver_can_jit = *driver_cuda >= *run.jit_needs_cuda;
    }
  } else if (const auto newest = newest_cuda(matrix); driver_cuda && newest && *driver_cuda <= *newest) {
    // An ISA newer than every release the matrix knows, and a driver no newer than those.
    run.driver_can_jit = false;
  }
  return run;
}

std::optional<core::Version> cuda_for_driver(const core::Version& driver, const matrix::Matrix& matrix)
{
  const auto* release = matrix.newest_cuda_for_driver(driver);
  if (release == nullptr) {
    return std::nullopt;
  }
  return release->version.prefix(2);
}

ArchMismatch compare_arch_lists(const matrix::Variant& variant, std::span<const core::CodeTarget> binary)
{
  std::vector<core::ArchTarget> in_binary;
  for (const auto& code : binary) {
    add_unique(in_binary, code.target);
  }
  ArchMismatch mismatch;
  for (const auto& target : variant.targets) {
    if (!contains(in_binary, target)) {
      add_unique(mismatch.only_in_matrix, target);
    }
  }
  for (const auto& target : in_binary) {
    if (!contains(variant.targets, target)) {
      mismatch.only_in_binary.push_back(target);
    }
  }
  return mismatch;
}

}  // namespace envsetup::resolve
