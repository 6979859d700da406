// SPDX-License-Identifier: Apache-2.0
#include <envsetup/binary/fatbin.hpp>

#include <envsetup/binary/hex.hpp>
#include <envsetup/binary/toolkit_note.hpp>

#include <algorithm>
#include <array>

namespace envsetup::binary {

namespace {

constexpr std::uint64_t k_fatbin_header = 16;
constexpr std::uint16_t k_kind_ptx = 1;
constexpr std::uint16_t k_kind_cubin = 2;
constexpr std::uint64_t k_flag_debug = 0x2;
constexpr std::uint64_t k_flag_lz4 = 0x2000;
constexpr std::uint64_t k_flag_zstd = 0x8000;

util::Error corrupt(std::string what)
{
  return util::make_error(util::ErrorKind::integrity, std::move(what))
    .with_cause("a fatbin header's sizes or fields disagree with its section")
    .with_hint(k_corrupt_hint);
}

EmbeddedCode::Compression compression_of(std::uint64_t flags, std::uint32_t compressed_size)
{
  const bool lz4 = (flags & k_flag_lz4) != 0;
  const bool zstd = (flags & k_flag_zstd) != 0;
  if (lz4 && zstd) {
    return EmbeddedCode::Compression::unknown;
  }
  if (lz4) {
    return EmbeddedCode::Compression::lz4;
  }
  if (zstd) {
    return EmbeddedCode::Compression::zstd;
  }
  return compressed_size != 0 ? EmbeddedCode::Compression::unknown : EmbeddedCode::Compression::none;
}

// The toolkit note of the cubin at [offset, offset + size): through a window on a random-access
// source (three small reads), or buffered when the source is sequential and the cubin small.
std::optional<core::Version> toolkit_of(Cursor& cursor, std::uint64_t offset, std::uint64_t size, bool& tried)
{
  ByteSource& source = cursor.source();
  if (!source.sequential()) {
    tried = true;
    WindowSource window(source, offset, size);
    return read_toolkit_note(window);
  }
  if (size > FatbinBudget::max_buffered_cubin) {
    return std::nullopt;
  }
  tried = true;
  std::vector<std::byte> cubin(static_cast<std::size_t>(size));
  if (!cursor.read(offset, cubin, offset + size).ok()) {
    return std::nullopt;  // the chain's own reads report the failure
  }
  MemorySource memory(cubin);
  return read_toolkit_note(memory);
}

// Parses the entries in [begin, end) of the fatbin at `at` into `fatbin`.
util::Status read_entries(Cursor& cursor, std::uint64_t at, std::uint64_t begin, std::uint64_t end,
                          FatbinBudget& budget, Fatbin& fatbin)
{
  int toolkit_tries = 0;
  std::array<std::byte, FatbinBudget::min_entry_header> header{};
  for (std::uint64_t entry = begin; entry < end;) {
    const std::string where = "the entry at " + hex(entry) + " of the fatbin at " + hex(at);
    if (fatbin.entries.size() >= FatbinBudget::max_entries_per_fatbin || budget.entries_left == 0) {
      return corrupt("the fatbin at " + hex(at) + " has more entries than the " +
                     std::to_string(FatbinBudget::max_entries_per_fatbin) + " per fatbin or " +
                     std::to_string(FatbinBudget{}.entries_left) + " per file this reader accepts");
    }
    if (end - entry < header.size()) {
      return corrupt(where + ": its 64-byte header ends past the fatbin's end (" + hex(end) + ")");
    }
    ENVSETUP_TRY(cursor.read(entry, header, end));
    const std::span<const std::byte> h(header);
    const auto header_size = load_le<std::uint32_t>(h, 4);
    const auto payload = load_le<std::uint64_t>(h, 8);
    if (header_size < FatbinBudget::min_entry_header || header_size > FatbinBudget::max_header ||
        header_size > end - entry) {
      return corrupt(where + ": header size " + std::to_string(header_size) + " is outside 64.." +
                     std::to_string(FatbinBudget::max_header) + " or the fatbin");
    }
    if (payload > end - entry - header_size) {
      return corrupt(where + ": its payload (" + hex(payload) + " bytes) ends past the fatbin's end (" + hex(end) +
                     ")");
    }
    EmbeddedCode code;
    code.raw_kind = load_le<std::uint16_t>(h, 0);
    code.payload_size = payload;
    const auto flags = load_le<std::uint64_t>(h, 40);
    code.debug = (flags & k_flag_debug) != 0;
    code.compression = compression_of(flags, load_le<std::uint32_t>(h, 16));
    if (code.raw_kind == k_kind_ptx || code.raw_kind == k_kind_cubin) {
      const auto arch = load_le<std::uint32_t>(h, 28);
      auto target = make_target(code.raw_kind == k_kind_ptx, arch, flags);
      if (!target) {
        return corrupt(where + ": architecture " + std::to_string(arch) + " is no compute capability");
      }
      code.code.target = *target;
      if (code.raw_kind == k_kind_ptx) {
        const auto minor = load_le<std::uint16_t>(h, 24);
        const auto major = load_le<std::uint16_t>(h, 26);
        auto isa = core::Version::parse(std::to_string(major) + "." + std::to_string(minor));
        if (isa.ok()) {
          code.code.ptx_isa = *isa;
        }
      }
    }
    const std::uint64_t payload_at = entry + header_size;
    if (code.raw_kind == k_kind_cubin && code.compression == EmbeddedCode::Compression::none && !fatbin.toolkit &&
        toolkit_tries < FatbinBudget::toolkit_tries_per_fatbin) {
      bool tried = false;
      fatbin.toolkit = toolkit_of(cursor, payload_at, payload, tried);
      toolkit_tries += tried ? 1 : 0;
    }
    fatbin.entries.push_back(std::move(code));
    --budget.entries_left;
    entry = payload_at + payload;
  }
  return util::ok_status();
}

}  // namespace

util::Result<FatbinChain> read_fatbin_chain(Cursor& cursor, const ElfSection& section, FatbinBudget& budget)
{
  FatbinChain chain;
  const std::uint64_t end = section.offset + section.size;  // inside the file: checked by the caller
  std::uint64_t at = section.offset;
  std::array<std::byte, k_fatbin_header> header{};
  while (at < end) {
    if (end - at < k_fatbin_header) {
      chain.stray_at = at;
      break;
    }
    ENVSETUP_TRY(cursor.read(at, header, end));
    const std::span<const std::byte> h(header);
    if (load_le<std::uint32_t>(h, 0) != k_fatbin_magic) {
      chain.stray_at = at;
      break;
    }
    if (budget.fatbins_left == 0) {
      return corrupt("the fatbin at " + hex(at) + " is one more than the " +
                     std::to_string(FatbinBudget{}.fatbins_left) + " per file this reader accepts");
    }
    --budget.fatbins_left;
    const auto header_size = load_le<std::uint16_t>(h, 6);
    const auto entries_size = load_le<std::uint64_t>(h, 8);
    if (header_size < k_fatbin_header || header_size > FatbinBudget::max_header || header_size > end - at) {
      return corrupt("the fatbin at " + hex(at) + " has header size " + std::to_string(header_size) + ", outside 16.." +
                     std::to_string(FatbinBudget::max_header) + " or the section");
    }
    if (entries_size > end - at - header_size) {
      return corrupt("the fatbin at " + hex(at) + " declares " + hex(entries_size) +
                     " bytes of entries, past the section's end (" + hex(end) + ")");
    }
    Fatbin fatbin;
    fatbin.offset = at;
    const std::uint64_t fatbin_end = at + header_size + entries_size;
    ENVSETUP_TRY(read_entries(cursor, at, at + header_size, fatbin_end, budget, fatbin));
    chain.fatbins.push_back(std::move(fatbin));
    // Padding: zero bytes up to the next fatbin or the section's end. nvcc pads to 8 bytes;
    // a longer run of zeros (a sparse gigabyte) ends the chain as stray bytes would, unread.
    at = fatbin_end;
    std::array<std::byte, 64> gap{};
    while (at < end) {
      if (at - fatbin_end >= FatbinBudget::max_padding) {
        chain.stray_at = fatbin_end;
        return chain;
      }
      const auto chunk = static_cast<std::size_t>(std::min<std::uint64_t>(gap.size(), end - at));
      ENVSETUP_TRY(cursor.read(at, std::span(gap).first(chunk), end));
      const auto* nonzero =
        std::find_if(gap.begin(), gap.begin() + chunk, [](std::byte b) { return b != std::byte{0}; });
      at += static_cast<std::uint64_t>(nonzero - gap.begin());
      if (nonzero != gap.begin() + chunk) {
        break;
      }
    }
  }
  return chain;
}

}  // namespace envsetup::binary
