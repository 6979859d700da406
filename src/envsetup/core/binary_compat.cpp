// SPDX-License-Identifier: Apache-2.0
#include <envsetup/core/binary_compat.hpp>

namespace envsetup::core {

namespace {

// 'a' is the most specific code for a capability, then 'f', then portable code.
int specificity(char suffix)
{
  switch (suffix) {
    case 'a':
      return 2;
    case 'f':
      return 1;
    default:
      return 0;
  }
}

// True when `candidate` is preferred to `current` (both of the same kind, both running on the GPU).
bool better(const CodeTarget& candidate, const CodeTarget& current)
{
  const auto& a = candidate.target;
  const auto& b = current.target;
  if (a.capability != b.capability) {
    return a.capability > b.capability;
  }
  if (a.suffix != b.suffix) {
    return specificity(a.suffix) > specificity(b.suffix);
  }
  // Equal PTX targets: the one a driver is least likely to JIT (unknown ISA, else the newest).
  if (!current.ptx_isa) {
    return false;
  }
  return !candidate.ptx_isa || *candidate.ptx_isa > *current.ptx_isa;
}

const CodeTarget* best_of_kind(std::span<const CodeTarget> code, ComputeCapability gpu, ArchTarget::Kind kind)
{
  const CodeTarget* best = nullptr;
  for (const auto& entry : code) {
    if (entry.target.kind == kind && entry.target.runs_on(gpu) && (best == nullptr || better(entry, *best))) {
      best = &entry;
    }
  }
  return best;
}

}  // namespace

std::optional<CodeMatch> best_match(std::span<const CodeTarget> code, ComputeCapability gpu)
{
  if (const auto* sass = best_of_kind(code, gpu, ArchTarget::Kind::sass)) {
    return CodeMatch{sass->target, false, std::nullopt};
  }
  if (const auto* ptx = best_of_kind(code, gpu, ArchTarget::Kind::ptx)) {
    return CodeMatch{ptx->target, true, ptx->ptx_isa};
  }
  return std::nullopt;
}

}  // namespace envsetup::core
