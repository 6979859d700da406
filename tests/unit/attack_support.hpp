// SPDX-License-Identifier: Apache-2.0
// Shared by the test_binary_attack*.cpp files: a temporary folder per test, and sparse files.
#pragma once

#include "test_binary_support.hpp"

#include <envsetup/util/unique_fd.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <fcntl.h>
#include <unistd.h>

namespace envsetup::binary::testing {

// A file with one fatbin section (two SASS entries) and its section table's place.
struct Elf {
  Bytes bytes = make_elf({{".nv_fatbin", make_fatbin({TestEntry{}, TestEntry{.arch = 90}})}});
  std::uint64_t table() const { return load_le<std::uint64_t>(bytes, 40); }
  std::size_t header(std::size_t index) const { return static_cast<std::size_t>(table() + 64 * index); }
};

class TempDir : public ::testing::Test {
protected:
  void SetUp() override
  {
    std::string pattern = (std::filesystem::temp_directory_path() / "envsetup-attack-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    m_dir = pattern;
  }
  void TearDown() override
  {
    std::error_code ignored;
    std::filesystem::permissions(m_dir, std::filesystem::perms::owner_all, ignored);
    std::filesystem::remove_all(m_dir, ignored);
  }
  std::filesystem::path m_dir;
};

class AttackFiles : public TempDir {
protected:
  // A sparse file of `size` bytes: `head` at 0 and `tail` at `tail_at`.
  std::filesystem::path sparse(const std::string& name, std::uint64_t size, const Bytes& head, std::uint64_t tail_at,
                  const Bytes& tail) const
  {
    const std::filesystem::path path = m_dir / name;
    util::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    EXPECT_TRUE(fd.valid());
    EXPECT_EQ(::ftruncate(fd.get(), static_cast<off_t>(size)), 0);
    EXPECT_EQ(::pwrite(fd.get(), head.data(), head.size(), 0), static_cast<ssize_t>(head.size()));
    EXPECT_EQ(::pwrite(fd.get(), tail.data(), tail.size(), static_cast<off_t>(tail_at)),
              static_cast<ssize_t>(tail.size()));
    return path;
  }
};

}  // namespace envsetup::binary::testing
