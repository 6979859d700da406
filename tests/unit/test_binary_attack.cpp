// SPDX-License-Identifier: Apache-2.0
// Hostile inputs to `envsetup inspect`'s readers, as a package publisher, a mirror or a local
// user could craft them: ELF section tables that lie in the ways the format allows (extended
// numbering, overlapping sections, sums that overflow), fatbins in huge sparse files, files
// that change while read, folders holding FIFOs, link loops and deep nesting, zips whose
// headers disagree or repeat a name, RECORDs built to exhaust memory. Each is a value or a
// clear error for that input, never a crash, an internal error, a hang or a large allocation.
#include "test_binary_support.hpp"

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

// A file with one fatbin section (two SASS entries) and its section table's place.
struct Elf {
  Bytes bytes = make_elf({{".nv_fatbin", make_fatbin({TestEntry{}, TestEntry{.arch = 90}})}});
  std::uint64_t table() const { return load_le<std::uint64_t>(bytes, 40); }
  std::size_t header(std::size_t index) const { return static_cast<std::size_t>(table() + 64 * index); }
};

std::string error_or_summary(const Bytes& bytes)
{
  auto result = read_memory(bytes);
  if (!result.ok()) {
    EXPECT_NE(result.error().kind, util::ErrorKind::internal) << result.error().message;
    EXPECT_EQ(outcome(read_pulled(bytes, 13)), outcome(result));
  }
  return outcome(result);
}

