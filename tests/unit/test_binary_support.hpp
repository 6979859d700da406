// SPDX-License-Identifier: Apache-2.0
// Helpers of the binary module's tests: reading fixtures, summarizing a LibraryCode as text,
// parsing through each kind of source, and building small ELF files with chosen fatbins.
#pragma once

#include <envsetup/binary/library.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace envsetup::binary::testing {

using Bytes = std::vector<std::byte>;

inline std::filesystem::path fixture(const std::string& name)
{
  return std::filesystem::path(ENVSETUP_TEST_DATA) / "binary" / name;
}

inline Bytes read_bytes(const std::filesystem::path& path)
{
  std::ifstream in(path, std::ios::binary);
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Bytes bytes(chars.size());
  std::memcpy(bytes.data(), chars.data(), chars.size());
  return bytes;
}

// `sm_90a`, `compute_90a`, with the PTX ISA: `compute_90(9.0)`.
inline std::string target_text(const CodeTarget& code)
{
  std::string text = code.target.text();
  if (code.ptx_isa) {
    text += "(" + code.ptx_isa->text() + ")";
  }
  return text;
}

inline std::string targets_text(const LibraryCode& code)
{
  std::string text;
  for (const auto& target : code.targets()) {
    text += (text.empty() ? "" : " ") + target_text(target);
  }
  return text;
}

// Everything read, one line per fatbin and per entry.
inline std::string summary(const LibraryCode& code)
{
  static const char* compression[] = {"none", "lz4", "zstd", "unknown"};
  std::string text = code.relocatable ? "relocatable\n" : "";
  text += code.unsupported.empty() ? "" : "unsupported " + code.unsupported + "\n";
  for (const auto& fatbin : code.fatbins) {
    text += fatbin.section + " @" + std::to_string(fatbin.offset) + " toolkit " +
            (fatbin.toolkit ? fatbin.toolkit->text() : "?") + "\n";
    for (const auto& entry : fatbin.entries) {
      text += "  kind " + std::to_string(entry.raw_kind) + " " + target_text(entry.code) + " " +
              compression[static_cast<int>(entry.compression)] + (entry.debug ? " debug" : "") + " " +
              std::to_string(entry.payload_size) + "\n";
    }
  }
  return text;
}

// "error: MESSAGE", "not elf", or the summary.
inline std::string outcome(const util::Result<std::optional<LibraryCode>>& result)
{
  if (!result.ok()) {
    return "error: " + result.error().message;
  }
  return *result ? summary(**result) : "not elf";
}

inline util::Result<std::optional<LibraryCode>> read_memory(const Bytes& bytes)
{
  MemorySource source(bytes);
  return read_library(source);
}

// Both passes through fresh PullSources that hand out `chunk` bytes at a time.
inline util::Result<std::optional<LibraryCode>> read_pulled(const Bytes& bytes, std::size_t chunk = 7)
{
  auto stream = [&bytes, chunk](std::size_t& at) {
    return [&bytes, &at, chunk](std::span<std::byte> out) -> util::Result<std::size_t> {
      const std::size_t n = std::min({out.size(), chunk, bytes.size() - at});
      std::memcpy(out.data(), bytes.data() + at, n);
      at += n;
      return n;
    };
  };
  std::size_t first_at = 0;
  PullSource first(stream(first_at), bytes.size());
  auto plan = plan_library(first);
  if (!plan.ok()) {
    return std::move(plan).error();
  }
  if (plan->kind == FileKind::not_elf) {
    return std::optional<LibraryCode>();
  }
  std::size_t second_at = 0;
  PullSource second(stream(second_at), bytes.size());
  auto code = read_library(*plan, second);
  if (!code.ok()) {
    return std::move(code).error();
  }
  return std::optional(std::move(*code));
}

template <typename T>
void put(Bytes& bytes, std::size_t at, T value)
{
  if (bytes.size() < at + sizeof value) {
    bytes.resize(at + sizeof value);
  }
  std::memcpy(bytes.data() + at, &value, sizeof value);
}

// A fatbin entry header (64 bytes) and its payload.
struct TestEntry {
  std::uint16_t kind = 2;
  std::uint32_t arch = 80;
  std::uint64_t flags = 0x11;
  Bytes payload = Bytes(16, std::byte{0x5a});
};

