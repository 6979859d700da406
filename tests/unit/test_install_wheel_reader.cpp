// SPDX-License-Identifier: Apache-2.0
// WheelReader on real zips: written by libarchive (archive_builder, deflated) and by a small
// stored-zip writer below that can lie in every header field. Each attack checks the error's
// kind and that its message names the entry.
#include "archive_builder.hpp"

#include <envsetup/install/wheel_reader.hpp>
#include <envsetup/util/fs.hpp>

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace envsetup::testing {
namespace {

namespace fs = std::filesystem;
using install::for_each_wheel_entry;
using install::WheelEntry;
using install::WheelEntryStream;
using install::WheelLimits;

// One stored (uncompressed) member of a hand-written zip; the sizes default to the truth.
struct RawMember {
  RawMember(std::string name_, std::string data_, std::optional<std::uint32_t> size_ = {},
            std::optional<std::uint32_t> local_size_ = {}, std::optional<std::uint32_t> crc_ = {})
    : name(std::move(name_)), data(std::move(data_)), size(size_), local_size(local_size_), crc(crc_)
  {
  }
  std::string name;
  std::string data;
  std::optional<std::uint32_t> size;        // the uncompressed size both headers declare
  std::optional<std::uint32_t> local_size;  // the local header's, when it must disagree
  std::optional<std::uint32_t> crc;
  std::uint32_t unix_mode = 0100644;
  bool utf8 = false;
};

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

void put(std::string& out, std::uint32_t value, int bytes)
{
  for (int i = 0; i < bytes; ++i) {
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xFFU));
  }
}

// A zip of `members` stored as they say (version 2.0, unix attributes, no extra fields).
std::string raw_zip(const std::vector<RawMember>& members)
{
  std::string out;
  std::string central;
  for (const RawMember& m : members) {
    const auto offset = static_cast<std::uint32_t>(out.size());
    const std::uint32_t crc = m.crc.value_or(crc32_of(m.data));
    const auto stored = static_cast<std::uint32_t>(m.data.size());
    const std::uint32_t size = m.size.value_or(stored);
    const std::uint32_t flags = m.utf8 ? 0x800U : 0U;
    const auto name_size = static_cast<std::uint32_t>(m.name.size());
    put(out, 0x04034b50U, 4);
    for (const std::uint32_t field : {20U, flags, 0U, 0U, 0x21U}) {  // version, flags, stored, time, date
      put(out, field, 2);
    }
    put(out, crc, 4);
    put(out, stored, 4);
    put(out, m.local_size.value_or(size), 4);
    put(out, name_size, 2);
    put(out, 0, 2);
    out += m.name + m.data;
    put(central, 0x02014b50U, 4);
    for (const std::uint32_t field : {0x0314U, 20U, flags, 0U, 0U, 0x21U}) {  // made by unix 2.0, needed
      put(central, field, 2);
    }
    put(central, crc, 4);
    put(central, stored, 4);
    put(central, size, 4);
    for (const std::uint32_t field : {name_size, 0U, 0U, 0U, 0U}) {  // name, extra, comment, disk, internal
      put(central, field, 2);
    }
    put(central, m.unix_mode << 16U, 4);
    put(central, offset, 4);
    central += m.name;
  }
  const auto central_offset = static_cast<std::uint32_t>(out.size());
  out += central;
  put(out, 0x06054b50U, 4);
  const auto count = static_cast<std::uint32_t>(members.size());
  for (const std::uint32_t field : {0U, 0U, count, count}) {
    put(out, field, 2);
  }
  put(out, static_cast<std::uint32_t>(central.size()), 4);
  put(out, central_offset, 4);
  put(out, 0, 2);
  return out;
}

// What a visit saw: each entry and, when read, its bytes.
struct Seen {
  WheelEntry entry;
  std::optional<std::string> bytes;
};

// Reads `stream` to its end in pieces of `chunk` bytes.
util::Result<std::string> read_all(WheelEntryStream& stream, std::size_t chunk = 4096)
{
  std::string data;
  std::vector<std::byte> buffer(chunk);
  while (true) {
    auto got = stream.read(buffer);
    if (!got) {
      return std::move(got).error();
    }
    if (*got == 0) {
      return data;
    }
    data.append(reinterpret_cast<const char*>(buffer.data()), *got);
  }
}

