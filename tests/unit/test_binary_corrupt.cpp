// SPDX-License-Identifier: Apache-2.0
// Truncated and lying binaries: each is a clear integrity error that says what and where, with
// the reinstall hint; never a crash, never a read outside the file.
#include "test_binary_support.hpp"

#include <envsetup/binary/hex.hpp>

#include <gtest/gtest.h>

namespace envsetup::binary {
namespace {

using namespace testing;

// The error message, after checking its kind and hint.
std::string error_of(const Bytes& bytes)
{
  auto result = read_memory(bytes);
  if (result.ok()) {
    return "no error: " + outcome(result);
  }
  EXPECT_EQ(result.error().kind, util::ErrorKind::integrity);
  EXPECT_FALSE(result.error().hints.empty());
  // A sequential reader reaches the same verdict.
  EXPECT_EQ(outcome(read_pulled(bytes, 13)), "error: " + result.error().message);
  return result.error().message;
}

// The fixture, and where its .nv_fatbin section and fatbin header are.
struct Fixture {
  Bytes bytes = read_bytes(fixture("sass_sm80.so"));
  std::uint64_t fatbin = 0;
  std::size_t header = 0;  // of the section
  Fixture()
  {
    auto code = read_memory(bytes);
    fatbin = (*code)->fatbins.at(0).offset;
    header = section_header_at(bytes, fatbin);
  }
  std::uint64_t entry() const { return fatbin + 16; }
};

TEST(BinaryCorrupt, TruncatedElfHeader)
{
  Bytes bytes = read_bytes(fixture("sass_sm80.so"));
  bytes.resize(40);
  EXPECT_EQ(error_of(bytes), "the ELF header (0x40 bytes) ends past the end of the file (0x28 bytes)");
}

TEST(BinaryCorrupt, TruncatedSectionTable)
{
  Bytes bytes = read_bytes(fixture("sass_sm80.so"));
  bytes.resize(bytes.size() - 100);
  EXPECT_NE(error_of(bytes).find("the section table (offset "), std::string::npos);
}

TEST(BinaryCorrupt, SectionPastTheEndOfTheFile)
{
  Fixture f;
  put<std::uint64_t>(f.bytes, f.header + 32, f.bytes.size());
  EXPECT_EQ(error_of(f.bytes), "section .nv_fatbin (offset " + hex(f.fatbin) + ", " + hex(f.bytes.size()) +
                                 " bytes) ends past the end of the file (" + hex(f.bytes.size()) + " bytes)");
  put<std::uint64_t>(f.bytes, f.header + 24, ~std::uint64_t{0} - 8);  // offset + size overflows
  EXPECT_NE(error_of(f.bytes).find("ends past the end of the file"), std::string::npos);
}

TEST(BinaryCorrupt, FatbinSizesThatLie)
{
  Fixture f;
  Bytes bytes = f.bytes;
  put<std::uint64_t>(bytes, f.fatbin + 8, 0x100000);
  EXPECT_NE(error_of(bytes).find("section .nv_fatbin (offset " + hex(f.fatbin)), std::string::npos);
  EXPECT_NE(error_of(bytes).find(": the fatbin at " + hex(f.fatbin) + " declares 0x100000 bytes of entries, past"),
            std::string::npos);
  put<std::uint64_t>(bytes, f.fatbin + 8, ~std::uint64_t{0} - 15);  // overflows when added
  EXPECT_NE(error_of(bytes).find("bytes of entries, past the section's end"), std::string::npos);
  bytes = f.bytes;
  put<std::uint16_t>(bytes, f.fatbin + 6, 8);
  EXPECT_NE(error_of(bytes).find("has header size 8, outside 16..4096"), std::string::npos);
}

TEST(BinaryCorrupt, EntrySizesThatLie)
{
  Fixture f;
  Bytes bytes = f.bytes;
  put<std::uint32_t>(bytes, f.entry() + 4, 8);
  EXPECT_NE(error_of(bytes).find("the entry at " + hex(f.entry()) + " of the fatbin at " + hex(f.fatbin) +
                                 ": header size 8 is outside 64..4096"),
            std::string::npos);
  put<std::uint32_t>(bytes, f.entry() + 4, 0xffffffff);
  EXPECT_NE(error_of(bytes).find("header size 4294967295 is outside"), std::string::npos);
  bytes = f.bytes;
  put<std::uint64_t>(bytes, f.entry() + 8, ~std::uint64_t{0});
  EXPECT_NE(error_of(bytes).find("its payload (0xffffffffffffffff bytes) ends past the fatbin's end"),
            std::string::npos);
  bytes = f.bytes;
  put<std::uint32_t>(bytes, f.entry() + 28, 0);
  EXPECT_NE(error_of(bytes).find("architecture 0 is no compute capability"), std::string::npos);
}

TEST(BinaryCorrupt, SectionCountsAndTable)
{
  Bytes bytes = read_bytes(fixture("sass_sm80.so"));
  std::uint64_t table = 0;
  std::memcpy(&table, bytes.data() + 40, 8);
  Bytes zero = bytes;
  put<std::uint16_t>(zero, 60, 0);  // the count then comes from section 0, which says 0
  EXPECT_EQ(error_of(zero), "the section table declares 0 sections (at most 262144)");
  put<std::uint64_t>(zero, table + 32, std::uint64_t{1} << 40);
  EXPECT_EQ(error_of(zero), "the section table declares 1099511627776 sections (at most 262144)");
  put<std::uint64_t>(zero, table + 32, 200000);
  EXPECT_NE(error_of(zero).find("200000 entries) ends past the end of the file"), std::string::npos);
  Bytes entry_size = bytes;
  put<std::uint16_t>(entry_size, 58, 40);
  EXPECT_EQ(error_of(entry_size), "the section table's entries are 40 bytes, not 64");
  Bytes names = bytes;
  put<std::uint16_t>(names, 62, 500);
  EXPECT_NE(error_of(names).find("the section name table index 500 is not below"), std::string::npos);
  Bytes inside_header = bytes;
  put<std::uint64_t>(inside_header, 40, 8);
  EXPECT_NE(error_of(inside_header).find("lies outside the file"), std::string::npos);
}

TEST(BinaryCorrupt, NameOutsideTheNameTable)
{
  Fixture f;
  put<std::uint32_t>(f.bytes, f.header, 0x7fffffff);
  EXPECT_NE(error_of(f.bytes).find("its name (at 0x7fffffff) does not end inside the section name table"),
            std::string::npos);
}

TEST(BinaryCorrupt, StrayBytesAfterAFatbin)
{
  Bytes section = make_fatbin({TestEntry{}});
  section.resize(section.size() + 8);  // zero padding: fine
  EXPECT_EQ(outcome(read_memory(make_elf({{".nv_fatbin", section}}))).find("error"), std::string::npos);
  section.push_back(std::byte{1});
  section.resize(section.size() + 20);
  const Bytes elf = make_elf({{".nv_fatbin", section}});
  EXPECT_NE(
    error_of(elf).find(": the bytes at " + hex(64 + 16 + 64 + 16 + 8) + " are neither zero padding nor a fatbin"),
    std::string::npos);
  // In a section nvcc does not write, the rest is ignored.
  EXPECT_EQ(targets_text(**read_memory(make_elf({{".cask_resource", section}}))), "sm_80");
}

TEST(BinaryCorrupt, OverlappingSections)
{
  Bytes section = make_fatbin({TestEntry{}});
  Bytes elf = make_elf({{".nv_fatbin", section}, {".other", Bytes(32, std::byte{7})}});
  const std::size_t other = section_header_at(elf, 64 + section.size());
  ASSERT_NE(other, 0u);
  put<std::uint64_t>(elf, other + 24, 64 + 8);  // inside the fatbin
  EXPECT_NE(error_of(elf).find("section .other (offset 0x48, 0x20 bytes) overlaps the bytes read before it"),
            std::string::npos);
}

TEST(BinaryCorrupt, UnknownKindsAndFlagsAreReportedNotFatal)
{
  TestEntry odd;
  odd.kind = 9;
  TestEntry both;
  both.flags = 0x11 | 0x2000 | 0x8000;
  TestEntry ptx;
  ptx.kind = 1;
  ptx.arch = 121;
  ptx.flags = 0x11 | 0x200000;
  const Bytes elf = make_elf({{".nv_fatbin", make_fatbin({odd, both, ptx})}});
  auto code = read_memory(elf);
  ASSERT_TRUE(code.ok()) << code.error().message;
  const auto& entries = (*code)->fatbins.at(0).entries;
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].raw_kind, 9);
  EXPECT_EQ(entries[1].compression, EmbeddedCode::Compression::unknown);
  EXPECT_EQ(targets_text(**code), "sm_80 compute_121f(9.0)");
}

TEST(BinaryCorrupt, ManyFatbinsInOneSectionAndEmptyOnes)
{
  Bytes section;
  for (int i = 0; i < 1000; ++i) {
    const Bytes one = make_fatbin({});
    section.insert(section.end(), one.begin(), one.end());
  }
  auto code = read_memory(make_elf({{".nv_fatbin", section}}));
  ASSERT_TRUE(code.ok());
  EXPECT_EQ((*code)->fatbins.size(), 1000u);
  EXPECT_TRUE((*code)->targets().empty());
}

}  // namespace
}  // namespace envsetup::binary
