// SPDX-License-Identifier: Apache-2.0
// Property test of the whole install path below the downloads: a generated archive set
// (archive_set_generator: links escaping, looping and chaining across components, hard links
// out, `..` and absolute names, collisions) is extracted into the store, merged into a
// prefix through a PrefixTransaction and committed; then random user edits are made inside
// the prefix (files added and deleted, folders replaced by links out of the prefix, files by
// folders) and the prefix is removed. The store and the prefix live inside a canary tree.
// Properties, for every seed:
//  - nothing outside the work folder (store + prefix parent) is created, changed or deleted;
//  - nothing throws; failures are integrity, io or usage errors;
//  - an install either fails leaving no prefix and no staging folder, or succeeds with a
//    prefix holding exactly the files its receipt lists, no symlink in it leading out;
//  - remove deletes no file the user added and leaves no file of the receipt it could reach.
// Seeds: ENVSETUP_PROPERTY_RUNS (default 40) from ENVSETUP_PROPERTY_FIRST_SEED (default 1);
// ENVSETUP_PROPERTY_SEED=<n> replays one. bench/property_soak.py runs many more.
#include "archive_set_generator.hpp"
#include "tree_snapshot.hpp"

#include <envsetup/install/layout.hpp>
#include <envsetup/install/prefix.hpp>
#include <envsetup/install/safe_path.hpp>
#include <envsetup/install/store.hpp>
#include <envsetup/util/beneath.hpp>
#include <envsetup/util/sha256.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <set>
#include <string>

#include <fcntl.h>

namespace envsetup::testing {
namespace {

namespace fs = std::filesystem;

bool acceptable(util::ErrorKind kind)
{
  return kind == util::ErrorKind::integrity || kind == util::ErrorKind::io || kind == util::ErrorKind::usage;
}

// Files and symlinks under `root` (not folders), relative, without following links.
std::set<std::string> files_under(const fs::path& root)
{
  std::set<std::string> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_symlink(ec) || !it->is_directory(ec)) {
      files.insert(it->path().lexically_relative(root).string());
    }
  }
  return files;
}


// Whether a folder between `prefix` and `path` is a symlink.
bool behind_a_link(const fs::path& prefix, const fs::path& path)
{
  for (fs::path folder = path.parent_path(); folder != prefix && folder.has_relative_path();
       folder = folder.parent_path()) {
    std::error_code ec;
    if (fs::is_symlink(fs::symlink_status(folder, ec)) || ec) {
      return true;  // a link, or a path through looping links
    }
  }
  return false;
}

// Component trees built straight on disk, each safe alone (every symlink passes the
// extraction rule in its own tree) but combining through links, the attack extraction cannot
// see: one component links `P -> .`; another has real folders `P/N1..Nk` and a link
// `P/N1..Nk/l -> ../` x (k+1), which climbs to its own root; a third writes `N1..Nk/l/x`.
// Merged through links, `l` would land at `N1..Nk/l` and point above the prefix, and `x` be
// written outside. Names, depth and component order vary with the seed, plus random noise:
// links to `.`, `..` and `../..` and files at paths through other components' links.
std::vector<install::ComponentTree> combining_trees(const fs::path& folder, std::uint64_t seed)
{
  static const std::vector<std::string> names = {"s", "t", "lib", "include", "bin"};
  static const std::vector<std::string> targets = {".", "..", "../..", "t", "s/t", "../t", "l"};
  std::mt19937_64 random(seed * 7919 + 17);
  const std::string hop = names[random() % names.size()];
  std::string chain;  // N1/../Nk
  std::string climb = "..";
  for (std::uint64_t depth = 1 + random() % 2; depth > 0; --depth) {
    chain += (chain.empty() ? "" : "/") + names[random() % names.size()] + std::to_string(depth);
    climb += "/..";
  }
  std::vector<std::vector<std::pair<std::string, std::string>>> planned(3);  // path -> link target or ""
  planned[0].emplace_back(hop, ".");
  planned[1].emplace_back(hop + "/" + chain + "/l", climb);
  planned[2].emplace_back(chain + "/l/x", "");
  for (auto& entries : planned) {
    for (int noise = 0; noise < 3; ++noise) {
      const std::string path = names[random() % names.size()] + "/" + names[random() % names.size()];
      entries.emplace_back(path, random() % 2 == 0 ? targets[random() % targets.size()] : "");
    }
  }
  std::vector<install::ComponentTree> trees;
  for (std::size_t component = 0; component < planned.size(); ++component) {
    const std::string name = "combo" + std::to_string(component);
    const fs::path root = folder / name;
    fs::create_directories(root);
    auto root_fd = util::open_root(root, "tree");
    for (const auto& [path, target] : planned[component]) {
      std::error_code ec;
      fs::create_directories((root / path).parent_path(), ec);
      if (ec || behind_a_link(root, root / path) || fs::exists(fs::symlink_status(root / path, ec))) {
        continue;
      }
      auto parts = util::split_relative_path(path);
      if (target.empty()) {
        std::ofstream(root / path) << name;
      } else if (root_fd && parts && install::check_symlink_target(root_fd->get(), *parts, target)) {
        fs::create_symlink(target, root / path, ec);
      }
    }
    trees.push_back({name, root});
  }
  if (random() % 2 == 0) {
    std::swap(trees[1], trees[2]);  // the writer through the link before or after the link's maker
  }
  return trees;
}