std::string describe(const util::Error& error)
{
  std::string text = error.message;
  for (const std::string& cause : error.causes) {
    text += "\n  cause: " + cause;
  }
  return text;
}

class WheelReader : public ::testing::Test {
protected:
  void SetUp() override
  {
    std::string pattern = (fs::temp_directory_path() / "envsetup-wheel-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    m_dir = pattern;
  }
  void TearDown() override { fs::remove_all(m_dir); }

  fs::path write_bytes(const std::string& name, const std::string& bytes) const
  {
    const fs::path path = m_dir / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  fs::path write_zip(const std::string& name, const std::vector<ArchiveMember>& members) const
  {
    const fs::path path = m_dir / name;
    EXPECT_EQ(write_archive(path, members, ArchiveFormat::zip), "");
    return path;
  }

  static util::UniqueFd open_file(const fs::path& path)
  {
    util::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    EXPECT_TRUE(fd.valid()) << path;
    return fd;
  }

  // Visits every entry of `path`, reading the regular files for which `read` says so.
  static util::Result<std::vector<Seen>> visit_all(const fs::path& path, const WheelLimits& limits = {},
                                                   const std::function<bool(const WheelEntry&)>& read = {})
  {
    const util::UniqueFd fd = open_file(path);
    std::vector<Seen> seen;
    auto status = for_each_wheel_entry(fd, limits, [&](const WheelEntry& entry, WheelEntryStream& stream) {
      seen.push_back({entry, std::nullopt});
      if (!read || read(entry)) {
        auto bytes = read_all(stream);
        if (!bytes) {
          return util::Result<bool>(std::move(bytes).error());
        }
        seen.back().bytes = std::move(bytes).value();
      }
      return util::Result<bool>(true);
    });
    if (!status) {
      return std::move(status).error();
    }
    return seen;
  }

  fs::path m_dir;
};

std::string random_text(std::size_t size, unsigned seed)
{
  std::mt19937 random(seed);
  std::string text(size, '\0');
  for (char& c : text) {
    c = static_cast<char>('a' + random() % 26);
  }
  return text;
}

}  // namespace

TEST_F(WheelReader, StreamsEntriesInOrderWithTheirBytes)
{
  const std::string big = random_text(300000, 1);
  const fs::path wheel =
    write_zip("pkg-1.0-py3-none-any.whl",
              {dir_member("pkg/"), file_member("pkg/__init__.py", "x = 1\n"), file_member("./pkg//lib/libk.so", big),
               symlink_member("pkg/link.so", "lib/libk.so"), file_member("pkg-1.0.dist-info/RECORD", "")});
  const auto seen = visit_all(wheel);
  ASSERT_TRUE(seen) << describe(seen.error());
  ASSERT_EQ(seen->size(), 5U);
  EXPECT_EQ((*seen)[0].entry.path, "pkg");
  EXPECT_FALSE((*seen)[0].entry.regular_file);
  EXPECT_EQ((*seen)[1].entry.path, "pkg/__init__.py");
  EXPECT_TRUE((*seen)[1].entry.regular_file);
  EXPECT_EQ((*seen)[1].entry.declared_size, 6U);
  EXPECT_EQ((*seen)[1].bytes, "x = 1\n");
  EXPECT_EQ((*seen)[2].entry.path, "pkg/lib/libk.so");  // normalized
  EXPECT_EQ((*seen)[2].entry.declared_size, big.size());
  EXPECT_EQ((*seen)[2].bytes, big);
  EXPECT_EQ((*seen)[3].entry.path, "pkg/link.so");  // a link is never followed: no bytes
  EXPECT_FALSE((*seen)[3].entry.regular_file);
  EXPECT_EQ((*seen)[3].bytes, "");
  EXPECT_EQ((*seen)[4].entry.path, "pkg-1.0.dist-info/RECORD");
  EXPECT_EQ((*seen)[4].bytes, "");
}

TEST_F(WheelReader, ReadsInSmallPiecesAndTwiceOnOneDescriptorWithoutMovingItsOffset)
{
  const std::string big = random_text(100000, 2);
  const fs::path wheel = write_zip("two.whl", {file_member("a.so", big), file_member("b.txt", "bee")});
  const util::UniqueFd fd = open_file(wheel);
  ASSERT_EQ(::lseek(fd.get(), 5, SEEK_SET), 5);
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<std::string> bytes;
    const auto status = for_each_wheel_entry(fd, {}, [&](const WheelEntry&, WheelEntryStream& stream) {
      auto data = read_all(stream, 7);
      if (!data) {
        return util::Result<bool>(std::move(data).error());
      }
      bytes.push_back(*data);
      return util::Result<bool>(true);
    });
    ASSERT_TRUE(status) << describe(status.error());
    EXPECT_EQ(bytes, (std::vector<std::string>{big, "bee"})) << "pass " << pass;
    EXPECT_EQ(::lseek(fd.get(), 0, SEEK_CUR), 5);
  }
}