class TempDir : public ::testing::Test {
protected:
  void SetUp() override
  {
    std::string pattern = (fs::temp_directory_path() / "envsetup-attack-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    m_dir = pattern;
  }
  void TearDown() override
  {
    std::error_code ignored;
    fs::permissions(m_dir, fs::perms::owner_all, ignored);
    fs::remove_all(m_dir, ignored);
  }
  fs::path m_dir;
};

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

// ---- files that are huge, sparse, or change while read ------------------------------------

class BinaryAttackFiles : public TempDir {
protected:
  // A sparse file of `size` bytes: `head` at 0 and `tail` at `tail_at`.
  fs::path sparse(const std::string& name, std::uint64_t size, const Bytes& head, std::uint64_t tail_at,
                  const Bytes& tail) const
  {
    const fs::path path = m_dir / name;
    util::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    EXPECT_TRUE(fd.valid());
    EXPECT_EQ(::ftruncate(fd.get(), static_cast<off_t>(size)), 0);
    EXPECT_EQ(::pwrite(fd.get(), head.data(), head.size(), 0), static_cast<ssize_t>(head.size()));
    EXPECT_EQ(::pwrite(fd.get(), tail.data(), tail.size(), static_cast<off_t>(tail_at)),
              static_cast<ssize_t>(tail.size()));
    return path;
  }
};

// An ELF header and section table at the start of a 1 GiB sparse file, one section whose
// fatbin lies at its very end.
TEST_F(BinaryAttackFiles, GigabyteSparseFileWithAFatbinAtItsEnd)
{
  constexpr std::uint64_t k_size = std::uint64_t{1} << 30;
  const Bytes fatbin = make_fatbin({TestEntry{}});
  Bytes head = make_elf({{".nv_fatbin", fatbin}});
  const std::size_t header = static_cast<std::size_t>(load_le<std::uint64_t>(head, 40) + 64);
  put<std::uint64_t>(head, header + 24, k_size - fatbin.size());
  const fs::path path = sparse("big.so", k_size, head, k_size - fatbin.size(), fatbin);
  auto source = FileSource::open(path, FileSource::FinalLink::refuse);
  ASSERT_TRUE(source.ok());
  const auto start = std::chrono::steady_clock::now();
  auto result = read_library(*source);
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(targets_text(**result), "sm_80");
  EXPECT_LE(source->reads(), 10u);
  EXPECT_LT(seconds, 0.5);
}

// One section spanning the whole sparse gigabyte: an empty fatbin, then zeros to the end. The
// zero padding between fatbins is a few bytes in real files; a gigabyte of it is not read.
TEST_F(BinaryAttackFiles, GigabyteOfZeroPaddingIsNotRead)
{
  constexpr std::uint64_t k_size = std::uint64_t{1} << 30;
  Bytes head = make_elf({{".nv_fatbin", make_fatbin({TestEntry{}})}});
  const std::size_t header = static_cast<std::size_t>(load_le<std::uint64_t>(head, 40) + 64);
  const auto offset = load_le<std::uint64_t>(head, header + 24);
  // The section runs from the fatbin to the end of the file; the table follows the fatbin, so
  // move it to the end too (the section is then cut short of it).
  const std::uint64_t table = k_size - 64 * 4;
  Bytes table_bytes(head.begin() + static_cast<std::ptrdiff_t>(load_le<std::uint64_t>(head, 40)), head.end());
  put<std::uint64_t>(table_bytes, 64 + 32, table - offset);
  put<std::uint64_t>(head, 40, table);
  const fs::path path = sparse("zeros.so", k_size, head, table, table_bytes);
  auto source = FileSource::open(path, FileSource::FinalLink::refuse);
  ASSERT_TRUE(source.ok());
  const auto start = std::chrono::steady_clock::now();
  auto result = read_library(*source);
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Either verdict is fine (the names table was overwritten by zeros): what matters is the cost.
  if (result.ok()) {
    EXPECT_EQ((*result)->fatbins.size(), 1u);
  } else {
    EXPECT_NE(result.error().kind, util::ErrorKind::internal) << result.error().message;
  }
  EXPECT_LE(source->reads(), 100u);
  EXPECT_LT(seconds, 0.5);
}

TEST_F(BinaryAttackFiles, AFileThatShrinksBetweenPassesIsAnError)
{
  Elf elf;
  const fs::path path = m_dir / "libshrink.so";
  std::ofstream(path, std::ios::binary)
    .write(reinterpret_cast<const char*>(elf.bytes.data()), static_cast<std::streamsize>(elf.bytes.size()));
  auto source = FileSource::open(path, FileSource::FinalLink::refuse);
  ASSERT_TRUE(source.ok());
  auto plan = plan_library(*source);
  ASSERT_TRUE(plan.ok());
  fs::resize_file(path, 100);
  auto code = read_library(*plan, *source);
  ASSERT_FALSE(code.ok());
  EXPECT_EQ(code.error().kind, util::ErrorKind::integrity);
  // A fresh source of the shrunk file disagrees with the plan's size.
  auto fresh = FileSource::open(path, FileSource::FinalLink::refuse);
  ASSERT_TRUE(fresh.ok());
  auto again = read_library(*plan, *fresh);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("changed between the two passes"), std::string::npos);
}

TEST_F(BinaryAttackFiles, AFileThatGrowsBetweenPassesReadsWhatItWas)
{
  Elf elf;
  const fs::path path = m_dir / "libgrow.so";
  std::ofstream(path, std::ios::binary)
    .write(reinterpret_cast<const char*>(elf.bytes.data()), static_cast<std::streamsize>(elf.bytes.size()));
  auto source = FileSource::open(path, FileSource::FinalLink::refuse);
  ASSERT_TRUE(source.ok());
  auto plan = plan_library(*source);
  ASSERT_TRUE(plan.ok());
  fs::resize_file(path, elf.bytes.size() + 4096);
  auto code = read_library(*plan, *source);
  ASSERT_TRUE(code.ok()) << code.error().message;
  EXPECT_EQ(code->fatbins.size(), 1u);
}

// ---- folders ------------------------------------------------------------------------------

std::vector<std::string> walked(const fs::path& root, util::Status* status = nullptr,
                                const LibraryWalkLimits& limits = {})
{
  util::UniqueFd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  std::vector<std::string> seen;
  auto result = walk_libraries(fd.get(), limits, [&](FoundFile& found) {
    seen.push_back(found.relative);
    Bytes head(64);
    EXPECT_GE(::pread(found.fd.get(), head.data(), head.size(), 0), 0);
    return util::ok_status();
  });
  if (status != nullptr) {
    *status = result.ok() ? util::ok_status() : util::Status(result.error());
  } else {
    EXPECT_TRUE(result.ok()) << result.error().message;
  }
  return seen;
}

