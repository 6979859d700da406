// SPDX-License-Identifier: Apache-2.0
// Private to the fetch module: one archive's transfer state in the download loop
// (curl_downloader.cpp) and the functions that feed its partial file.
#pragma once

#include <envsetup/fetch/cache.hpp>
#include <envsetup/fetch/curl_session.hpp>
#include <envsetup/fetch/downloader.hpp>
#include <envsetup/util/background_sha256.hpp>
#include <envsetup/util/fs.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>

namespace envsetup::fetch::detail {

using Clock = std::chrono::steady_clock;

// One archive's transfer: its lock, partial file, running hash and attempt state.
struct Transfer {
  const DownloadItem* item = nullptr;
  util::FileLock lock;  // the archive's exclusive lock, from the first look until verified or given up
  std::filesystem::path partial;  // for messages; the file is reached through the cache's descriptors only
  PartialFile file;
  util::BackgroundSha256 hash;  // on its own thread: the multi loop only copies
  util::WritebackPacer writeback;  // the final fsync then finds most of the file on disk
  std::uint64_t have = 0;
  bool range_requested = false;
  bool resumed = false;
  bool too_long = false;
  bool write_failed = false;
  int write_errno = 0;
  int attempts = 0;
  int checksum_failures = 0;
  std::uint64_t transferred = 0;
  Clock::time_point not_before{};
  ResponseHeaders headers;
  char error_buffer[CURL_ERROR_SIZE] = {};
  EasyHandle easy;
  MultiAttachment attachment;  // after `easy`: detached before it is cleaned up
  DownloadObserver* observer = nullptr;
  std::string failure;  // final reason when it gave up
  bool integrity_failure = false;
  bool io_failure = false;  // a local write failed (full disk, quota, file-size limit)
};

// CURLOPT_WRITEFUNCTION: appends to the partial file and the running hash; `userdata` is the
// Transfer. Never writes an error page; stops a body longer than the manifest's size.
std::size_t on_body(char* data, std::size_t size, std::size_t count, void* userdata);

// Opens (or continues) the partial file through the cache (a link or any non-regular file
// in its place is removed, never followed) and hashes what it already holds.
[[nodiscard]] util::Status open_partial(Transfer& t, const Cache& cache);

// Closes the partial file (the name stays for the next attempt).
void close_file(Transfer& t);

// The wait before the next attempt: Retry-After when the server sent one (capped), else
// exponential backoff with jitter.
[[nodiscard]] std::chrono::milliseconds backoff(const Transfer& t, const DownloadOptions& options, std::mt19937& rng);

}  // namespace envsetup::fetch::detail
