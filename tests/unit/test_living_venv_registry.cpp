// SPDX-License-Identifier: Apache-2.0
// The venv registry (pyenv::VenvRegistry): recording, listing, and removal that deletes only
// a venv envsetup made, attacked with symlinks, unregistered venvs and hostile registry lines.
#include <envsetup/pyenv/venv_registry.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

namespace envsetup::pyenv {
namespace {

namespace fs = std::filesystem;

class LivingVenvRegistry : public ::testing::Test {
protected:
  void SetUp() override
  {
    m_root = fs::temp_directory_path() / ("envsetup-venvreg-" + std::to_string(std::random_device{}()));
    fs::create_directories(m_root / "store");
  }
  void TearDown() override
  {
    std::error_code ec;
    fs::permissions(m_root, fs::perms::owner_all, fs::perm_options::add, ec);
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
  // A venv's shape: pyvenv.cfg, bin/python, site-packages with torch's metadata.
  static fs::path make_venv(const fs::path& venv)
  {
    write(venv / "pyvenv.cfg", "home = /usr/bin\nversion = 3.12.4\n");
    write(venv / "bin" / "python", "");
    write(venv / "lib" / "python3.12" / "site-packages" / "torch-2.5.1.dist-info" / "METADATA",
          "Metadata-Version: 2.1\nName: torch\nVersion: 2.5.1\n\n");
    return venv;
  }
  VenvRecord record_for(const fs::path& venv) const
  {
    VenvRecord record;
    record.venv = venv;
    record.source = "framework";
    record.distribution = "torch";
    record.version = "2.5.1";
    record.python = "3.12";
    record.created_at = "2026-01-01T00:00:00Z";
    return record;
  }
  VenvRegistry registry() const { return VenvRegistry(m_root / "store"); }

  fs::path m_root;
};

TEST_F(LivingVenvRegistry, RecordsListsAndRemovesAVenvItMade)
{
  const auto venv = make_venv(m_root / "envs" / "torch");
  const auto stored = registry().add(record_for(venv / "")).value();
  EXPECT_EQ(stored.venv, venv);
  EXPECT_EQ(stored.id.size(), 32u);
  EXPECT_EQ(read(venv / ".envsetup" / "venv-id"), stored.id + "\n");
  ASSERT_EQ(registry().list().size(), 1u);
  // Recording it again keeps its id and first creation time.
  auto again = record_for(venv);
  again.created_at = "2027-01-01T00:00:00Z";
  EXPECT_EQ(registry().add(again).value().id, stored.id);
  EXPECT_EQ(registry().list().front().created_at, "2026-01-01T00:00:00Z");

  const auto removal = registry().remove(venv).value();
  EXPECT_TRUE(removal.existed);
  EXPECT_FALSE(fs::exists(venv));
  EXPECT_TRUE(fs::exists(m_root / "envs"));
  EXPECT_TRUE(registry().list().empty());
}

TEST_F(LivingVenvRegistry, AVenvNotInTheRegistryIsNeverRemoved)
{
  const auto venv = make_venv(m_root / "mine");
  const auto removed = registry().remove(venv);
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().kind, util::ErrorKind::usage);
  EXPECT_TRUE(fs::exists(venv / "pyvenv.cfg"));
}

TEST_F(LivingVenvRegistry, ARegistryLinePointingElsewhereDeletesNothing)
{
  // A hand-written (or planted) line naming a real venv envsetup did not make: no mark.
  const auto venv = make_venv(m_root / "victim");
  write(m_root / "store" / "venvs.json",
        "{\"venvs\": [{\"venv\": \"" + venv.string() + "\", \"id\": \"0123456789abcdef0123456789abcdef\"}]}");
  ASSERT_EQ(registry().list().size(), 1u);
  const auto removed = registry().remove(venv);
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().kind, util::ErrorKind::usage);
  EXPECT_TRUE(fs::exists(venv / "bin" / "python"));
  // With a mark of another id (a copied .envsetup folder) neither.
  write(venv / ".envsetup" / "venv-id", "ffffffffffffffffffffffffffffffff\n");
  EXPECT_FALSE(registry().remove(venv));
  EXPECT_TRUE(fs::exists(venv / "pyvenv.cfg"));
  // `forget` drops the line and touches nothing.
  EXPECT_TRUE(registry().forget(venv));
  EXPECT_TRUE(registry().list().empty());
  EXPECT_TRUE(fs::exists(venv / "pyvenv.cfg"));
}

TEST_F(LivingVenvRegistry, AVenvReplacedByASymlinkIsNotFollowed)
{
  const auto venv = make_venv(m_root / "envs" / "torch");
  const auto stored = registry().add(record_for(venv)).value();
  // The registered folder moves away and a link to it (mark and all) takes its place.
  fs::rename(venv, m_root / "elsewhere");
  fs::create_directory_symlink(m_root / "elsewhere", venv);
  const auto removed = registry().remove(venv);
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().kind, util::ErrorKind::usage);
  EXPECT_TRUE(fs::exists(m_root / "elsewhere" / "pyvenv.cfg"));
  EXPECT_TRUE(fs::is_symlink(venv));
  EXPECT_EQ(registry().list().size(), 1u);
}

