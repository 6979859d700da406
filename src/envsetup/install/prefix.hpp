// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/install/receipt.hpp>
#include <envsetup/util/error.hpp>
#include <envsetup/util/fs.hpp>

#include <cstdint>
#include <filesystem>

namespace envsetup::install {

// An install into prefix P, all or nothing. Beside P (in its parent folder) live the lock
// `.P.lock` and the staging folder `.P.staging-<pid>`; the new tree is built in staging and
// replaces P with one rename (an atomic exchange when P already exists). A killed install
// leaves P as it was; the next transaction, holding the lock, deletes stale staging folders.
class PrefixTransaction {
public:
  // Blocks until no other envsetup process works on `prefix`, cleans up after killed ones,
  // and creates an empty staging folder. Errors (kind io).
  [[nodiscard]] static util::Result<PrefixTransaction> begin(const std::filesystem::path& prefix);

  PrefixTransaction(PrefixTransaction&&) noexcept = default;
  PrefixTransaction& operator=(PrefixTransaction&&) noexcept = default;
  PrefixTransaction(const PrefixTransaction&) = delete;
  PrefixTransaction& operator=(const PrefixTransaction&) = delete;
  ~PrefixTransaction();  // removes the staging folder unless committed

  [[nodiscard]] const std::filesystem::path& staging() const { return m_staging; }
  [[nodiscard]] const std::filesystem::path& prefix() const { return m_prefix; }

  // Makes the staging tree the prefix. Errors (kind io); the old prefix is then intact.
  [[nodiscard]] util::Status commit();

private:
  PrefixTransaction() = default;
  std::filesystem::path m_prefix;
  std::filesystem::path m_staging;
  util::FileLock m_lock;
  bool m_committed = false;
};

// The lock file of `prefix` (shared with PrefixTransaction).
[[nodiscard]] std::filesystem::path prefix_lock_path(const std::filesystem::path& prefix);

// Deletes exactly the paths `receipt` lists (then folders left empty, the receipt, and the
// prefix folder when nothing else is in it). Files the user added are kept and reported.
// Returns the paths kept. Errors (kind io).
[[nodiscard]] util::Result<std::vector<std::string>> remove_installed(const std::filesystem::path& prefix,
                                                                      const Receipt& receipt);

// Bytes of the regular files `receipt` lists (hard-linked files count once per prefix).
[[nodiscard]] std::uint64_t installed_size(const std::filesystem::path& prefix, const Receipt& receipt);

}  // namespace envsetup::install