TEST_F(BinaryAttackFiles, FifosDevicesAndLinkLoopsAreSkippedWithoutBlocking)
{
  ASSERT_EQ(::mkfifo((m_dir / "libfifo.so").c_str(), 0644), 0);
  fs::create_symlink("/dev/zero", m_dir / "libzero.so");
  fs::create_symlink("loop", m_dir / "loop");
  fs::create_symlink("libself.so", m_dir / "libself.so");
  fs::create_directory(m_dir / "sub");
  fs::create_directory_symlink("..", m_dir / "sub" / "up");
  std::ofstream(m_dir / "sub" / "libreal.so") << "not an ELF file";
  EXPECT_EQ(walked(m_dir), std::vector<std::string>{"sub/libreal.so"});
}

TEST_F(BinaryAttackFiles, AnUnreadableFolderIsAnErrorNotACrash)
{
  if (::geteuid() == 0) {
    GTEST_SKIP() << "root reads folders whatever their mode";
  }
  fs::create_directory(m_dir / "closed");
  fs::permissions(m_dir / "closed", fs::perms::none);
  util::Status status = util::ok_status();
  walked(m_dir, &status);
  fs::permissions(m_dir / "closed", fs::perms::owner_all);
  EXPECT_FALSE(status.ok());
}

// A tree nested past the depth limit: the walk stops with an input error naming the limit
// (not a stack overflow, not a descriptor leak).
TEST_F(BinaryAttackFiles, DeepNestingStopsAtTheLimit)
{
  fs::path deep = m_dir;
  for (int i = 0; i < 70; ++i) {
    deep /= "d";
  }
  fs::create_directories(deep);
  std::ofstream(deep / "libdeep.so") << "x";
  std::ofstream(m_dir / "libtop.so") << "x";
  util::Status status = util::ok_status();
  LibraryWalkLimits limits;
  limits.max_depth = 64;
  walked(m_dir, &status, limits);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, util::ErrorKind::input);
  EXPECT_NE(status.error().message.find("deeper than 64"), std::string::npos);
}

// ---- wheels -------------------------------------------------------------------------------

std::uint32_t crc32_of(const std::string& data)
{
  std::uint32_t crc = 0xFFFFFFFFU;
  for (const char c : data) {
    crc ^= static_cast<unsigned char>(c);
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc >> 1) ^ (0xEDB88320U & (0U - (crc & 1U)));
    }
  }
  return ~crc;
}

void put_le(std::string& out, std::uint64_t value, int bytes)
{
  for (int i = 0; i < bytes; ++i) {
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xFFU));
  }
}

// One stored member of a hand-written zip.
struct ZipMember {
  ZipMember(std::string name_, std::string data_, std::optional<std::uint32_t> central_size_ = {},
            bool descriptor_ = false, bool zip64_ = false)
    : name(std::move(name_)),
      data(std::move(data_)),
      central_size(central_size_),
      descriptor(descriptor_),
      zip64(zip64_)
  {
  }
  std::string name;
  std::string data;
  std::optional<std::uint32_t> central_size;  // what the central directory says (default: the truth)
  bool descriptor = false;                    // sizes and CRC in a data descriptor after the data
  bool zip64 = false;                         // sizes 0xFFFFFFFF with a zip64 extra field
};

