// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>

namespace envsetup::binary {

// `0x1f`: how the binary module's messages write offsets and sizes.
[[nodiscard]] std::string hex(std::uint64_t value);

// The hint of every error about a truncated or corrupt binary.
inline constexpr const char* k_corrupt_hint = "the file is truncated or corrupt: reinstall the package that owns it";

}  // namespace envsetup::binary