inline Bytes make_fatbin(const std::vector<TestEntry>& entries)
{
  Bytes body;
  for (const auto& entry : entries) {
    const std::size_t at = body.size();
    put<std::uint16_t>(body, at, entry.kind);
    put<std::uint16_t>(body, at + 2, 0x0101);
    put<std::uint32_t>(body, at + 4, 64);
    put<std::uint64_t>(body, at + 8, entry.payload.size());
    put<std::uint16_t>(body, at + 24, 0);
    put<std::uint16_t>(body, at + 26, 9);
    put<std::uint32_t>(body, at + 28, entry.arch);
    put<std::uint64_t>(body, at + 40, entry.flags);
    put<std::uint64_t>(body, at + 56, 0);
    body.insert(body.end(), entry.payload.begin(), entry.payload.end());
  }
  Bytes fatbin;
  put<std::uint32_t>(fatbin, 0, k_fatbin_magic);
  put<std::uint16_t>(fatbin, 4, 1);
  put<std::uint16_t>(fatbin, 6, 16);
  put<std::uint64_t>(fatbin, 8, body.size());
  fatbin.insert(fatbin.end(), body.begin(), body.end());
  return fatbin;
}

// A 64-bit little-endian ELF shared object: the ELF header, each section's bytes (8-aligned),
// the name table, then the section table (null section, the sections, .shstrtab).
inline Bytes make_elf(const std::vector<std::pair<std::string, Bytes>>& sections, std::uint16_t type = 3)
{
  Bytes file(64);
  const unsigned char ident[] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
  std::memcpy(file.data(), ident, sizeof ident);
  std::string names(1, '\0');
  std::vector<std::tuple<std::uint32_t, std::uint64_t, std::uint64_t>> headers;  // name, offset, size
  for (const auto& [name, bytes] : sections) {
    file.resize((file.size() + 7) & ~std::size_t{7});
    headers.emplace_back(names.size(), file.size(), bytes.size());
    names += name + '\0';
    file.insert(file.end(), bytes.begin(), bytes.end());
  }
  headers.emplace_back(names.size(), file.size(), 0);
  names += ".shstrtab";
  names += '\0';
  std::get<2>(headers.back()) = names.size();
  for (char c : names) {
    file.push_back(static_cast<std::byte>(c));
  }
  file.resize((file.size() + 7) & ~std::size_t{7});
  const std::size_t table = file.size();
  file.resize(table + 64 * (headers.size() + 1));
  for (std::size_t i = 0; i < headers.size(); ++i) {
    const std::size_t at = table + 64 * (i + 1);
    put<std::uint32_t>(file, at, std::get<0>(headers[i]));
    put<std::uint32_t>(file, at + 4, i + 1 == headers.size() ? 3 : 1);
    put<std::uint64_t>(file, at + 24, std::get<1>(headers[i]));
    put<std::uint64_t>(file, at + 32, std::get<2>(headers[i]));
  }
  put<std::uint16_t>(file, 16, type);
  put<std::uint16_t>(file, 18, 62);
  put<std::uint64_t>(file, 40, table);
  put<std::uint16_t>(file, 52, 64);
  put<std::uint16_t>(file, 58, 64);
  put<std::uint16_t>(file, 60, static_cast<std::uint16_t>(headers.size() + 1));
  put<std::uint16_t>(file, 62, static_cast<std::uint16_t>(headers.size()));
  return file;
}

// The file offset of the section header of the section starting at `offset`.
inline std::size_t section_header_at(const Bytes& file, std::uint64_t offset)
{
  std::uint64_t table = 0;
  std::uint16_t count = 0;
  std::memcpy(&table, file.data() + 40, 8);
  std::memcpy(&count, file.data() + 60, 2);
  for (std::size_t i = 0; i < count; ++i) {
    std::uint64_t at = 0;
    std::memcpy(&at, file.data() + table + 64 * i + 24, 8);
    if (at == offset) {
      return table + 64 * i;
    }
  }
  return 0;
}

}  // namespace envsetup::binary::testing
