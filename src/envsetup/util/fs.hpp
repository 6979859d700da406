// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/util/error.hpp>
#include <envsetup/util/unique_fd.hpp>

#include <cstdint>
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
// The file's name is trusted: its folder is opened following symlinks (callers pass paths they
// chose); the file itself is written through write_file_atomic_at.
[[nodiscard]] Status write_file_atomic(const std::filesystem::path& path, std::string_view content);

// Writes `content` as `name` in the folder `dir_fd`: a temporary `.NAME.tmp-PID` created
// with O_EXCL | O_NOFOLLOW (never through a link), fsync, renameat over `name` (a symlink
// there is replaced, not followed). Errors (kind io).
[[nodiscard]] Status write_file_atomic_at(int dir_fd, const std::string& name, std::string_view content);

// Tells the kernel to start writing `length` bytes of `fd` from `offset` to disk now, without
// waiting (sync_file_range WRITE): a later fsync or syncfs then has little left to wait for.
// A hint only: failures are ignored.
void start_writeback(int fd, std::uint64_t offset, std::uint64_t length);

// Calls start_writeback for every `k_writeback_step` bytes written through it.
class WritebackPacer {
public:
  static constexpr std::uint64_t k_writeback_step = std::uint64_t{8} << 20;
  // `written` bytes of `fd` are written in all; starts writeback of whole steps not yet
  // started (all of it when `last`).
  void advance(int fd, std::uint64_t written, bool last = false);
  void restart() { m_started = 0; }

private:
  std::uint64_t m_started = 0;
};

// An advisory lock (flock) on a lock file, released on destruction or process exit, so a
// killed holder never leaves it stuck. Lock files are created once and never unlinked: a
// process may hold (or be about to take) a lock on the file, and unlinking it would let a
// second process lock a new file of the same name while the first still holds the old one.
// The file is opened with O_NOFOLLOW: a symlink planted in its place is refused, never
// followed (O_CREAT through a dangling link would create its target).
class FileLock {
public:
  enum class Mode { exclusive, shared };

  // Blocks until the lock is held. Errors (kind io, never a wait): the lock file (or its
  // folder) cannot be created or opened — a read-only cache, a path through a file.
  [[nodiscard]] static Result<FileLock> acquire(const std::filesystem::path& path, Mode mode = Mode::exclusive);
  // Returns an unlocked FileLock (`held()` false) instead of blocking when busy. Errors as
  // acquire.
  [[nodiscard]] static Result<FileLock> try_acquire(const std::filesystem::path& path,
                                                    Mode mode = Mode::exclusive);
  // The lock file `name` in the folder `dir_fd` (no folder is created).
  [[nodiscard]] static Result<FileLock> acquire_at(int dir_fd, const std::string& name, bool wait,
                                                   Mode mode = Mode::exclusive);

  FileLock() = default;  // moves and destruction come from UniqueFd: closing releases the lock

  [[nodiscard]] bool held() const { return m_fd.valid(); }

private:
  UniqueFd m_fd;
};

}  // namespace envsetup::util