TEST_F(WheelReader, TheVisitorStopsOrFailsTheVisit)
{
  const fs::path wheel = write_zip("stop.whl", {file_member("a", "1"), file_member("b", "2"), file_member("c", "3")});
  const util::UniqueFd fd = open_file(wheel);
  int calls = 0;
  auto status =
    for_each_wheel_entry(fd, {}, [&](const WheelEntry&, WheelEntryStream&) { return util::Result<bool>(++calls < 2); });
  EXPECT_TRUE(status);
  EXPECT_EQ(calls, 2);
  status = for_each_wheel_entry(fd, {}, [&](const WheelEntry& entry, WheelEntryStream&) {
    return util::Result<bool>(util::make_error(util::ErrorKind::input, "visitor says no to " + entry.path));
  });
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().kind, util::ErrorKind::input);
  EXPECT_EQ(status.error().message, "visitor says no to a");
}

// Entry data that is never read is never decompressed: corrupt deflate data in the first
// entry fails only a visit that reads it.
TEST_F(WheelReader, UnreadEntriesAreSkippedWithoutDecompressing)
{
  const fs::path wheel = write_zip(
    "skip.whl", {file_member("first.so", random_text(200000, 3)), file_member("second.txt", "still readable")});
  std::string bytes = util::read_file(wheel).value();
  ASSERT_EQ(bytes.compare(0, 4, "PK\x03\x04"), 0);
  const std::size_t data = 30 + static_cast<unsigned char>(bytes[26]) + 256U * static_cast<unsigned char>(bytes[27]) +
                           static_cast<unsigned char>(bytes[28]) + 256U * static_cast<unsigned char>(bytes[29]);
  for (std::size_t at = data + 1000; at < data + 1100; ++at) {
    bytes[at] = static_cast<char>(~bytes[at]);
  }
  const fs::path corrupt = write_bytes("corrupt.whl", bytes);
  const auto skipped = visit_all(corrupt, {}, [](const WheelEntry& entry) { return entry.path != "first.so"; });
  ASSERT_TRUE(skipped) << describe(skipped.error());
  ASSERT_EQ(skipped->size(), 2U);
  EXPECT_EQ((*skipped)[1].bytes, "still readable");
  const auto read = visit_all(corrupt);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().kind, util::ErrorKind::integrity);
  EXPECT_EQ(read.error().message, "cannot read entry `first.so` of the wheel") << describe(read.error());
  EXPECT_FALSE(read.error().causes.empty());
}

// 200 MB of zeros deflate to about 200 KB: past 200 x that + 16 MiB. Refused on the first
// read, before a byte is decompressed.
TEST_F(WheelReader, AZipBombIsRefusedByItsDeclaredSize)
{
  const fs::path wheel =
    write_zip("bomb.whl", {file_member("ok.txt", "fine"), zeros_member("bomb/zeros.so", 200000000)});
  const std::uint64_t budget = install::expansion_budget(fs::file_size(wheel), 200, 64ULL << 30);
  ASSERT_LT(budget, 200000000U);
  const auto seen = visit_all(wheel);
  ASSERT_FALSE(seen);
  EXPECT_EQ(seen.error().kind, util::ErrorKind::integrity);
  EXPECT_EQ(seen.error().message, "entry `bomb/zeros.so` of the wheel expands past the wheel's limit of " +
                                    std::to_string(budget) + " bytes");
  ASSERT_EQ(seen.error().causes.size(), 1U);
  EXPECT_EQ(seen.error().causes[0],
            "it declares 200000000 bytes; " + std::to_string(budget - 4) + " bytes of the limit are left");
  // Listing it without reading it is fine.
  EXPECT_TRUE(visit_all(wheel, {}, [](const WheelEntry&) { return false; }));
}

