// SPDX-License-Identifier: Apache-2.0
// The owners of install's on-disk state: ExtractedStore (trees trusted only when they match
// their record), PrefixRegistry (no lost updates), merge_components (never through a link,
// untrusted component names), remove_installed (only what the receipt lists, never through
// a link). Real files in a temporary folder; tests named after the attack they stop.
#include <envsetup/install/layout.hpp>
#include <envsetup/install/prefix.hpp>
#include <envsetup/install/registry.hpp>
#include <envsetup/install/store.hpp>
#include <envsetup/util/beneath.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace envsetup;

const std::string k_sha(64, 'a');

class InstallState : public ::testing::Test {
protected:
  void SetUp() override
  {
    std::string pattern = (fs::temp_directory_path() / "envsetup-state-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    m_dir = pattern;
  }
  void TearDown() override
  {
    std::error_code ec;
    fs::remove_all(m_dir, ec);
  }
  static void write(const fs::path& path, const std::string& text)
  {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }
  static std::string read(const fs::path& path)
  {
    std::ifstream stream(path);
    std::string text;
    std::getline(stream, text, '\0');
    return text;
  }
  // An extracted tree committed to the store for k_sha.
  fs::path committed_tree(const install::ExtractedStore& store)
  {
    auto slot = store.reserve(k_sha, true);
    EXPECT_TRUE(slot.ok() && slot->has_value());
    write((*slot)->temporary() / "lib" / "libx.so", "library");
    fs::create_symlink("libx.so", (*slot)->temporary() / "lib" / "libx.so.1");
    auto done = (*slot)->commit();
    EXPECT_TRUE(done.ok()) << (done.ok() ? "" : done.error().message);
    return done.ok() ? *done : fs::path();
  }
  fs::path m_dir;
};

TEST_F(InstallState, StoreReusesAnIntactTree)
{
  auto store = install::ExtractedStore::open(m_dir / "store");
  ASSERT_TRUE(store.ok());
  const fs::path tree = committed_tree(*store);
  auto again = store->reserve(k_sha, true);
  ASSERT_TRUE(again.ok() && again->has_value());
  ASSERT_TRUE((*again)->finished().has_value());
  EXPECT_EQ(*(*again)->finished(), tree);
}

TEST_F(InstallState, StoreTreeWithAPlantedFileIsExtractedAgain)
{
  auto store = install::ExtractedStore::open(m_dir / "store");
  ASSERT_TRUE(store.ok());
  const fs::path tree = committed_tree(*store);
  write(tree / "lib" / "planted.so", "evil");
  auto again = store->reserve(k_sha, true);
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_FALSE((*again)->finished().has_value());
  EXPECT_FALSE(fs::exists(tree)) << "a changed tree must be removed before it is extracted again";
}

TEST_F(InstallState, StoreTreeWithSameSizeDifferentBytesIsExtractedAgain)
{
  auto store = install::ExtractedStore::open(m_dir / "store");
  ASSERT_TRUE(store.ok());
  const fs::path tree = committed_tree(*store);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  write(tree / "lib" / "libx.so", "LIBRARY");  // same size, written in place
  auto again = store->reserve(k_sha, true);
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_FALSE((*again)->finished().has_value());
  EXPECT_FALSE(fs::exists(tree));
}

TEST_F(InstallState, StoreTreeThatIsASymlinkIsNotFollowed)
{
  auto store = install::ExtractedStore::open(m_dir / "store");
  ASSERT_TRUE(store.ok());
  const fs::path tree = committed_tree(*store);
  write(m_dir / "elsewhere" / "lib" / "libx.so", "attacker's");
  fs::remove_all(tree);
  fs::create_directory_symlink(m_dir / "elsewhere", tree);
  auto again = store->reserve(k_sha, true);
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_FALSE((*again)->finished().has_value());
  EXPECT_FALSE(fs::is_symlink(tree));
  EXPECT_EQ(read(m_dir / "elsewhere" / "lib" / "libx.so"), "attacker's");
}

TEST_F(InstallState, StoreRefusesANameThatIsNotASha256)
{
  auto store = install::ExtractedStore::open(m_dir / "store");
  ASSERT_TRUE(store.ok());
  auto slot = store->reserve("../../etc", true);
  ASSERT_FALSE(slot.ok());
  EXPECT_EQ(slot.error().kind, util::ErrorKind::usage);
}

TEST_F(InstallState, RegistryConcurrentUpdatesAreNotLost)
{
  const install::PrefixRegistry registry(m_dir / "store");
  constexpr int k_threads = 8;
  constexpr int k_each = 10;
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < k_threads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < k_each; ++i) {
          EXPECT_TRUE(registry.add("/prefixes/p" + std::to_string(t) + "-" + std::to_string(i)).ok());
        }
      });
    }
  }
  EXPECT_EQ(registry.list().size(), static_cast<std::size_t>(k_threads * k_each));
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < k_threads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < k_each; i += 2) {
          EXPECT_TRUE(registry.remove("/prefixes/p" + std::to_string(t) + "-" + std::to_string(i)).ok());
        }
      });
    }
  }
  EXPECT_EQ(registry.list().size(), static_cast<std::size_t>(k_threads * k_each / 2));
}