std::string zip_of(const std::vector<ZipMember>& members)
{
  std::string out;
  std::string central;
  for (const ZipMember& m : members) {
    const std::uint64_t offset = out.size();
    const std::uint32_t crc = crc32_of(m.data);
    const std::uint64_t size = m.data.size();
    const std::uint32_t flags = m.descriptor ? 0x8U : 0U;
    std::string extra;
    if (m.zip64) {
      put_le(extra, 1, 2);
      put_le(extra, 16, 2);
      put_le(extra, size, 8);
      put_le(extra, size, 8);
    }
    const std::uint64_t shown = m.zip64 ? 0xFFFFFFFFU : size;
    put_le(out, 0x04034b50U, 4);
    for (const std::uint32_t field : {m.zip64 ? 45U : 20U, flags, 0U, 0U, 0x21U}) {
      put_le(out, field, 2);
    }
    put_le(out, m.descriptor ? 0 : crc, 4);
    put_le(out, m.descriptor ? 0 : shown, 4);
    put_le(out, m.descriptor ? 0 : shown, 4);
    put_le(out, m.name.size(), 2);
    put_le(out, extra.size(), 2);
    out += m.name + extra + m.data;
    if (m.descriptor) {
      put_le(out, 0x08074b50U, 4);
      put_le(out, crc, 4);
      put_le(out, size, 4);
      put_le(out, size, 4);
    }
    std::string central_extra = extra;
    put_le(central, 0x02014b50U, 4);
    for (const std::uint32_t field : {0x0314U, m.zip64 ? 45U : 20U, flags, 0U, 0U, 0x21U}) {
      put_le(central, field, 2);
    }
    put_le(central, crc, 4);
    put_le(central, shown, 4);
    put_le(central, m.central_size.value_or(static_cast<std::uint32_t>(shown)), 4);
    for (const std::uint64_t field : {std::uint64_t{m.name.size()}, std::uint64_t{central_extra.size()},
                                      std::uint64_t{0}, std::uint64_t{0}, std::uint64_t{0}}) {
      put_le(central, field, 2);
    }
    put_le(central, std::uint64_t{0100644} << 16U, 4);
    put_le(central, offset, 4);
    central += m.name + central_extra;
  }
  const std::uint64_t central_offset = out.size();
  out += central;
  put_le(out, 0x06054b50U, 4);
  for (const std::uint64_t field :
       {std::uint64_t{0}, std::uint64_t{0}, std::uint64_t{members.size()}, std::uint64_t{members.size()}}) {
    put_le(out, field, 2);
  }
  put_le(out, central.size(), 4);
  put_le(out, central_offset, 4);
  put_le(out, 0, 2);
  return out;
}

struct SeenEntry {
  std::string path;
  std::uint64_t declared = 0;
  std::string bytes;
};

util::Result<std::vector<SeenEntry>> read_zip(const fs::path& path, const std::string& zip)
{
  std::ofstream(path, std::ios::binary) << zip;
  util::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  std::vector<SeenEntry> seen;
  auto status = install::for_each_wheel_entry(
    fd, {}, [&](const install::WheelEntry& entry, install::WheelEntryStream& stream) -> util::Result<bool> {
      seen.push_back({entry.path, entry.declared_size, {}});
      std::array<std::byte, 7> buffer{};
      while (true) {
        auto got = stream.read(buffer);
        if (!got) {
          return std::move(got).error();
        }
        if (*got == 0) {
          return true;
        }
        seen.back().bytes.append(reinterpret_cast<const char*>(buffer.data()), *got);
      }
    });
  if (!status) {
    return std::move(status).error();
  }
  return seen;
}

using BinaryAttackWheel = BinaryAttackFiles;

TEST_F(BinaryAttackWheel, TheSameNameTwiceMakesTheWheelCorrupt)
{
  // Two readers of one wheel (the two passes of inspect, or an installer and inspect) could
  // each pick a different copy: such a wheel is refused.
  auto twice = read_zip(m_dir / "twice.whl", zip_of({{"a/libx.so", "first"}, {"a/libx.so", "second!"}}));
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().kind, util::ErrorKind::integrity);
  EXPECT_NE(twice.error().message.find("`a/libx.so`"), std::string::npos) << twice.error().message;
  EXPECT_NE(twice.error().message.find("more than once"), std::string::npos) << twice.error().message;
  // The same file after normalization: `a/./libx.so` and `a//libx.so` are `a/libx.so`.
  auto normalized = read_zip(m_dir / "normalized.whl", zip_of({{"a/libx.so", "1"}, {"a/./libx.so", "2"}}));
  ASSERT_FALSE(normalized.ok());
  EXPECT_NE(normalized.error().message.find("more than once"), std::string::npos);
  auto slashes = read_zip(m_dir / "slashes.whl", zip_of({{"a//libx.so", "1"}, {"a/libx.so", "2"}}));
  EXPECT_FALSE(slashes.ok());
}

