// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/core/binary_compat.hpp>
#include <envsetup/core/gpu_arch.hpp>
#include <envsetup/core/version.hpp>

#include <cstdint>
#include <optional>

namespace envsetup::binary {

// One kind of code a binary carries (core/binary_compat.hpp): SASS or PTX for one target, and
// for PTX the PTX ISA version the driver must understand to JIT-compile it.
using CodeTarget = core::CodeTarget;

// The one place that turns a fatbin entry's fields into a target: `ptx` for a PTX entry (else
// SASS), `arch` = major*10 + minor (75, 90, 100, 121), `flags` the entry's flags word
// (0x100000: arch-specific `a`, 0x200000: family `f`). nullopt when `arch` is no capability
// (below 10 or above 999).
[[nodiscard]] std::optional<core::ArchTarget> make_target(bool ptx, std::uint32_t arch, std::uint64_t flags);

}  // namespace envsetup::binary
