// SPDX-License-Identifier: Apache-2.0
// Listing, verifying, cleaning and exporting the cache's archives.
#include <envsetup/fetch/cache.hpp>
#include <envsetup/fetch/cache_record.hpp>

#include <envsetup/util/beneath.hpp>
#include <envsetup/util/sha256.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <unistd.h>

namespace envsetup::fetch {

namespace {

std::chrono::system_clock::time_point modified_of(const struct stat& status)
{
  return std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
    std::chrono::seconds(status.st_mtim.tv_sec) + std::chrono::nanoseconds(status.st_mtim.tv_nsec)));
}

// Copies all of `from` into `to`: copy_file_range (in-kernel, server-side on NFS), else
// sendfile, else read/write. False (errno set) on failure.
bool copy_contents(int from, int to)
{
  off_t in_offset = 0;
  for (;;) {
    const ssize_t copied = ::copy_file_range(from, &in_offset, to, nullptr, std::size_t{1} << 30, 0);
    if (copied == 0) {
      return true;
    }
    if (copied < 0) {
      if (errno == EINTR) {
        continue;
      }
      if (in_offset == 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
        break;  // not supported here: fall back
      }
      return false;
    }
  }
  for (;;) {
    const ssize_t sent = ::sendfile(to, from, &in_offset, std::size_t{1} << 30);
    if (sent == 0) {
      return true;
    }
    if (sent < 0 && errno != EINTR) {
      return false;
    }
  }
}

}  // namespace

namespace detail {

// The archive names (64 hex digits) in the archives folder, whatever their type.
std::vector<std::string> archive_names(int archives_fd)
{
  std::vector<std::string> names;
  if (auto all = util::list_folder(archives_fd)) {
    for (auto& name : *all) {
      if (util::is_sha256_hex(name)) {
        names.push_back(std::move(name));
      }
    }
  }
  return names;
}

util::Result<ExclusiveUse> take_exclusive(int locks_fd, const std::string& sha256)
{
  ExclusiveUse use;
  auto lock = util::FileLock::acquire_at(locks_fd, sha256 + ".lock", false);
  if (!lock) {
    return std::move(lock).error();
  }
  if (!lock->held()) {
    return use;
  }
  auto pin = util::FileLock::acquire_at(locks_fd, sha256 + ".pin", false);
  if (!pin) {
    return std::move(pin).error();
  }
  use.lock = std::move(lock).value();
  use.pin = std::move(pin).value();
  return use;
}

}  // namespace detail

std::vector<CacheEntry> Cache::list() const
{
  std::vector<CacheEntry> entries;
  if (!m_status) {
    return entries;
  }
  for (const auto& sha256 : detail::archive_names(m_archives.get())) {
    struct stat status {};
    if (!util::stat_at(m_archives.get(), sha256, status) || !S_ISREG(status.st_mode)) {
      continue;
    }
    CacheEntry entry;
    entry.sha256 = sha256;
    entry.path = archive_path(sha256);
    entry.size = static_cast<std::uint64_t>(status.st_size);
    entry.modified = modified_of(status);
    if (const auto record = detail::read_record(m_archives.get(), sha256)) {
      entry.name = record->name;
      entry.url = record->url;
    }
    entries.push_back(std::move(entry));
  }
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return entries;
}

util::Result<VerifyReport> Cache::verify() const
{
  ENVSETUP_TRY(m_status);
  VerifyReport report;
  for (const auto& sha256 : detail::archive_names(m_archives.get())) {
    const auto record = detail::read_record(m_archives.get(), sha256);
    const std::string shown = record && !record->name.empty() ? record->name : sha256;
    auto use = detail::take_exclusive(m_locks.get(), sha256);
    if (!use) {  // a lock that cannot be taken (a link planted in its place): skip this one only
      report.busy.push_back(shown + " (its lock in " + (m_root / "locks-v1").string() + " is unusable: " +
                            use.error().message + ")");
      continue;
    }
    if (!use->held()) {
      report.busy.push_back(shown);
      continue;
    }
    struct stat status {};
    if (!util::stat_at(m_archives.get(), sha256, status)) {
      continue;
    }
    const auto size = static_cast<std::uint64_t>(status.st_size);
    if (S_ISREG(status.st_mode)) {
      // Full re-hash whatever the record says: that is what verify is for.
      util::UniqueFd fd = open_archive(sha256);
      struct stat opened {};
      if (fd.valid() && ::fstat(fd.get(), &opened) == 0 && opened.st_ino == status.st_ino) {
        auto digest = detail::sha256_of_fd(fd.get(), archive_path(sha256).string());
        if (!digest) {
          return std::move(digest).error();
        }
        if (*digest == sha256 && ::fstat(fd.get(), &opened) == 0) {
          auto fresh = record.value_or(detail::ArchiveRecord{});
          fresh.sha256 = sha256;
          fresh.size = size;
          fresh.identity = detail::identity_of(opened);
          static_cast<void>(detail::write_record(m_archives.get(), fresh));
          continue;
        }
      }
    }
    report.corrupt.push_back(shown);
    detail::remove_archive_files(m_archives.get(), sha256);
  }
  return report;
}