TEST_F(BinaryAttackWheel, ACentralDirectoryThatLiesAboutSizesIsAnError)
{
  auto smaller = read_zip(m_dir / "smaller.whl", zip_of({{"libx.so", std::string(100, 'x'), 10}}));
  ASSERT_FALSE(smaller.ok());
  EXPECT_EQ(smaller.error().kind, util::ErrorKind::integrity);
  auto larger = read_zip(m_dir / "larger.whl", zip_of({{"libx.so", std::string(100, 'x'), 1000}}));
  ASSERT_FALSE(larger.ok());
  EXPECT_EQ(larger.error().kind, util::ErrorKind::integrity);
}

TEST_F(BinaryAttackWheel, DataDescriptorsAndZip64AreRead)
{
  ZipMember descriptor{"a/libd.so", "described", {}, true, false};
  ZipMember zip64{"a/lib64.so", "sixty-four", {}, false, true};
  auto read = read_zip(m_dir / "ok.whl", zip_of({descriptor, zip64}));
  ASSERT_TRUE(read.ok()) << read.error().message;
  ASSERT_EQ(read->size(), 2u);
  EXPECT_EQ((*read)[0].bytes, "described");
  EXPECT_EQ((*read)[1].path, "a/lib64.so");
  EXPECT_EQ((*read)[1].bytes, "sixty-four");
  EXPECT_EQ((*read)[1].declared, 10u);
}

TEST_F(BinaryAttackWheel, ControlCharactersAndDotDotInNamesAreRefusedOrEscaped)
{
  auto dots = read_zip(m_dir / "dots.whl", zip_of({{"a/../../libx.so", "x"}}));
  ASSERT_FALSE(dots.ok());
  EXPECT_NE(dots.error().message.find("unsafe path"), std::string::npos);
  auto control = read_zip(m_dir / "control.whl", zip_of({{"a/\x1b[2Jlib\x07x.so", "x"}, {"a/..", "y"}}));
  ASSERT_FALSE(control.ok());
  EXPECT_EQ(control.error().message.find('\x1b'), std::string::npos) << control.error().message;
}

// ---- RECORD -------------------------------------------------------------------------------

// A RECORD of tens of millions of one-byte rows must not cost gigabytes: the rows are bounded.
TEST_F(BinaryAttackFiles, ARecordOfMillionsOfRowsIsRefused)
{
  const fs::path info = m_dir / "bomb-1.0.dist-info";
  fs::create_directory(info);
  std::ofstream(info / "METADATA") << "Metadata-Version: 2.1\nName: bomb\nVersion: 1.0\n\n";
  {
    std::ofstream record(info / "RECORD", std::ios::binary);
    std::string block;
    for (int i = 0; i < 1 << 20; ++i) {
      block += "a\n";
    }
    for (int i = 0; i < 3; ++i) {
      record << block;  // 3 Mi rows, 6 MiB
    }
  }
  auto records = pyenv::read_records(m_dir);
  ASSERT_TRUE(records.ok()) << records.error().message;
  ASSERT_EQ(records->size(), 1u);
  const auto& record = records->front();
  ASSERT_TRUE(record.error.has_value());
  EXPECT_NE(record.error->causes.empty() ? std::string() : record.error->causes.front(), "");
  EXPECT_TRUE(record.files.empty());
}

TEST(BinaryAttack, RecordPathsLongerThanAPathAreRejected)
{
  EXPECT_FALSE(pyenv::normalize_record_path(std::string(5000, 'a')).ok());
  EXPECT_TRUE(pyenv::normalize_record_path(std::string(200, 'a') + "/x.so").ok());
}

}  // namespace
}  // namespace envsetup::binary
