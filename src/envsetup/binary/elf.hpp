// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/binary/byte_source.hpp>

#include <optional>
#include <string>
#include <vector>

namespace envsetup::binary {

// What a file is, as far as CUDA code goes: not an ELF file at all (walkers skip it
// silently), an ELF file this reader does not handle (32-bit or big-endian: no CUDA code to
// report, not an error), or a 64-bit little-endian ELF file.
enum class FileKind { not_elf, not_supported_elf, elf };

inline constexpr std::uint32_t k_sht_note = 7;
inline constexpr std::uint32_t k_sht_nobits = 8;
inline constexpr std::uint16_t k_et_rel = 1;

struct ElfSection {
  std::uint32_t index = 0;
  std::uint32_t name = 0;  // offset in the section header string table
  std::uint32_t type = 0;
  std::uint64_t offset = 0;
  std::uint64_t size = 0;

  // Whether the section occupies bytes of the file (not SHT_NOBITS, not empty).
  [[nodiscard]] bool has_bytes() const { return type != k_sht_nobits && size > 0; }
};

// Pass 1 over a file: its ELF header and section table (no section contents).
struct ElfPlan {
  FileKind kind = FileKind::not_elf;
  std::string unsupported;  // for not_supported_elf: "32-bit", "big-endian"
  std::uint16_t type = 0;   // e_type: 1 relocatable, 2 executable, 3 shared object
  std::uint64_t file_size = 0;
  std::vector<ElfSection> sections;  // in table order
  std::uint32_t names_section = 0;   // e_shstrndx (0: none)
};

// Upper bounds on what a section table may declare.
inline constexpr std::uint64_t k_max_sections = 1u << 18;

// Reads the ELF header and the section table, in that order (two or three reads). Checks that
// the table lies inside the file, that its entries are 64 bytes, that the section count (at
// most `max_sections`, extended numbering included) and the string table index are sane. Whether each section lies
// inside the file is pass 2's check (read_library), which knows the sections' names. Errors: integrity (truncated or
// inconsistent), or what the source reports.
[[nodiscard]] util::Result<ElfPlan> plan_elf(ByteSource& source, std::uint64_t max_sections = k_max_sections);

// The name at `offset` in a section header string table, or nullopt when it does not end
// inside the table.
[[nodiscard]] std::optional<std::string> section_name(std::span<const std::byte> names, std::uint32_t offset);

// "section 16" or "section .nv_fatbin", and its place: "(offset 0x2020, 0xcf8 bytes)".
[[nodiscard]] std::string describe_section(const ElfSection& section, const std::string& name);

}  // namespace envsetup::binary
