// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/util/error.hpp>
#include <envsetup/util/fs.hpp>
#include <envsetup/util/unique_fd.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace envsetup::fetch {

// What the cache knows about one archive (its record, `<sha256>.json`, next to it).
struct CacheEntry {
  std::string sha256;
  std::string name;  // archive file name, e.g. cuda_nvcc-linux-x86_64-12.4.131-archive.tar.xz
  std::string url;   // where it was downloaded from
  std::uint64_t size = 0;
  std::filesystem::path path;
  std::chrono::system_clock::time_point modified;
};

// A shared lock on one cached archive (`locks-v1/<sha256>.pin`): while any pin is held,
// `cache clean` and `cache verify` leave the archive alone (they skip it as busy). Held by
// DownloadOutcome from the moment the archive is verified; keep it until the archive has been
// read for the last time (extracted). Move-only; released on destruction.
class ArchivePin {
public:
  ArchivePin() = default;
  explicit ArchivePin(util::FileLock lock) : m_lock(std::move(lock)) {}
  [[nodiscard]] bool held() const { return m_lock.held(); }
  void release() { m_lock = util::FileLock(); }

private:
  util::FileLock m_lock;
};

// A partial download opened for writing: a regular file with one link, never a symlink.
struct PartialFile {
  util::UniqueFd fd;          // read-write, positioned nowhere in particular: use pread/pwrite or lseek
  std::uint64_t existing = 0;  // bytes it held when opened (0: started from scratch)
};

// Outcome of `cache clean` / `cache verify`: archives in use by another process (a download
// holds its lock, or an install its pin) are skipped and named in `busy`.
struct CleanReport {
  std::uint64_t freed = 0;
  std::vector<std::string> busy;
};
// Outcome of `gc` on the cache (Cache::collect).
struct CollectReport {
  std::vector<std::string> removed;  // archive names (the record's name, else the sha256)
  std::uint64_t freed = 0;           // bytes of the archives removed (or, dry run, to remove)
  std::vector<std::string> busy;     // in use by another process: left alone
};
struct VerifyReport {
  std::vector<std::string> corrupt;  // removed
  std::vector<std::string> busy;     // not checked
};

// Content-addressed download cache (docs/fetch.md):
//   ROOT/archives-v1/<sha256>        verified archives, visible only once checked
//   ROOT/archives-v1/<sha256>.json   their record: name, url, size, sha256 and the file's
//                                    identity at commit (st_dev, st_ino, mtime, ctime, size)
//   ROOT/partial-v1/<sha256>.part    interrupted downloads, resumed by the next run
//   ROOT/locks-v1/<sha256>.lock      exclusive: one process downloads, admits or removes it
//   ROOT/locks-v1/<sha256>.pin       shared: processes that still read the verified archive
//   ROOT/manifests-v1/<product>/redistrib_<version>.json   manifests, for --offline
//
// Every file operation goes through descriptors of these folders (opened once, without
// following a symlink below ROOT) and never follows a symlink: a link or any other
// non-regular file where a cache file belongs is removed (the link itself), never used.
// Nothing is trusted by its name: an archive is used only when its identity equals its
// record, or when a re-hash matches (then it is re-recorded); otherwise it is removed.
class Cache {
public:
  // Opens ROOT (created when missing; symlinks in ROOT's own path are the user's choice and
  // are followed) and its folders. A cache that cannot be opened keeps the error: status()
  // returns it and every operation fails with it (has() answers false).
  explicit Cache(std::filesystem::path root);
  // The same, returning the error (kind io, with a hint about --cache) instead.
  [[nodiscard]] static util::Result<Cache> open(std::filesystem::path root);

  // ENVSETUP_CACHE_DIR, else $XDG_CACHE_HOME/envsetup, else ~/.cache/envsetup.
  [[nodiscard]] static std::filesystem::path default_root();

  [[nodiscard]] const util::Status& status() const { return m_status; }
  [[nodiscard]] const std::filesystem::path& root() const { return m_root; }
  // Paths, for messages and for readers outside fetch (never open them to write).
  [[nodiscard]] std::filesystem::path archive_path(const std::string& sha256) const;
  [[nodiscard]] std::filesystem::path partial_path(const std::string& sha256) const;
  [[nodiscard]] std::filesystem::path manifest_path(const std::string& product,
                                                    const std::string& version) const;

