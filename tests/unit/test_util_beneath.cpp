// SPDX-License-Identifier: Apache-2.0
// util/beneath and util::FileLock: descriptor-relative paths that never follow a symlink,
// on both resolution paths (openat2 and the per-component walk).
#include <envsetup/util/beneath.hpp>
#include <envsetup/util/fs.hpp>

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fcntl.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using namespace envsetup;

class Beneath : public ::testing::TestWithParam<bool> {
protected:
  void SetUp() override
  {
    std::string pattern = (fs::temp_directory_path() / "envsetup-beneath-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    m_dir = pattern;
    fs::create_directories(m_dir / "root" / "sub");
    fs::create_directories(m_dir / "outside");
    std::ofstream(m_dir / "outside" / "secret") << "keep";
    util::force_component_walk_for_tests(GetParam());
    auto root = util::open_root(m_dir / "root", "the test root");
    ASSERT_TRUE(root.ok());
    m_root = std::move(root).value();
  }
  void TearDown() override
  {
    util::force_component_walk_for_tests(false);
    std::error_code ec;
    fs::remove_all(m_dir, ec);
  }
  fs::path m_dir;
  util::UniqueFd m_root;
};

TEST_P(Beneath, OpensPlainPathsAndCreatesFiles)
{
  auto fd = util::open_beneath(m_root.get(), "sub/new", O_WRONLY | O_CREAT | O_EXCL, 0644);
  ASSERT_TRUE(fd.valid()) << std::strerror(errno);
  EXPECT_TRUE(fs::is_regular_file(m_dir / "root" / "sub" / "new"));
}

// read_file_beneath: a regular file is read whole; a link is not followed; a FIFO planted
// in a record's place is not waited on (the test would hang); a file over the cap is refused.
TEST_P(Beneath, ReadFileBeneathNeverFollowsOrBlocks)
{
  std::ofstream(m_dir / "root" / "sub" / "record") << "twelve bytes";
  auto text = util::read_file_beneath(m_root.get(), "sub/record", 64);
  ASSERT_TRUE(text.ok()) << text.error().message;
  ASSERT_TRUE(text->has_value());
  EXPECT_EQ(**text, "twelve bytes");

  fs::create_symlink(m_dir / "outside" / "secret", m_dir / "root" / "sub" / "link");
  auto linked = util::read_file_beneath(m_root.get(), "sub/link", 64);
  ASSERT_TRUE(linked.ok());
  EXPECT_FALSE(linked->has_value());

  ASSERT_EQ(::mkfifo((m_dir / "root" / "sub" / "fifo").c_str(), 0600), 0);
  auto fifo = util::read_file_beneath(m_root.get(), "sub/fifo", 64);
  ASSERT_TRUE(fifo.ok());
  EXPECT_FALSE(fifo->has_value());

  auto big = util::read_file_beneath(m_root.get(), "sub/record", 4);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().kind, util::ErrorKind::input);
}

TEST_P(Beneath, SymlinkedFolderInThePathIsNotFollowed)
{
  fs::create_directory_symlink(m_dir / "outside", m_dir / "root" / "link");
  auto fd = util::open_beneath(m_root.get(), "link/secret", O_WRONLY | O_TRUNC);
  EXPECT_FALSE(fd.valid());
  EXPECT_EQ(errno, ELOOP);
  auto created = util::open_beneath(m_root.get(), "link/planted", O_WRONLY | O_CREAT, 0644);
  EXPECT_FALSE(created.valid());
  EXPECT_FALSE(fs::exists(m_dir / "outside" / "planted"));
  std::ifstream secret(m_dir / "outside" / "secret");
  std::string text;
  secret >> text;
  EXPECT_EQ(text, "keep");
}

TEST_P(Beneath, DanglingSymlinkAsLastComponentIsNotCreatedThrough)
{
  fs::create_symlink(m_dir / "outside" / "made-by-attack", m_dir / "root" / "dangling");
  auto fd = util::open_beneath(m_root.get(), "dangling", O_WRONLY | O_CREAT, 0644);
  EXPECT_FALSE(fd.valid());
  EXPECT_FALSE(fs::exists(m_dir / "outside" / "made-by-attack"));
}

