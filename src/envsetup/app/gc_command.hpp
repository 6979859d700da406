// SPDX-License-Identifier: Apache-2.0
#pragma once
// `envsetup gc`: removes the extracted store trees (STORE/extracted-v1, install::ExtractedStore)
// and the cached archives (CACHE/archives-v1, fetch::Cache) that nothing refers to any more.
// Kept: every archive a prefix's receipt lists (the store's prefixes and those registered
// with --prefix), every file a registered venv came from (pyenv::VenvRegistry: its lock's
// wheels and archives, its toolkit prefix's receipt, the lock file it was installed from when
// that file is still readable), and every wheel and archive of the locks given with --lock.
// Each deletion is made by the module that owns the state, under its locks (in use: skipped).

#include <envsetup/fetch/cache.hpp>
#include <envsetup/install/store.hpp>
#include <envsetup/util/error.hpp>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <set>
#include <vector>

namespace envsetup::app {

struct GcOptions {
  std::optional<std::filesystem::path> store;  // as install --store
  std::optional<std::filesystem::path> cache;  // as --cache (default fetch::Cache::default_root())
  std::vector<std::filesystem::path> locks;    // lock files whose files are kept too
  bool dry_run = false;
};

struct GcOutcome {
  std::filesystem::path store_root;
  std::filesystem::path cache_root;
  std::size_t prefixes = 0;  // prefixes whose archives were kept
  std::size_t venvs = 0;     // registered venvs
  std::size_t locks = 0;     // lock files read (given and recorded)
  std::size_t kept = 0;      // distinct sha256 kept
  install::StoreCollectReport store;
  fetch::CollectReport cache;
};

// What gc keeps (see above). Errors: a lock given with --lock that cannot be read (io, input).
[[nodiscard]] util::Result<std::set<std::string>> gc_keep_set(const GcOptions& options, GcOutcome& outcome);

// Runs gc (with dry_run: reports only). A store or cache that does not exist has nothing to
// remove (neither is created). Errors: those of gc_keep_set, io, integrity (the store's
// extracted-v1 is a symlink).
[[nodiscard]] util::Result<GcOutcome> run_gc(const GcOptions& options);

}  // namespace envsetup::app
