// SPDX-License-Identifier: Apache-2.0
#include <envsetup/binary/elf.hpp>

#include <envsetup/binary/cursor.hpp>
#include <envsetup/binary/hex.hpp>

#include <array>

namespace envsetup::binary {

namespace {

constexpr std::size_t k_ehdr_size = 64;
constexpr std::size_t k_shdr_size = 64;
constexpr std::uint16_t k_shn_xindex = 0xffff;

util::Error corrupt(std::string what)
{
  return util::make_error(util::ErrorKind::integrity, std::move(what))
    .with_cause("the ELF header or section table disagrees with the file")
    .with_hint(k_corrupt_hint);
}

ElfSection parse_section(std::span<const std::byte> entry, std::uint32_t index)
{
  return ElfSection{.index = index,
                    .name = load_le<std::uint32_t>(entry, 0),
                    .type = load_le<std::uint32_t>(entry, 4),
                    .offset = load_le<std::uint64_t>(entry, 24),
                    .size = load_le<std::uint64_t>(entry, 32)};
}

}  // namespace

std::string describe_section(const ElfSection& section, const std::string& name)
{
  return "section " + (name.empty() ? std::to_string(section.index) : name) + " (offset " + hex(section.offset) + ", " +
         hex(section.size) + " bytes)";
}

std::optional<std::string> section_name(std::span<const std::byte> names, std::uint32_t offset)
{
  for (std::size_t at = offset; at < names.size(); ++at) {
    if (names[at] == std::byte{0}) {
      return std::string(reinterpret_cast<const char*>(names.data()) + offset, at - offset);
    }
  }
  return std::nullopt;
}

util::Result<ElfPlan> plan_elf(ByteSource& source, std::uint64_t max_sections)
{
  ElfPlan plan;
  plan.file_size = source.size();
  std::array<std::byte, k_ehdr_size> header{};
  const std::size_t magic_size = std::min<std::uint64_t>(4, plan.file_size);
  Cursor cursor(source, 0);
  ENVSETUP_TRY(cursor.read(0, std::span(header).first(magic_size), magic_size));
  if (magic_size < 4 || header[0] != std::byte{0x7f} || header[1] != std::byte{'E'} || header[2] != std::byte{'L'} ||
      header[3] != std::byte{'F'}) {
    return plan;
  }
  if (plan.file_size < k_ehdr_size) {
    return corrupt("the ELF header (" + hex(k_ehdr_size) + " bytes) ends past the end of the file (" +
                   hex(plan.file_size) + " bytes)");
  }
  ENVSETUP_TRY(cursor.read(4, std::span(header).subspan(4), k_ehdr_size));
  const std::span<const std::byte> ehdr(header);
  if (header[4] != std::byte{2}) {
    plan.kind = FileKind::not_supported_elf;
    plan.unsupported = "not a 64-bit ELF file";
    return plan;
  }
  if (header[5] != std::byte{1}) {
    plan.kind = FileKind::not_supported_elf;
    plan.unsupported = "not a little-endian ELF file";
    return plan;
  }
  plan.kind = FileKind::elf;
  plan.type = load_le<std::uint16_t>(ehdr, 16);
  const auto table = load_le<std::uint64_t>(ehdr, 40);
  const auto entry_size = load_le<std::uint16_t>(ehdr, 58);
  std::uint64_t count = load_le<std::uint16_t>(ehdr, 60);
  std::uint32_t names = load_le<std::uint16_t>(ehdr, 62);
  if (table == 0) {
    return plan;  // no section table: nothing to find
  }
  if (entry_size != k_shdr_size) {
    return corrupt("the section table's entries are " + std::to_string(entry_size) + " bytes, not 64");
  }
  if (table < k_ehdr_size || table > plan.file_size || plan.file_size - table < k_shdr_size) {
    return corrupt("the section table (offset " + hex(table) + ") lies outside the file (" + hex(plan.file_size) +
                   " bytes)");
  }
  // Section 0 holds the real count and string table index when they do not fit the header.
  std::array<std::byte, k_shdr_size> first{};
  ENVSETUP_TRY(cursor.read(table, first, table + k_shdr_size));
  if (count == 0) {
    count = load_le<std::uint64_t>(first, 32);
  }
  if (names == k_shn_xindex) {
    names = load_le<std::uint32_t>(first, 40);
  }
  if (count == 0 || count > max_sections) {
    return corrupt("the section table declares " + std::to_string(count) + " sections (at most " +
                   std::to_string(max_sections) + ")");
  }
  if ((plan.file_size - table) / k_shdr_size < count) {
    return corrupt("the section table (offset " + hex(table) + ", " + std::to_string(count) +
                   " entries) ends past the end of the file (" + hex(plan.file_size) + " bytes)");
  }
  if (names >= count) {
    return corrupt("the section name table index " + std::to_string(names) + " is not below the section count " +
                   std::to_string(count));
  }
  plan.names_section = names;
  std::vector<std::byte> rest(static_cast<std::size_t>((count - 1) * k_shdr_size));
  ENVSETUP_TRY(cursor.read(table + k_shdr_size, rest, table + count * k_shdr_size));
  plan.sections.reserve(static_cast<std::size_t>(count));
  plan.sections.push_back(parse_section(first, 0));
  for (std::uint32_t index = 1; index < count; ++index) {
    plan.sections.push_back(parse_section(std::span(rest).subspan((index - 1) * k_shdr_size, k_shdr_size), index));
  }
  return plan;
}

}  // namespace envsetup::binary