  // The exclusive lock of an archive (downloading, admitting, committing, removing it).
  // Without `wait`, an unheld FileLock when busy. Errors (io, with a hint): the lock file
  // cannot be created (read-only cache, a non-folder in the way) — never a wait.
  [[nodiscard]] util::Result<util::FileLock> lock_archive(const std::string& sha256, bool wait) const;
  // A pin (shared lock) on an archive; waits only while a clean or verify examines it.
  [[nodiscard]] util::Result<ArchivePin> pin(const std::string& sha256) const;

  // Read-only check: the archive is a regular file of `size` bytes whose identity equals its
  // record, or whose sha256 matches on a re-hash. Removes and records nothing.
  [[nodiscard]] bool has(const std::string& sha256, std::uint64_t size) const;
  // The same under the archive's lock (the caller holds it): what is not the archive (a
  // symlink, a folder, other bytes) is removed and false returned; an archive whose identity
  // changed (or has no record, an older cache) and still matches is re-recorded. Errors (io).
  [[nodiscard]] util::Result<bool> admit(const std::string& sha256, std::uint64_t size) const;

  // Under the archive's lock: the partial download, continued when it is a regular file of
  // at most `size` bytes with one link; anything else in its place is removed (never
  // followed) and a new empty file started. Errors (io).
  [[nodiscard]] util::Result<PartialFile> open_partial(const std::string& sha256, std::uint64_t size) const;
  // Read-only descriptor of a partial download (O_NOFOLLOW), or invalid with errno set.
  [[nodiscard]] util::UniqueFd open_partial_for_reading(const std::string& sha256) const;
  // Under the archive's lock: removes the partial download (never following it).
  void discard_partial(const std::string& sha256) const;
  // Under the archive's lock: makes the fully checked `partial` the archive `entry.sha256`:
  // fsync, rename, record (sha256, size, identity), fsync of the folder. Errors (kind io).
  [[nodiscard]] util::Status commit(PartialFile& partial, const CacheEntry& entry) const;

  // Read-only descriptor of a cached archive (O_NOFOLLOW), or invalid with errno set.
  [[nodiscard]] util::UniqueFd open_archive(const std::string& sha256) const;
  // open_archive, kept only when the file opened is the one verified: a regular file whose
  // identity (device, inode, size, mtime, ctime) equals its record. Invalid otherwise
  // (errno ESTALE when another file was put under the name since it was verified). Read
  // an admitted archive through this descriptor, never again by name.
  [[nodiscard]] util::UniqueFd open_verified(const std::string& sha256) const;
  // Copies the archive into `dir_fd` as `name` (a new file: a reflink where the file system
  // can, else a copy; never a hard link), atomically. Errors (io).
  [[nodiscard]] util::Status export_archive(const std::string& sha256, int dir_fd, const std::string& name) const;

  // Manifests kept for --offline. read_manifest: nullopt when absent (or not a regular file).
  [[nodiscard]] util::Result<std::optional<std::string>> read_manifest(const std::string& product,
                                                                       const std::string& version) const;
  [[nodiscard]] util::Status write_manifest(const std::string& product, const std::string& version,
                                            const std::string& text) const;

  // Every archive (regular file) in the cache, sorted by name.
  [[nodiscard]] std::vector<CacheEntry> list() const;

  // Re-hashes every archive not in use; what does not match (or is not a regular file) is
  // removed with its record, what matches is re-recorded.
  [[nodiscard]] util::Result<VerifyReport> verify() const;

  // Removes archives not in use and not modified for `older_than` (all when unset), with
  // their records, and every partial download not being downloaded; reports the bytes freed.
  [[nodiscard]] util::Result<CleanReport> clean(std::optional<std::chrono::hours> older_than) const;

  // `gc`: removes every archive (with its record, or a record left without its archive)
  // whose sha256 is not in `keep`, each under both its locks taken without waiting (an archive
  // being downloaded or pinned by an install is busy, left alone). With `dry_run` nothing is
  // removed and no lock taken: the report says what would go. Partial downloads are left to
  // `cache clean`. Errors (io).
  [[nodiscard]] util::Result<CollectReport> collect(const std::set<std::string>& keep, bool dry_run) const;

private:
  Cache() = default;
  util::Status open_folders();

  std::filesystem::path m_root;
  util::Status m_status = util::ok_status();
  util::UniqueFd m_archives;
  util::UniqueFd m_partial;
  util::UniqueFd m_locks;
  util::UniqueFd m_manifests;
};

}  // namespace envsetup::fetch
