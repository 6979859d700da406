// SPDX-License-Identifier: Apache-2.0
// Hostile inputs to `envsetup inspect`'s readers, as a package publisher, a mirror or a local
// user could craft them: ELF section tables that lie in the ways the format allows (extended
// numbering, overlapping sections, sums that overflow), fatbins in huge sparse files, files
// that change while read, folders holding FIFOs, link loops and deep nesting, zips whose
// headers disagree or repeat a name, RECORDs built to exhaust memory. Each is a value or a
// clear error for that input, never a crash, an internal error, a hang or a large allocation.

#include "attack_support.hpp"

#include <envsetup/binary/file_source.hpp>
#include <envsetup/binary/library_files.hpp>
#include <envsetup/install/wheel_reader.hpp>
#include <envsetup/pyenv/record.hpp>

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <fstream>
#include <optional>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace envsetup::binary {
namespace {

using namespace testing;
namespace fs = std::filesystem;


std::string error_or_summary(const Bytes& bytes)
{
  auto result = read_memory(bytes);
  if (!result.ok()) {
    EXPECT_NE(result.error().kind, util::ErrorKind::internal) << result.error().message;
    EXPECT_EQ(outcome(read_pulled(bytes, 13)), outcome(result));
  }
  return outcome(result);
}

// ---- ELF section tables -------------------------------------------------------------------

TEST(BinaryAttack, ExtendedSectionNumberingReadsAsTheHeaderWould)
{
  Elf elf;
  const std::string expected = outcome(read_memory(elf.bytes));
  ASSERT_NE(expected.find(".nv_fatbin"), std::string::npos) << expected;
  const auto count = load_le<std::uint16_t>(elf.bytes, 60);
  const auto names = load_le<std::uint16_t>(elf.bytes, 62);
  put<std::uint16_t>(elf.bytes, 60, 0);  // e_shnum = 0: the count is section 0's sh_size
  put<std::uint64_t>(elf.bytes, elf.header(0) + 32, count);
  put<std::uint16_t>(elf.bytes, 62, 0xffff);  // SHN_XINDEX: the index is section 0's sh_link
  put<std::uint32_t>(elf.bytes, elf.header(0) + 40, names);
  EXPECT_EQ(error_or_summary(elf.bytes), expected);
}

TEST(BinaryAttack, ExtendedNumberingWithAHugeCountIsRefused)
{
  Elf elf;
  put<std::uint16_t>(elf.bytes, 60, 0);
  put<std::uint64_t>(elf.bytes, elf.header(0) + 32, ~std::uint64_t{0});
  EXPECT_NE(error_or_summary(elf.bytes).find("sections (at most"), std::string::npos);
  put<std::uint64_t>(elf.bytes, elf.header(0) + 32, 0);  // no count anywhere
  EXPECT_NE(error_or_summary(elf.bytes).find("declares 0 sections"), std::string::npos);
  put<std::uint64_t>(elf.bytes, elf.header(0) + 32, 1u << 18);  // allowed, but not in the file
  EXPECT_NE(error_or_summary(elf.bytes).find("ends past the end of the file"), std::string::npos);
}

TEST(BinaryAttack, NameIndexBeyondTheTableViaXindexIsRefused)
{
  Elf elf;
  put<std::uint16_t>(elf.bytes, 62, 0xffff);
  put<std::uint32_t>(elf.bytes, elf.header(0) + 40, 0xfffffff0);
  EXPECT_NE(error_or_summary(elf.bytes).find("is not below the section count"), std::string::npos);
}

TEST(BinaryAttack, HugeSectionEntrySizeIsRefused)
{
  Elf elf;
  put<std::uint16_t>(elf.bytes, 58, 0xffff);
  EXPECT_EQ(error_or_summary(elf.bytes), "error: the section table's entries are 65535 bytes, not 64");
}

TEST(BinaryAttack, NobitsSectionsPastTheEndAreIgnored)
{
  Bytes bytes = make_elf({{".nv_fatbin", make_fatbin({TestEntry{}})}, {".bss", Bytes(8)}});
  const std::string expected = outcome(read_memory(bytes));
  // Section 2 is .bss: make it NOBITS, far past the end, with a size that overflows any sum.
  const std::size_t at = static_cast<std::size_t>(load_le<std::uint64_t>(bytes, 40) + 64 * 2);
  put<std::uint32_t>(bytes, at + 4, k_sht_nobits);
  put<std::uint64_t>(bytes, at + 24, ~std::uint64_t{0} - 4);
  put<std::uint64_t>(bytes, at + 32, ~std::uint64_t{0});
  EXPECT_EQ(error_or_summary(bytes), expected);
}

TEST(BinaryAttack, OffsetPlusSizeThatOverflowsIsAnError)
{
  Elf elf;
  put<std::uint64_t>(elf.bytes, elf.header(1) + 24, ~std::uint64_t{0} - 8);
  put<std::uint64_t>(elf.bytes, elf.header(1) + 32, 0x100);
  EXPECT_NE(error_or_summary(elf.bytes).find("ends past the end of the file"), std::string::npos);
  put<std::uint64_t>(elf.bytes, elf.header(1) + 24, 64);
  put<std::uint64_t>(elf.bytes, elf.header(1) + 32, ~std::uint64_t{0} - 32);
  EXPECT_NE(error_or_summary(elf.bytes).find("ends past the end of the file"), std::string::npos);
}

TEST(BinaryAttack, NameTablePointingIntoAFatbinIsAnOverlap)
{
  Elf elf;
  const auto fatbin = load_le<std::uint64_t>(elf.bytes, elf.header(1) + 24);
  put<std::uint64_t>(elf.bytes, elf.header(2) + 24, fatbin);  // .shstrtab = the fatbin's bytes
  EXPECT_NE(error_or_summary(elf.bytes).find("overlaps the bytes read before it"), std::string::npos);
  put<std::uint64_t>(elf.bytes, elf.header(2) + 24, fatbin + 20);  // inside it
  EXPECT_NE(error_or_summary(elf.bytes).find("overlaps the bytes read before it"), std::string::npos);
}

// The fatbin fails deep inside (the second entry's header size lies) and the name table lies
// inside the fatbin before the failure: the reader must still report the fatbin's error, not
// an internal "went back" error from reading the names behind the failed read.
TEST(BinaryAttack, NameTableInsideAFailedFatbinKeepsTheFatbinsError)
{
  Elf elf;
  const auto fatbin = load_le<std::uint64_t>(elf.bytes, elf.header(1) + 24);
  const std::uint64_t second_entry = fatbin + 16 + 64 + 16;
  put<std::uint32_t>(elf.bytes, second_entry + 4, 5);  // header size 5
  put<std::uint64_t>(elf.bytes, elf.header(2) + 24, fatbin + 16);
  put<std::uint64_t>(elf.bytes, elf.header(2) + 32, 16);
  const std::string result = error_or_summary(elf.bytes);
  EXPECT_NE(result.find("header size 5 is outside"), std::string::npos) << result;
}

TEST(BinaryAttack, OverlappingSectionsWithTheSameOffsetAreAnError)
{
  Bytes fat = make_fatbin({TestEntry{}});
  Bytes bytes = make_elf({{".nv_fatbin", fat}, {"__nv_relfatbin", fat}});
  const std::size_t second = static_cast<std::size_t>(load_le<std::uint64_t>(bytes, 40) + 64 * 2);
  put<std::uint64_t>(bytes, second + 24, load_le<std::uint64_t>(bytes, second - 64 + 24));
  EXPECT_NE(error_or_summary(bytes).find("overlaps"), std::string::npos);
}

// ---- fatbins ------------------------------------------------------------------------------

TEST(BinaryAttack, EntryHeaderSizesThatLieAreBounded)
{
  for (const std::uint32_t size : {0u, 63u, 4097u, 0xffffffffu}) {
    Elf elf;
    const auto fatbin = load_le<std::uint64_t>(elf.bytes, elf.header(1) + 24);
    put<std::uint32_t>(elf.bytes, fatbin + 16 + 4, size);
    EXPECT_NE(error_or_summary(elf.bytes).find("header size " + std::to_string(size)), std::string::npos) << size;
  }
  Elf elf;  // a header of 4096 bytes that swallows the rest: the fatbin's end bounds it
  const auto fatbin = load_le<std::uint64_t>(elf.bytes, elf.header(1) + 24);
  put<std::uint32_t>(elf.bytes, fatbin + 16 + 4, 4096);
  EXPECT_NE(error_or_summary(elf.bytes).find("or the fatbin"), std::string::npos);
}

TEST(BinaryAttack, FatbinSizesThatOverflowAreErrors)
{
  Elf elf;
  const auto fatbin = load_le<std::uint64_t>(elf.bytes, elf.header(1) + 24);
  put<std::uint64_t>(elf.bytes, fatbin + 8, ~std::uint64_t{0} - 8);  // fat_size
  EXPECT_NE(error_or_summary(elf.bytes).find("bytes of entries, past the section's end"), std::string::npos);
  Elf entry;
  put<std::uint64_t>(entry.bytes, fatbin + 16 + 8, ~std::uint64_t{0} - 32);  // payload size
  EXPECT_NE(error_or_summary(entry.bytes).find("ends past the fatbin's end"), std::string::npos);
}

// A cubin entry whose payload is an ELF file declaring 2^18 sections (extended numbering):
// the toolkit note reader must not read or keep a 16 MiB section table for it.
TEST(BinaryAttack, CubinClaimingAGiantSectionTableIsNotRead)
{
  TestEntry cubin;
  cubin.flags = 0x11;
  cubin.payload = Bytes((std::size_t{1} << 18) * 64 + 128);
  const unsigned char ident[] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
  std::memcpy(cubin.payload.data(), ident, sizeof ident);
  put<std::uint64_t>(cubin.payload, 40, 64);  // e_shoff
  put<std::uint16_t>(cubin.payload, 58, 64);
  put<std::uint16_t>(cubin.payload, 60, 0);
  put<std::uint64_t>(cubin.payload, 64 + 32, std::uint64_t{1} << 18);
  const Bytes bytes = make_elf({{".nv_fatbin", make_fatbin({cubin})}});
  MemorySource memory(bytes);
  struct Counting final : ByteSource {
    explicit Counting(ByteSource& base) : m_base(base) {}
    util::Status read(std::uint64_t offset, std::span<std::byte> out) override
    {
      largest = std::max<std::uint64_t>(largest, out.size());
      total += out.size();
      return m_base.read(offset, out);
    }
    std::uint64_t size() const override { return m_base.size(); }
    bool sequential() const override { return false; }
    ByteSource& m_base;
    std::uint64_t largest = 0;
    std::uint64_t total = 0;
  } counting(memory);
  auto result = read_library(counting);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ((*result)->fatbins.at(0).entries.size(), 1u);
  EXPECT_FALSE((*result)->fatbins.at(0).toolkit);
  EXPECT_LE(counting.largest, std::uint64_t{1} << 20) << "one read of " << counting.largest << " bytes";
}

}  // namespace
}  // namespace envsetup::binary
