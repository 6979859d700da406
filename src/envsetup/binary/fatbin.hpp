// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/binary/code_target.hpp>
#include <envsetup/binary/cursor.hpp>
#include <envsetup/binary/elf.hpp>

#include <string>
#include <vector>

namespace envsetup::binary {

// One entry of a fatbin: the code for one target.
struct EmbeddedCode {
  CodeTarget code;
  enum class Compression { none, lz4, zstd, unknown } compression = Compression::none;
  bool debug = false;  // built with -G
  std::uint64_t payload_size = 0;
  // The entry's kind field: 1 PTX, 2 SASS (an ELF cubin). Any other value is a kind this reader
  // does not know: reported, `code` is then meaningless and LibraryCode::targets() skips it.
  std::uint16_t raw_kind = 0;
};

// One fatbin (the code of one nvcc run) found in an ELF section.
struct Fatbin {
  std::string section;       // `.nv_fatbin`, `__nv_relfatbin`, `.cask_resource` ...
  std::uint64_t offset = 0;  // of its header, in the file
  std::vector<EmbeddedCode> entries;
  std::optional<core::Version> toolkit;  // from the first readable cubin's tkinfo note, e.g. 13.0.88
};

inline constexpr std::uint32_t k_fatbin_magic = 0xBA55ED50;

// Bounds on what a file may declare, shared by all of its sections.
struct FatbinBudget {
  std::uint64_t fatbins_left = 1'000'000;
  std::uint64_t entries_left = 1'000'000;
  static constexpr std::uint64_t max_entries_per_fatbin = 65536;
  static constexpr std::uint32_t min_entry_header = 64;
  static constexpr std::uint32_t max_header = 4096;
  // Largest cubin a sequential source buffers to read its toolkit note; bigger ones are
  // skipped in favour of the fatbin's next uncompressed cubin.
  static constexpr std::uint64_t max_buffered_cubin = 1 << 20;
  static constexpr int toolkit_tries_per_fatbin = 2;
  // The most zero bytes skipped between two fatbins of a chain (nvcc writes 0 or 8).
  static constexpr std::uint64_t max_padding = 64 * 1024;
};

// The fatbins of one section whose first four bytes are the fatbin magic.
struct FatbinChain {
  std::vector<Fatbin> fatbins;  // `section` left empty: the caller knows the name
  // Where bytes that do not start a fatbin ended the chain: non-zero bytes, or more than
  // FatbinBudget::max_padding zero bytes (nullopt: the section's end did). An error in the
  // sections nvcc writes, ignored in others.
  std::optional<std::uint64_t> stray_at;
};

// Parses the chain of `section` through `cursor` in increasing offsets. Errors (integrity,
// message relative to the section, e.g. "the fatbin at 0x2020 declares ..."): sizes that end
// past the fatbin or the section, header sizes outside 16/64..4096, too many entries, an entry
// whose architecture is no capability.
[[nodiscard]] util::Result<FatbinChain> read_fatbin_chain(Cursor& cursor, const ElfSection& section,
                                                          FatbinBudget& budget);

}  // namespace envsetup::binary
