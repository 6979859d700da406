// SPDX-License-Identifier: Apache-2.0
// Private to the fetch module: the record kept beside each cached archive
// (archives-v1/<sha256>.json) and the file identity it pins.
#pragma once

#include <envsetup/fetch/cache.hpp>
#include <envsetup/util/error.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <sys/stat.h>

namespace envsetup::fetch::detail {

// What identifies one version of a file: a rewrite, a replacement or a new link changes it
// (ctime cannot be set back by a user).
struct FileIdentity {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;

  bool operator==(const FileIdentity&) const = default;
};

[[nodiscard]] FileIdentity identity_of(const struct stat& status);

// The record: what the archive is, and the identity of the file when it was last hashed.
struct ArchiveRecord {
  std::string sha256;
  std::uint64_t size = 0;
  std::string name;
  std::string url;
  std::optional<FileIdentity> identity;  // absent in records of older caches
};

// The record of `sha256` in the archives folder, nullopt when missing or unreadable (it is
// read with O_NOFOLLOW; a symlink in its place reads as missing).
[[nodiscard]] std::optional<ArchiveRecord> read_record(int archives_fd, const std::string& sha256);
// Writes the record atomically (never through a link).
[[nodiscard]] util::Status write_record(int archives_fd, const ArchiveRecord& record);
// Removes the archive `name` and its record in `archives_fd` (a folder or link in their
// place included, never followed).
void remove_archive_files(int archives_fd, const std::string& sha256);

// SHA-256 of everything readable from `fd` (read from offset 0 with pread). Errors (io).
[[nodiscard]] util::Result<std::string> sha256_of_fd(int fd, const std::string& shown);

// Is `name` (lstat, never followed) in `dir_fd` the archive `sha256` of `size` bytes?
enum class Verdict { trusted, rehashed_ok, mismatch, missing };
// Trusted when it is a regular file whose identity equals the record (and the record names
// this sha256 and size); else re-hashed (when a regular file of `size` bytes): rehashed_ok
// or mismatch. `status_out` receives the lstat of the file checked (for re-recording).
[[nodiscard]] util::Result<Verdict> check_archive(int archives_fd, const std::string& sha256, std::uint64_t size,
                                                  struct stat& status_out);

// The archive names (64 hex digits) in the archives folder, whatever their type.
[[nodiscard]] std::vector<std::string> archive_names(int archives_fd);

// Both locks of an archive taken exclusively without waiting: nobody downloads it and no
// process holds a pin on it. Unheld locks when busy.
struct ExclusiveUse {
  util::FileLock lock;
  util::FileLock pin;
  [[nodiscard]] bool held() const { return lock.held() && pin.held(); }
};
[[nodiscard]] util::Result<ExclusiveUse> take_exclusive(int locks_fd, const std::string& sha256);

}  // namespace envsetup::fetch::detail
