// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/util/error.hpp>
#include <envsetup/util/fs.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace envsetup::fetch {

// What the cache knows about one archive (a sidecar JSON next to it).
struct CacheEntry {
  std::string sha256;
  std::string name;  // archive file name, e.g. cuda_nvcc-linux-x86_64-12.4.131-archive.tar.xz
  std::string url;   // where it was downloaded from
  std::uint64_t size = 0;
  std::filesystem::path path;
  std::filesystem::file_time_type modified;
};

// Content-addressed download cache (docs/fetch.md):
//   ROOT/archives-v1/<sha256>        verified archives, visible only once checked
//   ROOT/archives-v1/<sha256>.json   what the archive is (name, url, size)
//   ROOT/partial-v1/<sha256>.part    interrupted downloads, resumed by the next run
//   ROOT/locks-v1/<sha256>.lock      per-archive locks shared by concurrent processes
//   ROOT/manifests-v1/<product>/redistrib_<version>.json   manifests, for --offline
class Cache {
public:
  explicit Cache(std::filesystem::path root);

  // ENVSETUP_CACHE_DIR, else $XDG_CACHE_HOME/envsetup, else ~/.cache/envsetup.
  [[nodiscard]] static std::filesystem::path default_root();

  [[nodiscard]] const std::filesystem::path& root() const { return m_root; }
  [[nodiscard]] std::filesystem::path archive_path(const std::string& sha256) const;
  [[nodiscard]] std::filesystem::path partial_path(const std::string& sha256) const;
  [[nodiscard]] std::filesystem::path lock_path(const std::string& sha256) const;
  [[nodiscard]] std::filesystem::path manifest_path(const std::string& product,
                                                    const std::string& version) const;

  // True when the verified archive is present (it was checked before it became visible).
  [[nodiscard]] bool has(const std::string& sha256, std::uint64_t size) const;

  // Moves a fully checked download into the cache: fsync, rename, sidecar. Errors (kind io).
  [[nodiscard]] util::Status commit(const std::filesystem::path& verified_file,
                                    const CacheEntry& entry) const;

  // Every archive in the cache, sorted by name.
  [[nodiscard]] std::vector<CacheEntry> list() const;

  // Re-hashes every archive; corrupt ones (and partial files) are removed. Returns the
  // names of the corrupt archives.
  [[nodiscard]] util::Result<std::vector<std::string>> verify() const;

  // Removes archives not modified for `older_than` (all when unset) and every partial
  // download; returns the bytes freed.
  [[nodiscard]] util::Result<std::uint64_t> clean(std::optional<std::chrono::hours> older_than) const;

private:
  std::filesystem::path m_root;
};

}  // namespace envsetup::fetch