TEST_F(InstallState, RegistryIgnoresHostileLines)
{
  write(m_dir / "store" / "prefixes.txt", "relative/path\n/ok/one\n/bad\x1b[31m\n\n/ok/one\n");
  const install::PrefixRegistry registry(m_dir / "store");
  EXPECT_EQ(registry.list(), std::vector<fs::path>{"/ok/one"});
  EXPECT_FALSE(registry.add("/with\nnewline").ok());
}

TEST_F(InstallState, MergeRefusesAComponentNameThatIsAPath)
{
  write(m_dir / "tree" / "LICENSE", "license");
  fs::create_directories(m_dir / "staging");
  auto root = util::open_root(m_dir / "staging", "staging");
  ASSERT_TRUE(root.ok());
  for (const char* name : {"../../escape", "a/b", ".hidden", "", "-flag", "x\x1b"}) {
    auto merged = install::merge_components({{name, m_dir / "tree"}}, root->get());
    ASSERT_FALSE(merged.ok()) << name;
    EXPECT_EQ(merged.error().kind, util::ErrorKind::integrity);
  }
  EXPECT_FALSE(fs::exists(m_dir / "escape"));
  EXPECT_TRUE(fs::is_empty(m_dir / "staging"));
}

TEST_F(InstallState, MergeNeverWritesThroughAnotherComponentsSymlink)
{
  fs::create_directories(m_dir / "a");
  fs::create_directory_symlink(m_dir / "outside", m_dir / "a" / "lib");  // as a hostile tree could hold
  fs::create_directories(m_dir / "outside");
  write(m_dir / "b" / "lib" / "pwned", "x");
  fs::create_directories(m_dir / "staging");
  auto root = util::open_root(m_dir / "staging", "staging");
  ASSERT_TRUE(root.ok());
  auto merged = install::merge_components({{"a", m_dir / "a"}, {"b", m_dir / "b"}}, root->get());
  ASSERT_FALSE(merged.ok());
  EXPECT_EQ(merged.error().kind, util::ErrorKind::integrity);
  EXPECT_TRUE(fs::is_empty(m_dir / "outside"));
}

TEST_F(InstallState, MergeOfATreeThatChangedUnderItIsAnErrorNotAShortPrefix)
{
  write(m_dir / "tree" / "lib" / "libx.so", "x");  // 2 entries: lib, lib/libx.so
  fs::create_directories(m_dir / "staging");
  auto root = util::open_root(m_dir / "staging", "staging");
  ASSERT_TRUE(root.ok());
  auto merged = install::merge_components({{"comp", m_dir / "tree", 3}}, root->get());  // the record said 3
  ASSERT_FALSE(merged.ok());
  EXPECT_NE(merged.error().message.find("changed during the install"), std::string::npos);
  fs::remove_all(m_dir / "staging");
  fs::create_directories(m_dir / "staging");
  auto again = util::open_root(m_dir / "staging", "staging");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(install::merge_components({{"comp", m_dir / "tree", 2}}, again->get()).ok());
}

TEST_F(InstallState, StoreExtractWithoutWaitingLeavesABusyArchiveAlone)
{
  auto store = install::ExtractedStore::open(m_dir / "store");
  ASSERT_TRUE(store.ok());
  auto held = store->reserve(k_sha, true);  // as another process extracting it would
  ASSERT_TRUE(held.ok() && held->has_value());
  auto busy = store->reserve(k_sha, false);
  ASSERT_TRUE(busy.ok());
  EXPECT_FALSE(busy->has_value());
}

TEST_F(InstallState, RemoveInstalledLeavesWhatTheReceiptDoesNotList)
{
  const fs::path prefix = m_dir / "P";
  write(prefix / "bin" / "tool", "tool");
  write(prefix / "bin" / "mine", "user's");
  write(prefix / ".envsetup" / "receipt.json", "{}");
  install::Receipt receipt;
  receipt.files = {"bin/tool", "missing/file"};
  auto root = util::open_root(prefix, "prefix");
  ASSERT_TRUE(root.ok());
  auto kept = install::remove_installed(root->get(), receipt);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(*kept, std::vector<std::string>{"bin/mine"});
  EXPECT_FALSE(fs::exists(prefix / "bin" / "tool"));
  EXPECT_FALSE(fs::exists(prefix / ".envsetup"));
}

}  // namespace