class PropertyInstall : public ::testing::Test {
protected:
  void SetUp() override
  {
    std::string pattern = (fs::temp_directory_path() / "envsetup-property-install-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    m_root = pattern;
  }
  void TearDown() override
  {
    std::error_code ignored;
    fs::remove_all(m_root, ignored);
  }

  // Extracts the set into the store; returns the trees that extracted.
  std::vector<install::ComponentTree> extract(const std::vector<GeneratedArchive>& set, const fs::path& archives,
                                              const install::ExtractedStore& store)
  {
    std::vector<install::ComponentTree> trees;
    for (const GeneratedArchive& archive : set) {
      const fs::path path = archives / archive.file_name;
      auto sha = util::sha256_file(path);
      EXPECT_TRUE(sha.ok());
      bool extracted = false;
      install::ExtractLimits limits;
      limits.expected = install::archive_kind_for_name(archive.file_name);
      const util::UniqueFd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
      auto tree =
        store.extract(*sha, archive.component, file.get(), archive.file_name, limits, nullptr, true, extracted);
      if (tree) {
        EXPECT_TRUE(tree->has_value());
        trees.push_back(**tree);
      } else {
        EXPECT_TRUE(acceptable(tree.error().kind)) << archive.file_name << ": " << tree.error().message;
      }
    }
    return trees;
  }

  // Installs `trees` into `prefix`; true when committed.
  bool install_prefix(const std::vector<install::ComponentTree>& trees, const fs::path& prefix)
  {
    auto tx = install::PrefixTransaction::begin(prefix);
    if (!tx) {
      ADD_FAILURE() << "begin: " << tx.error().message;
      return false;
    }
    auto merged = install::merge_components(trees, tx->staging_fd());
    if (!merged) {
      EXPECT_TRUE(acceptable(merged.error().kind)) << merged.error().message;
      return false;
    }
    auto links = install::add_runfile_links(tx->staging_fd(), "x86_64-linux");
    if (!links) {
      EXPECT_TRUE(acceptable(links.error().kind)) << links.error().message;
      return false;
    }
    install::Receipt receipt;
    receipt.files = std::move(merged).value();
    receipt.files.insert(receipt.files.end(), links->begin(), links->end());
    EXPECT_TRUE(install::write_receipt(tx->staging_fd(), receipt).ok());
    auto committed = tx->commit();
    EXPECT_TRUE(committed.ok()) << (committed.ok() ? "" : committed.error().message);
    return committed.ok();
  }

  // Random edits a user could make inside `prefix`; returns the files the user added.
  static std::set<std::string> edit_as_a_user(const fs::path& prefix, const fs::path& outside, std::uint64_t seed)
  {
    std::mt19937_64 random(seed);
    std::set<std::string> added;
    std::vector<fs::path> entries;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(prefix, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().filename() != ".envsetup" && it->path().parent_path().filename() != ".envsetup") {
        entries.push_back(it->path());
      }
    }
    std::sort(entries.begin(), entries.end());
    for (int edit = 0; edit < 6 && !entries.empty(); ++edit) {
      const fs::path& victim = entries[random() % entries.size()];
      const auto kind = random() % 4;  // the same victim may be picked again
      if (!fs::exists(fs::symlink_status(victim, ec)) || behind_a_link(prefix, victim)) {
        continue;  // gone, or reached through a link an earlier edit made: a user edits the prefix only
      }
      // An edit that replaces `victim` also takes what the user added under it.
      const std::string relative = victim.lexically_relative(prefix).string();
      auto forget_under = [&] {
        std::erase_if(added, [&](const std::string& file) {
          return file == relative || file.starts_with(relative + "/");
        });
      };
      if (kind != 0) {
        forget_under();  // the edits below delete or replace `victim`, the user's own files too
      }
      if (kind == 0) {  // a note next to an installed file
        const fs::path folder = fs::is_directory(fs::symlink_status(victim)) ? victim : victim.parent_path();
        const fs::path note = folder / ("user-note-" + std::to_string(edit));
        std::ofstream(note) << "mine";
        added.insert(note.lexically_relative(prefix).string());
      } else if (kind == 1) {  // an installed file deleted
        if (!fs::is_directory(fs::symlink_status(victim))) {
          fs::remove(victim, ec);
        }
      } else if (kind == 2) {  // a folder (or file) replaced by a link out of the prefix
        fs::remove_all(victim, ec);
        fs::create_directory_symlink(outside, victim, ec);
        if (!ec) {
          added.insert(victim.lexically_relative(prefix).string());
        }
      } else if (!fs::is_directory(fs::symlink_status(victim))) {  // a file replaced by a folder
        fs::remove(victim, ec);
        fs::create_directories(victim / "inside", ec);
        std::ofstream(victim / "inside" / "kept") << "mine";
        added.insert((victim / "inside" / "kept").lexically_relative(prefix).string());
      }
    }
    return added;
  }

