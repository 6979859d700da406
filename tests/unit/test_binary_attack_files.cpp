// SPDX-License-Identifier: Apache-2.0
// Hostile files, folders and RECORDs for `envsetup inspect`: huge sparse files, files that change
// while read, FIFOs, link loops, deep nesting, RECORDs built to exhaust memory (see
// test_binary_attack.cpp).

#include "attack_support.hpp"

#include <envsetup/binary/file_source.hpp>
#include <envsetup/binary/library_files.hpp>
#include <envsetup/install/wheel_reader.hpp>
#include <envsetup/pyenv/record.hpp>

#include <gtest/gtest.h>

#include <array>
#include <fstream>
#include <optional>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace envsetup::binary {
namespace {

using namespace testing;
namespace fs = std::filesystem;

using BinaryAttackFiles = AttackFiles;

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
  auto result = read_library(*source);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(targets_text(**result), "sm_80");
  EXPECT_LE(source->reads(), 10u) << "the reads, not the sparse gigabyte's bytes, are what it costs";
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
  auto result = read_library(*source);
  // Either verdict is fine (the names table was overwritten by zeros): what matters is the cost.
  if (result.ok()) {
    EXPECT_EQ((*result)->fatbins.size(), 1u);
  } else {
    EXPECT_NE(result.error().kind, util::ErrorKind::internal) << result.error().message;
  }
  EXPECT_LE(source->reads(), 100u) << "the padding is not read to the end of the gigabyte";
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
TEST_F(BinaryAttackFiles, DeepNestingIsSkippedAtTheLimitAndTheRestIsRead)
{
  fs::path deep = m_dir;
  for (int i = 0; i < 70; ++i) {
    deep /= "d";
  }
  fs::create_directories(deep);
  std::ofstream(deep / "libdeep.so") << "x";
  std::ofstream(m_dir / "libtop.so") << "x";
  std::ofstream(m_dir / "libz.so") << "x";
  util::UniqueFd fd(::open(m_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  std::vector<std::string> seen;
  LibraryWalkLimits limits;
  limits.max_depth = 64;
  auto summary = walk_libraries(fd.get(), limits, [&](FoundFile& found) {
    seen.push_back(found.relative);
    return util::ok_status();
  });
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(seen, (std::vector<std::string>{"libtop.so", "libz.so"})) << "what lies beside the deep tree is read";
  EXPECT_EQ(summary->too_deep, 1U);
  EXPECT_EQ(summary->first_too_deep.size(), 65U * 2) << summary->first_too_deep;
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
