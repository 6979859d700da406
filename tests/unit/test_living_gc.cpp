// SPDX-License-Identifier: Apache-2.0
// `gc` in the modules that own the state: ExtractedStore::collect and Cache::collect remove
// only their own entries that are not kept, never follow a link and leave busy ones alone.
#include <envsetup/fetch/cache.hpp>
#include <envsetup/install/store.hpp>
#include <envsetup/util/fs.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

#include <unistd.h>

namespace envsetup {
namespace {

namespace fs = std::filesystem;

const std::string k_kept(64, 'a');
const std::string k_gone(64, 'b');
const std::string k_linked(64, 'c');

class LivingGc : public ::testing::Test {
protected:
  void SetUp() override
  {
    m_root = fs::temp_directory_path() / ("envsetup-gc-" + std::to_string(std::random_device{}()));
    fs::create_directories(m_root);
  }
  void TearDown() override
  {
    std::error_code ec;
    fs::remove_all(m_root, ec);
  }
  static void write(const fs::path& path, const std::string& text)
  {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }
  static std::string read(const fs::path& path)
  {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  // A finished tree and its record as the store lays them out (collect trusts names only).
  void tree(const std::string& sha256, const std::string& content)
  {
    write(extracted() / sha256 / "bin" / "tool", content);
    write(extracted() / (sha256 + ".tree.json"), "[]");
    write(extracted() / (sha256 + ".lock"), "");
  }
  fs::path extracted() const { return m_root / "store" / "extracted-v1"; }

  fs::path m_root;
};

TEST_F(LivingGc, TheStoreLosesOnlyTreesNothingKeeps)
{
  tree(k_kept, "kept");
  tree(k_gone, "12345");
  write(extracted() / (k_gone + ".tmp-123") / "half", "x");
  write(extracted() / "README.user", "not the store's");
  const auto dry = install::ExtractedStore::collect(m_root / "store", {k_kept}, true).value();
  EXPECT_EQ(dry.removed, std::vector<std::string>{k_gone});
  EXPECT_GE(dry.freed, 5u);
  EXPECT_TRUE(fs::exists(extracted() / k_gone / "bin" / "tool"));

  const auto report = install::ExtractedStore::collect(m_root / "store", {k_kept}, false).value();
  EXPECT_EQ(report.removed, std::vector<std::string>{k_gone});
  EXPECT_EQ(report.freed, dry.freed);
  EXPECT_FALSE(fs::exists(extracted() / k_gone));
  EXPECT_FALSE(fs::exists(extracted() / (k_gone + ".tree.json")));
  EXPECT_FALSE(fs::exists(extracted() / (k_gone + ".tmp-123")));
  EXPECT_TRUE(fs::exists(extracted() / (k_gone + ".lock")));  // lock files are never unlinked
  EXPECT_TRUE(fs::exists(extracted() / k_kept / "bin" / "tool"));
  EXPECT_TRUE(fs::exists(extracted() / "README.user"));
}

TEST_F(LivingGc, AFileAPrefixStillLinksFreesNothing)
{
  tree(k_gone, "12345");
  fs::create_hard_link(extracted() / k_gone / "bin" / "tool", m_root / "prefix-tool");
  const auto report = install::ExtractedStore::collect(m_root / "store", {}, false).value();
  EXPECT_EQ(report.removed.size(), 1u);
  EXPECT_EQ(report.freed, 2u);  // the record only: the tool keeps its other link
  EXPECT_EQ(read(m_root / "prefix-tool"), "12345");
}

TEST_F(LivingGc, LinksInTheStoreAreUnlinkedNeverFollowed)
{
  write(m_root / "outside" / "canary", "keep me");
  fs::create_directories(extracted());
  fs::create_directory_symlink(m_root / "outside", extracted() / k_linked);
  fs::create_symlink(m_root / "outside" / "canary", extracted() / (k_linked + ".tree.json"));
  tree(k_gone, "x");
  fs::create_directory_symlink(m_root / "outside", extracted() / k_gone / "escape");
  const auto report = install::ExtractedStore::collect(m_root / "store", {}, false).value();
  EXPECT_EQ(report.removed.size(), 2u);
  EXPECT_FALSE(fs::exists(fs::symlink_status(extracted() / k_linked)));
  EXPECT_FALSE(fs::exists(extracted() / k_gone));
  EXPECT_EQ(read(m_root / "outside" / "canary"), "keep me");
}

TEST_F(LivingGc, AStoreFolderThatIsASymlinkIsRefused)
{
  tree(k_gone, "x");
  fs::rename(extracted(), m_root / "real-extracted");
  fs::create_directory_symlink(m_root / "real-extracted", extracted());
  const auto report = install::ExtractedStore::collect(m_root / "store", {}, false);
  EXPECT_FALSE(report);
  EXPECT_TRUE(fs::exists(m_root / "real-extracted" / k_gone / "bin" / "tool"));
}

TEST_F(LivingGc, ATreeInUseIsLeftAlone)
{
  tree(k_gone, "x");
  auto held = util::FileLock::acquire(extracted() / (k_gone + ".lock"));
  ASSERT_TRUE(held);
  // flock is per open file: a second open in this process conflicts like another process.
  const auto report = install::ExtractedStore::collect(m_root / "store", {}, false).value();
  EXPECT_TRUE(report.removed.empty());
  EXPECT_EQ(report.busy, std::vector<std::string>{k_gone});
  EXPECT_TRUE(fs::exists(extracted() / k_gone / "bin" / "tool"));
}

TEST_F(LivingGc, AStoreAnInstallHoldsOpenIsLeftAlone)
{
  tree(k_gone, "x");
  auto in_use = install::ExtractedStore::open(m_root / "store");  // as run_install_toolkit holds it
  ASSERT_TRUE(in_use);
  const auto report = install::ExtractedStore::collect(m_root / "store", {}, false).value();
  EXPECT_TRUE(report.removed.empty());
  EXPECT_EQ(report.busy.size(), 1u);
  EXPECT_TRUE(fs::exists(extracted() / k_gone / "bin" / "tool"));
  in_use = util::make_error(util::ErrorKind::io, "closed");  // the install ends
  EXPECT_EQ(install::ExtractedStore::collect(m_root / "store", {}, false).value().removed.size(), 1u);
}

TEST_F(LivingGc, AMissingStoreIsEmptyAndNotCreated)
{
  const auto report = install::ExtractedStore::collect(m_root / "no-store", {}, false).value();
  EXPECT_TRUE(report.removed.empty());
  EXPECT_FALSE(fs::exists(m_root / "no-store"));
}

TEST_F(LivingGc, TheCacheLosesOnlyArchivesNothingKeeps)
{
  const fetch::Cache cache(m_root / "cache");
  ASSERT_TRUE(cache.status());
  const fs::path archives = m_root / "cache" / "archives-v1";
  write(archives / k_kept, "kept");
  write(archives / k_gone, "1234567");
  write(archives / (k_gone + ".json"), "{}");
  write(archives / (k_linked + ".json"), "{}");  // a record left without its archive
  write(m_root / "outside" / "canary", "keep me");
  fs::create_symlink(m_root / "outside" / "canary", archives / std::string(64, 'd'));
  write(archives / "user-notes", "not the cache's");

  const auto dry = cache.collect({k_kept}, true).value();
  EXPECT_EQ(dry.removed.size(), 3u);
  EXPECT_EQ(dry.freed, 7u);
  EXPECT_TRUE(fs::exists(archives / k_gone));

  const auto report = cache.collect({k_kept}, false).value();
  EXPECT_EQ(report.removed.size(), 3u);
  EXPECT_EQ(report.freed, 7u);
  EXPECT_FALSE(fs::exists(archives / k_gone));
  EXPECT_FALSE(fs::exists(archives / (k_gone + ".json")));
  EXPECT_FALSE(fs::exists(archives / (k_linked + ".json")));
  EXPECT_FALSE(fs::exists(fs::symlink_status(archives / std::string(64, 'd'))));
  EXPECT_EQ(read(m_root / "outside" / "canary"), "keep me");
  EXPECT_TRUE(fs::exists(archives / k_kept));
  EXPECT_TRUE(fs::exists(archives / "user-notes"));
}

TEST_F(LivingGc, APinnedArchiveIsLeftAlone)
{
  const fetch::Cache cache(m_root / "cache");
  write(m_root / "cache" / "archives-v1" / k_gone, "1234567");
  auto pin = fetch::Cache(m_root / "cache").pin(k_gone);
  ASSERT_TRUE(pin);
  const auto report = cache.collect({}, false).value();
  EXPECT_TRUE(report.removed.empty());
  EXPECT_EQ(report.busy.size(), 1u);
  EXPECT_TRUE(fs::exists(m_root / "cache" / "archives-v1" / k_gone));
}

}  // namespace
}  // namespace envsetup
