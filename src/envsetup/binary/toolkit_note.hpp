// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/binary/byte_source.hpp>
#include <envsetup/core/version.hpp>

#include <optional>

namespace envsetup::binary {

// The CUDA toolkit that built a cubin (an ELF file of its own), from its `.note.nv.tkinfo`
// note (owner "NVIDIA Corp", type 2000): the version after "Cuda compilation tools, release
// X.Y, V" (e.g. 13.0.88). Reads the cubin's ELF header, section table and note sections
// (at most 64 KiB each) in offset order. nullopt when the cubin is corrupt or has no such note:
// the toolkit is an extra, never a reason to fail.
[[nodiscard]] std::optional<core::Version> read_toolkit_note(ByteSource& cubin);

}  // namespace envsetup::binary
