// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/fetch/cache.hpp>
#include <envsetup/util/error.hpp>
#include <envsetup/util/unique_fd.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace envsetup::fetch {

// One archive to bring into the cache.
struct DownloadItem {
  std::string name;  // shown to the user: the archive's file name
  std::string url;   // http://, https:// or file://
  std::string sha256;
  std::uint64_t size = 0;
};

struct DownloadOptions {
  int jobs = 4;                                     // parallel transfers
  int max_attempts = 6;                             // per archive, first try included
  std::chrono::milliseconds retry_base{500};        // backoff: base * 2^(attempt-1) + jitter
  std::chrono::milliseconds retry_cap{30000};       // longest backoff (Retry-After may ask more)
  std::chrono::milliseconds retry_after_cap{120000};
  long low_speed_bytes = 1024;                      // a transfer slower than this (bytes/s)...
  std::chrono::seconds low_speed_time{30};          // ...for this long has stalled: retried
                                                    // (no total timeout)
  std::chrono::seconds connect_timeout{30};
  std::optional<std::filesystem::path> cacert;      // CA bundle replacing the system's; TLS is always verified
  std::string user_agent = "envsetup";
};

// One verified archive. Move-only: `pin` keeps `cache clean` / `cache verify` (in any
// process) from removing the archive until the outcome is destroyed or the pin released;
// keep it alive until the archive has been read for the last time (extracted).
struct DownloadOutcome {
  DownloadItem item;
  std::filesystem::path path;  // the verified archive in the cache
  bool from_cache = false;     // was already there
  bool resumed = false;        // some attempt continued a partial file with a Range request
  int attempts = 0;
  std::uint64_t bytes_transferred = 0;
  ArchivePin pin;              // shared lock on the archive (Cache::pin)
  util::UniqueFd file;         // the verified archive, opened before its lock was released:
                               // read it through this, never again by `path`
};

// Progress reports; every callback runs on the calling thread, between transfers' I/O.
class DownloadObserver {
public:
  virtual ~DownloadObserver() = default;
  virtual void on_start(const DownloadItem& item, std::uint64_t offset) = 0;
  virtual void on_progress(const DownloadItem& item, std::uint64_t have) = 0;
  virtual void on_retry(const DownloadItem& item, int attempt, const std::string& reason,
                        std::chrono::milliseconds delay) = 0;
  virtual void on_done(const DownloadOutcome& outcome) = 0;
};

// Brings every item into `cache` with up to `options.jobs` transfers in parallel, largest
// first (libcurl multi interface): sha256 and size computed while streaming to disk, HTTP
// Range resume of partial files, retries with exponential backoff and jitter honouring
// Retry-After on 429/503, a low-speed timeout, redirects (https never downgraded), TLS
// verification, proxies from the environment. An item already in the cache (Cache::admit) is
// not downloaded; two processes sharing the cache coordinate through per-archive locks, and
// a lock file that cannot be created is an error (kind io), never a wait. A stalled
// transfer (below low_speed_bytes for low_speed_time) is retried like a dropped one.
// Returns the outcome of every item, or an error (kind network, or integrity for a
// checksum or size mismatch) that names each failed archive, its URL and the reason; the
// archives that did arrive stay in the cache, and nothing unverified is ever visible there.
[[nodiscard]] util::Result<std::vector<DownloadOutcome>> download_all(
  const std::vector<DownloadItem>& items, const Cache& cache, const DownloadOptions& options,
  DownloadObserver* observer);

// A small text file (a manifest) at `url`, at most `max_bytes`, with the same transport
// settings and retries. Errors (kind network): with the URL, HTTP status or curl error.
[[nodiscard]] util::Result<std::string> fetch_text(const std::string& url,
                                                   const DownloadOptions& options,
                                                   std::uint64_t max_bytes = 16 << 20);

}  // namespace envsetup::fetch