TEST_P(Beneath, FolderWalkRefusesSymlinkAndCreatesMissing)
{
  fs::create_directory_symlink(m_dir / "outside", m_dir / "root" / "link");
  auto through = util::open_folder_beneath(m_root.get(), {"link", "x"}, 2, true);
  ASSERT_FALSE(through.ok());
  EXPECT_EQ(through.error().kind, util::ErrorKind::integrity);
  EXPECT_FALSE(fs::exists(m_dir / "outside" / "x"));
  auto made = util::open_folder_beneath(m_root.get(), {"a", "b", "c"}, 3, true);
  ASSERT_TRUE(made.ok());
  EXPECT_TRUE(fs::is_directory(m_dir / "root" / "a" / "b" / "c"));
}

TEST_P(Beneath, RemoveTreeDeletesLinksNotTheirTargets)
{
  fs::create_directories(m_dir / "root" / "victim" / "deep");
  std::ofstream(m_dir / "root" / "victim" / "deep" / "file") << "x";
  fs::create_directory_symlink(m_dir / "outside", m_dir / "root" / "victim" / "to-outside");
  fs::create_symlink(m_dir / "outside" / "secret", m_dir / "root" / "victim" / "deep" / "to-secret");
  ASSERT_TRUE(util::remove_tree_at(m_root.get(), "victim").ok());
  EXPECT_FALSE(fs::exists(fs::symlink_status(m_dir / "root" / "victim")));
  EXPECT_TRUE(fs::exists(m_dir / "outside" / "secret"));
  EXPECT_TRUE(util::remove_tree_at(m_root.get(), "missing").ok());
}

INSTANTIATE_TEST_SUITE_P(Resolution, Beneath, ::testing::Values(false, true),
                         [](const auto& param_info) { return param_info.param ? "ComponentWalk" : "Openat2"; });

TEST(SplitRelativePath, RefusesEscapes)
{
  EXPECT_FALSE(util::split_relative_path("/etc/passwd").ok());
  EXPECT_FALSE(util::split_relative_path("a/../../b").ok());
  EXPECT_FALSE(util::split_relative_path("").ok());
  EXPECT_FALSE(util::split_relative_path(std::string("a\0b", 3)).ok());
  auto parts = util::split_relative_path("./a//b/");
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(*parts, (util::PathParts{"a", "b"}));
}

TEST(FileLock, LockFileThatCannotBeCreatedIsAnErrorNotAWait)
{
  std::string pattern = (fs::temp_directory_path() / "envsetup-lock-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const fs::path dir = pattern;
  std::ofstream(dir / "a-file") << "x";
  auto lock = util::FileLock::acquire(dir / "a-file" / "x.lock");  // a folder that is a file
  EXPECT_FALSE(lock.ok());
  auto tried = util::FileLock::try_acquire(dir / "a-file" / "x.lock");
  EXPECT_FALSE(tried.ok());
  fs::create_symlink(dir / "target-made-by-attack", dir / "planted.lock");
  EXPECT_FALSE(util::FileLock::acquire(dir / "planted.lock").ok());
  EXPECT_FALSE(fs::exists(dir / "target-made-by-attack"));
  fs::remove_all(dir);
}

TEST(FileLock, SharedLocksCoexistAndExcludeAnExclusiveOne)
{
  std::string pattern = (fs::temp_directory_path() / "envsetup-lock-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const fs::path file = fs::path(pattern) / "x.lock";
  auto first = util::FileLock::acquire(file, util::FileLock::Mode::shared);
  auto second = util::FileLock::try_acquire(file, util::FileLock::Mode::shared);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_TRUE(second->held());
  auto exclusive = util::FileLock::try_acquire(file);
  ASSERT_TRUE(exclusive.ok());
  EXPECT_FALSE(exclusive->held());
  fs::remove_all(pattern);
}

TEST(WriteFileAtomic, PlantedTemporaryLinkIsNotWrittenThrough)
{
  std::string pattern = (fs::temp_directory_path() / "envsetup-atomic-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const fs::path dir = pattern;
  std::ofstream(dir / "victim") << "keep";
  fs::create_symlink(dir / "victim", dir / (".out.tmp-" + std::to_string(::getpid())));
  ASSERT_TRUE(util::write_file_atomic(dir / "out", "new").ok());
  std::ifstream victim(dir / "victim");
  std::string text;
  victim >> text;
  EXPECT_EQ(text, "keep");
  EXPECT_FALSE(fs::is_symlink(dir / "out"));
  fs::remove_all(dir);
}

}  // namespace
