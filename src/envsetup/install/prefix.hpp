// SPDX-License-Identifier: Apache-2.0
#pragma once
// Prefixes: installs all or nothing, removal of exactly what envsetup created. Beside a
// prefix P (in its parent folder) live
//   .P.lock          the prefix's lock: created once, never unlinked (a holder keeps it)
//   .P.staging-PID   the new tree of an install in progress; stale ones (a killed install)
//                    are deleted by the next holder of the lock
//   P.kept-STAMP     an old tree that still held files envsetup did not install when it was
//                    replaced: kept for the user, never deleted by envsetup
// Every operation works through the parent folder's descriptor and never follows a symlink
// inside the prefix (util/beneath.hpp). A receipt is untrusted input: the paths it lists are
// checked (receipt.hpp) and acted on only through descriptors, so removal never leaves the
// prefix and never goes through a folder symlink into another tree.

#include <envsetup/install/receipt.hpp>
#include <envsetup/util/error.hpp>
#include <envsetup/util/fs.hpp>
#include <envsetup/util/unique_fd.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace envsetup::install {

// What a commit found in the tree it replaced.
struct Replaced {
  std::vector<std::string> kept;                  // files envsetup did not install
  std::optional<std::filesystem::path> kept_in;   // where they are now (P.kept-STAMP)
};

class PrefixTransaction {
public:
  // Blocks until no other envsetup process works on `prefix`, deletes stale staging
  // folders, checks that the prefix may be replaced (absent, an empty folder, or an envsetup
  // prefix holding nothing but what its receipt lists) and creates an empty staging folder.
  // Errors: usage (a path that cannot be a prefix, a prefix holding foreign files: listed
  // as causes), io.
  [[nodiscard]] static util::Result<PrefixTransaction> begin(const std::filesystem::path& prefix);

  PrefixTransaction(PrefixTransaction&&) noexcept = default;
  PrefixTransaction& operator=(PrefixTransaction&&) noexcept = default;
  PrefixTransaction(const PrefixTransaction&) = delete;
  PrefixTransaction& operator=(const PrefixTransaction&) = delete;
  ~PrefixTransaction();  // deletes the staging folder unless committed

  [[nodiscard]] const std::filesystem::path& prefix() const { return m_prefix; }
  [[nodiscard]] int staging_fd() const { return m_staging_fd.get(); }

  // Checks again that the prefix may be replaced (files the user added while the install
  // downloaded are an error, and nothing is lost), then makes the staging tree the prefix
  // with one rename (an atomic exchange when P exists), and deletes from the old tree
  // exactly what its receipt lists. Errors (usage, io); the old prefix is then intact.
  [[nodiscard]] util::Result<Replaced> commit();

private:
  PrefixTransaction() = default;
  std::filesystem::path m_prefix;
  util::UniqueFd m_parent_fd;
  std::string m_name;
  std::string m_staging;
  util::UniqueFd m_staging_fd;
  util::FileLock m_lock;
  bool m_committed = false;
};

// `requested` made absolute and normal, without a trailing '/'. Errors (usage): a path that
// cannot name a prefix (the root, `.`/`..` as its name, control characters).
[[nodiscard]] util::Result<std::filesystem::path> normal_prefix_path(const std::filesystem::path& requested);

// Usage error unless the prefix `name` in `parent_fd` is absent, an empty folder, or an
// envsetup prefix holding nothing but what its receipt lists.
[[nodiscard]] util::Status check_replaceable(int parent_fd, const std::string& name, const std::string& shown);

// Deletes exactly the paths `receipt` lists under the folder `root_fd` (then folders left
// empty and the receipt). A path reached through a symlink, or a folder where the receipt
// has a file, is left alone. Returns the files left (the user's). Errors (io).
[[nodiscard]] util::Result<std::vector<std::string>> remove_installed(int root_fd, const Receipt& receipt);

// Every file and symlink under the folder `root_fd` (not folders), relative. Errors (io).
[[nodiscard]] util::Result<std::vector<std::string>> files_in(int root_fd);

// Removes the prefix under its lock: what its receipt lists, then the prefix folder when
// nothing else is left. Returns the files kept. Errors: usage (not an envsetup prefix), io.
[[nodiscard]] util::Result<std::vector<std::string>> remove_prefix(const std::filesystem::path& prefix);

// The files `receipt` lists that are missing (or not what was installed: a folder instead
// of a file) under `prefix`; empty when the prefix is whole.
[[nodiscard]] std::vector<std::string> missing_files(const std::filesystem::path& prefix, const Receipt& receipt);

// Bytes of the regular files `receipt` lists (hard-linked files count once per prefix).
[[nodiscard]] std::uint64_t installed_size(const std::filesystem::path& prefix, const Receipt& receipt);

}  // namespace envsetup::install