// The budget is the wheel's, shared by its entries; max_total_bytes bounds it too.
TEST_F(WheelReader, TheLimitCountsEveryEntryRead)
{
  std::vector<ArchiveMember> members;
  for (int i = 0; i < 6; ++i) {
    members.push_back(zeros_member("z" + std::to_string(i), 1U << 20));
  }
  const fs::path wheel = write_zip("many.whl", members);
  WheelLimits limits;
  limits.max_total_bytes = (3U << 20) + 10;
  const auto seen = visit_all(wheel, limits);
  ASSERT_FALSE(seen);
  EXPECT_EQ(seen.error().message, "entry `z3` of the wheel expands past the wheel's limit of " +
                                    std::to_string(limits.max_total_bytes) + " bytes");
  ASSERT_EQ(seen.error().causes.size(), 1U);
  EXPECT_EQ(seen.error().causes[0], "it declares 1048576 bytes; 10 bytes of the limit are left");
  limits.max_total_bytes = 6U << 20;
  EXPECT_TRUE(visit_all(wheel, limits));
}

TEST_F(WheelReader, ExpansionBudgetSaturates)
{
  EXPECT_EQ(install::expansion_budget(1000, 200, 1ULL << 40), 200000U + (16U << 20));
  EXPECT_EQ(install::expansion_budget(1000, 200, 5000), 5000U);
  EXPECT_EQ(install::expansion_budget(UINT64_MAX / 2, 200, UINT64_MAX), UINT64_MAX);
  EXPECT_EQ(install::expansion_budget(10, 0, 77), 77U);
  EXPECT_EQ(install::expansion_budget(10, 0, UINT64_MAX), 16U << 20);
}

// A visitor that ignores a stream error does not get past it.
TEST_F(WheelReader, AStreamErrorStandsWhenTheVisitorIgnoresIt)
{
  const fs::path wheel = write_zip("ignored.whl", {zeros_member("bomb.so", 50000000), file_member("next", "n")});
  const util::UniqueFd fd = open_file(wheel);
  WheelLimits limits;
  limits.max_total_bytes = 1000;
  std::vector<std::string> paths;
  const auto status = for_each_wheel_entry(fd, limits, [&](const WheelEntry& entry, WheelEntryStream& stream) {
    paths.push_back(entry.path);
    std::array<std::byte, 16> buffer{};
    EXPECT_FALSE(stream.read(buffer));
    EXPECT_FALSE(stream.read(buffer));  // the same error again
    return util::Result<bool>(true);
  });
  ASSERT_FALSE(status);
  EXPECT_EQ(paths, std::vector<std::string>{"bomb.so"});
  EXPECT_EQ(status.error().message, "entry `bomb.so` of the wheel expands past the wheel's limit of 1000 bytes");
}

TEST_F(WheelReader, AnEntryHoldingMoreThanItDeclaresIsRefused)
{
  const fs::path wheel = write_bytes("liar.whl", raw_zip({{"small.so", std::string(5000, 'x'), 10}}));
  const auto seen = visit_all(wheel);
  ASSERT_FALSE(seen);
  EXPECT_EQ(seen.error().kind, util::ErrorKind::integrity);
  EXPECT_EQ(seen.error().message, "entry `small.so` of the wheel holds more than its declared 10 bytes");
}

TEST_F(WheelReader, AnEntryHoldingLessThanItDeclaresIsRefused)
{
  const fs::path wheel = write_bytes("short.whl", raw_zip({{"short.so", "12345", 100}}));
  const auto seen = visit_all(wheel);
  ASSERT_FALSE(seen);
  EXPECT_EQ(seen.error().kind, util::ErrorKind::integrity);
  // libarchive notices it at the entry's end; the reader's own check is the backstop.
  const std::string& message = seen.error().message;
  EXPECT_TRUE(message == "cannot read entry `short.so` of the wheel" ||
              message == "entry `short.so` of the wheel holds 5 bytes, fewer than its declared 100 bytes")
    << describe(seen.error());
}

