// SPDX-License-Identifier: Apache-2.0
#include <envsetup/binary/hex.hpp>

#include <cinttypes>
#include <cstdio>

namespace envsetup::binary {

std::string hex(std::uint64_t value)
{
  char text[24];
  std::snprintf(text, sizeof text, "%#" PRIx64, value);
  return value == 0 ? "0x0" : text;
}

}  // namespace envsetup::binary
