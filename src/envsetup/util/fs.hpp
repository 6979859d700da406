// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/util/error.hpp>

#include <filesystem>
#include <string>
#include <string_view>

namespace envsetup::util {

// The whole content of the regular file at `path`. Errors (kind io): the file does not
// exist, is not a regular file, or cannot be read.
[[nodiscard]] Result<std::string> read_file(const std::filesystem::path& path);

}  // namespace envsetup::util

namespace envsetup::util {

// Writes `content` to `path` atomically: a temporary file beside it, fsync, rename. A
// reader sees the old file or the whole new one. Errors (kind io).
[[nodiscard]] Status write_file_atomic(const std::filesystem::path& path, std::string_view content);

// fsync of a file (or folder) by path. Errors (kind io).
[[nodiscard]] Status fsync_path(const std::filesystem::path& path);

// syncfs of the file system holding `path`: every file written there so far is on disk
// (cheaper than an fsync per file of a freshly extracted tree). Errors (kind io).
[[nodiscard]] Status syncfs_path(const std::filesystem::path& path);

// An exclusive advisory lock (flock) on `path` (created if needed), released on
// destruction or process exit — so a killed holder never leaves it stuck.
class FileLock {
public:
  // Blocks until the lock is held. Errors (kind io): the lock file cannot be opened.
  [[nodiscard]] static Result<FileLock> acquire(const std::filesystem::path& path);
  // Returns an unlocked FileLock (`held()` false) instead of blocking when busy.
  [[nodiscard]] static Result<FileLock> try_acquire(const std::filesystem::path& path);

  FileLock() = default;
  ~FileLock();
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  [[nodiscard]] bool held() const { return m_fd >= 0; }

private:
  int m_fd = -1;
};

}  // namespace envsetup::util
