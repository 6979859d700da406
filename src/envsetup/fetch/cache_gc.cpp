// SPDX-License-Identifier: Apache-2.0
// `envsetup gc` on the cache: archives nothing refers to any more.
#include <envsetup/fetch/cache.hpp>
#include <envsetup/fetch/cache_record.hpp>

#include <envsetup/util/beneath.hpp>
#include <envsetup/util/sha256.hpp>

#include <algorithm>

#include <sys/stat.h>

namespace envsetup::fetch {

namespace {

// The sha256 of every archive or record (`<sha256>.json`) in the archives folder, sorted,
// each once. Other names (not ours) are never touched.
std::vector<std::string> archive_and_record_names(int archives_fd)
{
  std::vector<std::string> names;
  if (auto all = util::list_folder(archives_fd)) {
    for (const auto& name : *all) {
      const std::string sha256 = name.ends_with(".json") ? name.substr(0, name.size() - 5) : name;
      if (util::is_sha256_hex(sha256)) {
        names.push_back(sha256);
      }
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace

util::Result<CollectReport> Cache::collect(const std::set<std::string>& keep, bool dry_run) const
{
  ENVSETUP_TRY(m_status);
  CollectReport report;
  for (const auto& sha256 : archive_and_record_names(m_archives.get())) {
    if (keep.contains(sha256)) {
      continue;
    }
    const auto record = detail::read_record(m_archives.get(), sha256);
    const std::string shown = record && !record->name.empty() ? record->name : sha256;
    detail::ExclusiveUse use;
    if (!dry_run) {
      auto taken = detail::take_exclusive(m_locks.get(), sha256);
      if (!taken) {  // a lock that cannot be taken (a link planted in its place): skip this one
        report.busy.push_back(shown + " (its lock is unusable: " + taken.error().message + ")");
        continue;
      }
      if (!taken->held()) {
        report.busy.push_back(shown);
        continue;
      }
      use = std::move(taken).value();
    }
    struct stat status {};
    if (util::stat_at(m_archives.get(), sha256, status) && S_ISREG(status.st_mode)) {
      report.freed += static_cast<std::uint64_t>(status.st_size);
    }
    report.removed.push_back(shown);
    if (!dry_run) {
      detail::remove_archive_files(m_archives.get(), sha256);
    }
  }
  return report;
}

}  // namespace envsetup::fetch
