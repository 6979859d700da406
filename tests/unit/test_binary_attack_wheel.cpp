// SPDX-License-Identifier: Apache-2.0
// Hostile wheels for `envsetup inspect`: zips whose headers disagree or repeat a name, data
// descriptors, zip64, unsafe names (see test_binary_attack.cpp).

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

using BinaryAttackWheel = AttackFiles;

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

}  // namespace
}  // namespace envsetup::binary
