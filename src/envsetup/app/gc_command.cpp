// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/gc_command.hpp>

#include <envsetup/app/install_command.hpp>
#include <envsetup/app/lock_mirror.hpp>
#include <envsetup/install/receipt.hpp>
#include <envsetup/pyenv/venv_registry.hpp>

namespace envsetup::app {

namespace fs = std::filesystem;

namespace {

void keep_lock(const lock::Lockfile& lockfile, std::set<std::string>& keep)
{
  for (const auto& wheel : lockfile.wheels) {
    keep.insert(wheel.sha256);
  }
  for (const auto& archive : lockfile.archives) {
    keep.insert(archive.sha256);
  }
}

void keep_receipt(const install::Receipt& receipt, std::set<std::string>& keep)
{
  for (const auto& archive : receipt.archives) {
    keep.insert(archive.sha256);
  }
}

}  // namespace

util::Result<std::set<std::string>> gc_keep_set(const GcOptions& options, GcOutcome& outcome)
{
  std::set<std::string> keep;
  for (const auto& lock_path : options.locks) {
    auto lockfile = read_lockfile(lock_path, nullptr);
    if (!lockfile) {
      return std::move(lockfile).error().with_hint("gc keeps what each --lock FILE names; fix or drop that flag");
    }
    keep_lock(*lockfile, keep);
    ++outcome.locks;
  }
  const auto prefixes = list_prefixes(options.store);
  for (const auto& prefix : prefixes) {
    keep_receipt(prefix.receipt, keep);
  }
  outcome.prefixes = prefixes.size();
  for (const auto& venv : pyenv::VenvRegistry(outcome.store_root).list()) {
    ++outcome.venvs;
    keep.insert(venv.archives.begin(), venv.archives.end());
    if (venv.toolkit_prefix) {
      if (auto receipt = install::read_receipt(*venv.toolkit_prefix)) {
        keep_receipt(*receipt, keep);
      }
    }
    if (venv.lockfile) {
      if (auto lockfile = read_lockfile(*venv.lockfile, nullptr)) {
        keep_lock(*lockfile, keep);
        ++outcome.locks;
      }
    }
  }
  outcome.kept = keep.size();
  return keep;
}

util::Result<GcOutcome> run_gc(const GcOptions& options)
{
  GcOutcome outcome;
  outcome.store_root = store_root(options.store);
  outcome.cache_root = options.cache.value_or(fetch::Cache::default_root());
  auto keep = gc_keep_set(options, outcome);
  if (!keep) {
    return std::move(keep).error();
  }
  auto store = install::ExtractedStore::collect(outcome.store_root, *keep, options.dry_run);
  if (!store) {
    return std::move(store).error();
  }
  outcome.store = std::move(store).value();
  std::error_code ec;
  if (fs::exists(outcome.cache_root, ec)) {
    auto cache = fetch::Cache::open(outcome.cache_root);
    if (!cache) {
      return std::move(cache).error();
    }
    auto collected = cache->collect(*keep, options.dry_run);
    if (!collected) {
      return std::move(collected).error();
    }
    outcome.cache = std::move(collected).value();
  }
  return outcome;
}

}  // namespace envsetup::app