util::Result<CleanReport> Cache::clean(std::optional<std::chrono::hours> older_than) const
{
  ENVSETUP_TRY(m_status);
  CleanReport report;
  const auto now = std::chrono::system_clock::now();
  for (const auto& sha256 : detail::archive_names(m_archives.get())) {
    struct stat status {};
    if (!util::stat_at(m_archives.get(), sha256, status)) {
      continue;
    }
    // older_than is at most a century (the command line bounds it): no overflow here.
    if (older_than && now - modified_of(status) < *older_than) {
      continue;
    }
    auto use = detail::take_exclusive(m_locks.get(), sha256);
    if (!use) {  // a lock that cannot be taken (a link planted in its place): skip this one only
      report.busy.push_back(sha256 + " (its lock in " + (m_root / "locks-v1").string() + " is unusable: " +
                            use.error().message + ")");
      continue;
    }
    if (!use->held()) {
      const auto record = detail::read_record(m_archives.get(), sha256);
      report.busy.push_back(record && !record->name.empty() ? record->name : sha256);
      continue;
    }
    detail::remove_archive_files(m_archives.get(), sha256);
    if (S_ISREG(status.st_mode)) {
      report.freed += static_cast<std::uint64_t>(status.st_size);
    }
  }
  auto partials = util::list_folder(m_partial.get());
  if (!partials) {
    return std::move(partials).error();
  }
  for (const auto& name : *partials) {
    const std::string sha256 = name.substr(0, name.find('.'));
    if (name != sha256 + ".part" || !util::is_sha256_hex(sha256)) {
      continue;  // not a partial download of ours
    }
    auto lock = util::FileLock::acquire_at(m_locks.get(), sha256 + ".lock", false);
    if (!lock) {
      return std::move(lock).error();
    }
    if (!lock->held()) {
      continue;  // never pull a file from under a running download
    }
    struct stat status {};
    if (util::stat_at(m_partial.get(), name, status) && S_ISREG(status.st_mode)) {
      report.freed += static_cast<std::uint64_t>(status.st_size);
    }
    static_cast<void>(util::remove_tree_at(m_partial.get(), name));
  }
  return report;
}

util::Status Cache::export_archive(const std::string& sha256, int dir_fd, const std::string& name) const
{
  ENVSETUP_TRY(m_status);
  util::UniqueFd from = open_verified(sha256);  // the file verified, not whatever has its name now
  struct stat status {};
  if (!from.valid() || ::fstat(from.get(), &status) != 0 || !S_ISREG(status.st_mode)) {
    return util::make_error(util::ErrorKind::io, "cannot read the cached archive `" + archive_path(sha256).string() + "`")
      .with_cause(std::strerror(errno != 0 ? errno : EINVAL));
  }
  const std::string temporary = "." + name + ".tmp-" + std::to_string(::getpid());
  auto failed = [&](const std::string& what) {
    const int saved = errno;
    ::unlinkat(dir_fd, temporary.c_str(), 0);
    return util::make_error(util::ErrorKind::io, what + " `" + name + "`").with_cause(std::strerror(saved));
  };
  constexpr int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  util::UniqueFd to(::openat(dir_fd, temporary.c_str(), flags, 0644));
  if (!to.valid() && errno == EEXIST && ::unlinkat(dir_fd, temporary.c_str(), 0) == 0) {
    to = util::UniqueFd(::openat(dir_fd, temporary.c_str(), flags, 0644));
  }
  if (!to.valid()) {
    return failed("cannot write");
  }
  // A reflink shares blocks copy-on-write (btrfs, XFS): a new inode, so editing the copy
  // never changes the cache. Never a hard link.
  if (::ioctl(to.get(), FICLONE, from.get()) != 0 && !copy_contents(from.get(), to.get())) {
    return failed("cannot copy the cached archive to");
  }
  if (::fsync(to.get()) != 0 || !to.close()) {
    return failed("cannot write");
  }
  if (::renameat(dir_fd, temporary.c_str(), dir_fd, name.c_str()) != 0) {
    return failed("cannot rename into");
  }
  return util::ok_status();
}

}  // namespace envsetup::fetch