  void check_seed(std::uint64_t seed)
  {
    const fs::path root = m_root / std::to_string(seed);
    ArchiveSetOptions options;
    options.outside = (root / "canary").string();
    const fs::path work = make_canary_tree(root / "canary", options.outside_names);
    const auto set = generate_archive_set(seed, options);
    fs::create_directories(root / "archives");
    ASSERT_EQ(write_archive_set(set, root / "archives"), "");
    SCOPED_TRACE("the archive set:\n" + describe_archive_set(set));
    const TreeSnapshot before = snapshot_tree(root / "canary", {work});

    auto store = install::ExtractedStore::open(work / "store");
    ASSERT_TRUE(store.ok());
    const fs::path prefix = work / "prefixes" / "P";
    fs::create_directories(work / "prefixes");
    auto trees = extract(set, root / "archives", *store);
    if (seed % 4 != 0) {  // most seeds also merge trees that combine through links
      const auto combining = combining_trees(work / "combining", seed);
      trees.insert(trees.begin(), combining.begin(), combining.end());
    }
    const bool installed = install_prefix(trees, prefix);
    ++(installed ? m_installed : m_refused);
    // Beside the prefix: only the prefix and its lock (no staging left, nothing written through a link).
    auto beside = [&] {
      std::set<std::string> names;
      for (const auto& entry : fs::directory_iterator(work / "prefixes")) {
        names.insert(entry.path().filename().string());
      }
      names.erase("P");
      names.erase(".P.lock");
      return names;
    };
    EXPECT_EQ(beside(), std::set<std::string>{}) << "beside the prefix after the install";
    if (!installed) {
      EXPECT_FALSE(fs::exists(fs::symlink_status(prefix)));
    } else {
      auto receipt = install::read_receipt(prefix);
      ASSERT_TRUE(receipt.ok());
      std::set<std::string> expected(receipt->files.begin(), receipt->files.end());
      expected.insert(".envsetup/receipt.json");
      EXPECT_EQ(files_under(prefix), expected);
      EXPECT_EQ(links_leaving(prefix), std::vector<std::string>{}) << "symlinks in the prefix that lead out of it";
      const auto added = edit_as_a_user(prefix, root / "canary", seed);
      auto kept = install::remove_prefix(prefix);
      ASSERT_TRUE(kept.ok()) << kept.error().message;
      EXPECT_EQ(beside(), std::set<std::string>{}) << "beside the prefix after remove";
      for (const std::string& file : added) {
        EXPECT_TRUE(fs::exists(fs::symlink_status(prefix / file))) << "the user's " << file << " was deleted";
      }
    }
    std::string changes;
    for (const std::string& line : diff_snapshots(before, snapshot_tree(root / "canary", {work}))) {
      changes += line + "\n";
    }
    EXPECT_EQ(changes, "") << "outside the store and the prefix";
    std::error_code ignored;
    fs::remove_all(root, ignored);
  }

  fs::path m_root;
  std::uint64_t m_installed = 0;
  std::uint64_t m_refused = 0;
};

TEST_F(PropertyInstall, NothingOutsideThePrefixChangesAndRemoveKeepsTheUsersFiles)
{
  for (const std::uint64_t seed : property_seeds(40)) {
    SCOPED_TRACE("seed " + std::to_string(seed) + " (replay: ENVSETUP_PROPERTY_SEED=" + std::to_string(seed) + ")");
    try {
      check_seed(seed);
    } catch (const std::exception& error) {
      ADD_FAILURE() << "threw: " << error.what();
    }
    if (HasFailure()) {
      break;  // one failing seed is enough to read
    }
  }
  std::cout << m_installed << " prefixes installed and removed, " << m_refused << " refused\n";
}

}  // namespace
}  // namespace envsetup::testing
