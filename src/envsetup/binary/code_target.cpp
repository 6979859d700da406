// SPDX-License-Identifier: Apache-2.0
#include <envsetup/binary/code_target.hpp>

namespace envsetup::binary {

namespace {

constexpr std::uint64_t k_flag_arch_specific = 0x100000;
constexpr std::uint64_t k_flag_family = 0x200000;

}  // namespace

std::optional<core::ArchTarget> make_target(bool ptx, std::uint32_t arch, std::uint64_t flags)
{
  if (arch < 10 || arch > 999) {
    return std::nullopt;
  }
  core::ArchTarget target;
  target.capability = {static_cast<int>(arch / 10), static_cast<int>(arch % 10)};
  if ((flags & k_flag_arch_specific) != 0) {
    target.suffix = 'a';
  } else if ((flags & k_flag_family) != 0) {
    target.suffix = 'f';
  }
  target.kind = ptx ? core::ArchTarget::Kind::ptx : core::ArchTarget::Kind::sass;
  return target;
}

}  // namespace envsetup::binary