TEST_F(LivingVenvRegistry, LinksInsideTheVenvAreUnlinkedNeverEntered)
{
  const auto venv = make_venv(m_root / "envs" / "torch");
  write(m_root / "outside" / "canary", "keep me");
  fs::create_directory_symlink(m_root / "outside", venv / "lib64");
  ASSERT_TRUE(registry().add(record_for(venv)));
  ASSERT_TRUE(registry().remove(venv));
  EXPECT_FALSE(fs::exists(fs::symlink_status(venv)));
  EXPECT_EQ(read(m_root / "outside" / "canary"), "keep me");
}

TEST_F(LivingVenvRegistry, AFolderHoldingOtherFilesIsRefusedWhole)
{
  const auto venv = make_venv(m_root / "envs" / "torch");
  ASSERT_TRUE(registry().add(record_for(venv)));
  write(venv / "notes.txt", "the user's");
  const auto removed = registry().remove(venv);
  ASSERT_FALSE(removed);
  EXPECT_TRUE(fs::exists(venv / "notes.txt"));
  EXPECT_TRUE(fs::exists(venv / "pyvenv.cfg"));
  EXPECT_EQ(registry().list().size(), 1u);
}

TEST_F(LivingVenvRegistry, AVenvThatIsGoneOnlyLosesItsEntry)
{
  const auto venv = make_venv(m_root / "envs" / "torch");
  ASSERT_TRUE(registry().add(record_for(venv)));
  fs::remove_all(venv);
  const auto removal = registry().remove(venv).value();
  EXPECT_FALSE(removal.existed);
  EXPECT_TRUE(registry().list().empty());
}

TEST_F(LivingVenvRegistry, HostileRegistryEntriesAreIgnored)
{
  const std::string id = "0123456789abcdef0123456789abcdef";
  const auto records = parse_registry("{\"venvs\": [{\"venv\": \"relative/venv\", \"id\": \"" + id +
                                      "\"},"
                                      "{\"venv\": \"/a/../etc\", \"id\": \"" +
                                      id +
                                      "\"},"
                                      "{\"venv\": \"/a/b\\u001b[2J\", \"id\": \"" +
                                      id +
                                      "\"},"
                                      "{\"venv\": \"/a/b\", \"id\": \"short\"},"
                                      "{\"venv\": \"/a/ok\", \"id\": \"" +
                                      id + "\", \"archives\": [\"../x\", \"" + std::string(64, 'a') +
                                      "\"]},"
                                      "{\"venv\": \"/a/ok\", \"id\": \"" +
                                      id + "\"}, 7]}");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].venv, fs::path("/a/ok"));
  EXPECT_EQ(records[0].archives, std::vector<std::string>{std::string(64, 'a')});
  EXPECT_TRUE(parse_registry("not json").empty());
  EXPECT_EQ(parse_registry(registry_text(records)).size(), 1u);
}

TEST_F(LivingVenvRegistry, ARegistryFileThatIsASymlinkIsNeitherReadNorWrittenThrough)
{
  const std::string id = "0123456789abcdef0123456789abcdef";
  write(m_root / "target.json", "{\"venvs\": [{\"venv\": \"/a/ok\", \"id\": \"" + id + "\"}]}");
  fs::create_symlink(m_root / "target.json", m_root / "store" / "venvs.json");
  EXPECT_TRUE(registry().list().empty());
  const auto venv = make_venv(m_root / "envs" / "torch");
  ASSERT_TRUE(registry().add(record_for(venv)));
  EXPECT_FALSE(fs::is_symlink(m_root / "store" / "venvs.json"));
  EXPECT_NE(read(m_root / "target.json").find("/a/ok"), std::string::npos);
  EXPECT_EQ(read(m_root / "target.json").find("torch"), std::string::npos);
}

}  // namespace
}  // namespace envsetup::pyenv