TEST_F(WheelReader, ABadChecksumFailsTheRead)
{
  const fs::path wheel = write_bytes("crc.whl", raw_zip({{"a.so", "payload", std::nullopt, std::nullopt, 1234}}));
  const auto seen = visit_all(wheel);
  ASSERT_FALSE(seen);
  EXPECT_EQ(seen.error().message, "cannot read entry `a.so` of the wheel");
  ASSERT_FALSE(seen.error().causes.empty());
  EXPECT_NE(seen.error().causes[0].find("CRC"), std::string::npos) << describe(seen.error());
}

// The local header and the central directory must agree (two readers of one zip could
// otherwise see different files).
TEST_F(WheelReader, HeadersThatDisagreeAreRefused)
{
  const fs::path wheel = write_bytes("two-faced.whl", raw_zip({{"ok", "fine"}, {"b.so", "abcdef", std::nullopt, 3}}));
  const auto seen = visit_all(wheel);
  ASSERT_FALSE(seen);
  EXPECT_EQ(seen.error().kind, util::ErrorKind::integrity);
  EXPECT_EQ(seen.error().message, "cannot read the wheel after entry `ok`") << describe(seen.error());
}

TEST_F(WheelReader, Utf8NamesAreReportedAsWritten)
{
  RawMember member{"pkg/caf\xc3\xa9.so", "x"};
  member.utf8 = true;
  const fs::path wheel = write_bytes("utf8.whl", raw_zip({member}));
  const auto seen = visit_all(wheel);
  ASSERT_TRUE(seen) << describe(seen.error());
  ASSERT_EQ(seen->size(), 1U);
  EXPECT_EQ((*seen)[0].entry.path, "pkg/caf\xc3\xa9.so");
}

TEST_F(WheelReader, UnsafePathsMakeTheWheelCorrupt)
{
  for (const std::string name : {"../evil.so", "/etc/evil.so", "pkg/../../evil.so", "./"}) {
    const bool folder = name == "./";
    RawMember bad{name, folder ? "" : "x"};
    if (folder) {
      bad.unix_mode = 040755;
    }
    const fs::path wheel = write_bytes("unsafe.whl", raw_zip({{"pkg/ok.py", "ok"}, bad, {"pkg/after", "a"}}));
    const auto seen = visit_all(wheel);
    if (folder) {  // "./" is the top folder itself: nothing to report
      ASSERT_TRUE(seen) << describe(seen.error());
      EXPECT_EQ(seen->size(), 2U);
      continue;
    }
    ASSERT_FALSE(seen) << name;
    EXPECT_EQ(seen.error().kind, util::ErrorKind::integrity);
    EXPECT_EQ(seen.error().message, "entry `" + name + "` of the wheel has an unsafe path");
    EXPECT_FALSE(seen.error().causes.empty());
  }
  const fs::path nameless = write_bytes("nameless.whl", raw_zip({{".", "data"}}));
  const auto seen = visit_all(nameless);
  ASSERT_FALSE(seen);
  EXPECT_EQ(seen.error().message, "entry `.` of the wheel has an unsafe path");
  EXPECT_EQ(seen.error().causes, std::vector<std::string>{"the path names nothing"});
}

TEST_F(WheelReader, ControlCharactersInNamesAreEscapedInErrors)
{
  const fs::path wheel = write_bytes("escape.whl", raw_zip({{"../\x1b[31mred", "x"}}));
  const auto seen = visit_all(wheel);
  ASSERT_FALSE(seen);
  EXPECT_EQ(seen.error().message, "entry `../\\x1b[31mred` of the wheel has an unsafe path");
}

TEST_F(WheelReader, TooManyEntries)
{
  const fs::path wheel = write_bytes("count.whl", raw_zip({{"a", "1"}, {"b", "2"}, {"c", "3"}}));
  WheelLimits limits;
  limits.max_entries = 2;
  const auto seen = visit_all(wheel, limits);
  ASSERT_FALSE(seen);
  EXPECT_EQ(seen.error().kind, util::ErrorKind::integrity);
  EXPECT_EQ(seen.error().message, "the wheel has more than 2 entries");
  limits.max_entries = 3;
  EXPECT_TRUE(visit_all(wheel, limits));
}

// libarchive's seekable reader does not take a zip without entries; no wheel is one (it
// holds at least its .dist-info).
TEST_F(WheelReader, AnEmptyZipIsNotAWheel)
{
  const auto seen = visit_all(write_bytes("empty.whl", raw_zip({})));
  ASSERT_FALSE(seen);
  EXPECT_EQ(seen.error().message, "the wheel is a corrupt or truncated zip archive");
}

TEST_F(WheelReader, NotAZip)
{
  const fs::path tar = m_dir / "a.tar";
  ASSERT_EQ(write_archive(tar, {file_member("a", "b")}, ArchiveFormat::tar), "");
  for (const fs::path& path :
       {write_bytes("text.whl", "just some text, long enough to be read\n"), write_bytes("empty.whl", ""), tar}) {
    const auto seen = visit_all(path);
    ASSERT_FALSE(seen) << path;
    EXPECT_EQ(seen.error().kind, util::ErrorKind::integrity);
    EXPECT_EQ(seen.error().message, "the wheel is not a zip archive") << path;
    EXPECT_FALSE(seen.error().hints.empty());
  }
}

// Every truncation of a zip is an error (the central directory is at the end), never a crash.
TEST_F(WheelReader, TruncatedZipsAreErrors)
{
  const fs::path wheel = write_zip("full.whl", {file_member("a.so", random_text(3000, 4)), file_member("b", "bee")});
  const std::string bytes = util::read_file(wheel).value();
  for (std::size_t size = 4; size < bytes.size(); size += size < 64 ? 1 : 37) {
    const auto seen = visit_all(write_bytes("cut.whl", bytes.substr(0, size)));
    ASSERT_FALSE(seen) << size;
    EXPECT_EQ(seen.error().kind, util::ErrorKind::integrity) << size;
    EXPECT_EQ(seen.error().message, "the wheel is a corrupt or truncated zip archive") << size;
  }
}

TEST_F(WheelReader, NotARegularFile)
{
  const util::UniqueFd folder(::open(m_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(folder.valid());
  auto status =
    for_each_wheel_entry(folder, {}, [](const WheelEntry&, WheelEntryStream&) { return util::Result<bool>(true); });
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().kind, util::ErrorKind::io);
  EXPECT_EQ(status.error().message, "the wheel is not a regular file");
  const util::UniqueFd closed;
  status =
    for_each_wheel_entry(closed, {}, [](const WheelEntry&, WheelEntryStream&) { return util::Result<bool>(true); });
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().kind, util::ErrorKind::io);
  EXPECT_EQ(status.error().message, "cannot read the wheel");
}

// A real wheel (pip's, bundled with the host's python3) read as Python's zipfile reads it.
TEST_F(WheelReader, ReadsARealWheelAsPythonsZipfileDoes)
{
  const fs::path listing = m_dir / "listing.txt";
  const std::string script =
    "import ensurepip, glob, os, sys, zipfile\n"
    "wheels = sorted(glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), '_bundled', '*.whl')))\n"
    "if not wheels: sys.exit(3)\n"
    "out = open(sys.argv[1], 'w')\n"
    "print(wheels[0], file=out)\n"
    "for info in zipfile.ZipFile(wheels[0]).infolist():\n"
    "    print(info.filename.rstrip('/'), info.file_size, int(not info.is_dir()), file=out)\n";
  const fs::path script_file = write_bytes("list.py", script);
  const std::string command = "python3 '" + script_file.string() + "' '" + listing.string() + "' > /dev/null 2>&1";
  if (std::system(command.c_str()) != 0) {
    GTEST_SKIP() << "no python3 with a bundled pip wheel on this host";
  }
  std::ifstream in(listing);
  std::string wheel;
  std::getline(in, wheel);
  std::vector<std::string> expected;
  for (std::string line; std::getline(in, line);) {
    expected.push_back(line);
  }
  const auto seen = visit_all(wheel);
  ASSERT_TRUE(seen) << wheel << ": " << describe(seen.error());
  std::vector<std::string> got;
  for (const Seen& one : *seen) {
    EXPECT_EQ(one.bytes->size(), one.entry.declared_size) << one.entry.path;
    got.push_back(one.entry.path + " " + std::to_string(one.entry.declared_size) + " " +
                  std::to_string(int{one.entry.regular_file}));
  }
  EXPECT_EQ(got, expected) << wheel;
  EXPECT_GT(got.size(), 100U);
}

}  // namespace envsetup::testing
