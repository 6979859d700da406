// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/fetch/downloader.hpp>
#include <envsetup/install/store.hpp>
#include <envsetup/install/xz_decoder.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace envsetup::app {

// Extracts archives while they download. Installed as the download observer (it forwards
// every event to `inner`), it starts, for each archive whose download began at byte 0, is
// still running after k_stream_after and, at its rate so far, has at least k_stream_if_left
// to go (a download about to finish is cheaper to extract afterwards, with every core and
// the decode pool; extraction then starts at most that much later), a thread that extracts
// the growing partial file from its start into a slot of the store (install::ExtractedStore:
// the archive's lock held, a temporary folder); at most one such thread per core.
// ENVSETUP_EXTRACT_WHILE_DOWNLOADING=0 turns it off (every archive is then extracted after
// the downloads; for comparisons). A stream is kept only when its download then
// finishes verified without a retry or a restart; anything else (a retry, a restart from
// byte 0, a failed download, a bad archive) discards its folder, and the archive is then
// extracted the ordinary way from the verified file. So an extraction never outlives bytes
// that failed their sha256.
class StreamingExtraction : public fetch::DownloadObserver {
public:
  // `decoders` (may be null) decodes the .xz archives; it must outlive this object.
  StreamingExtraction(const install::ExtractedStore& store, std::filesystem::path cache_root,
                      fetch::DownloadObserver* inner, install::DecodePool* decoders = nullptr);
  ~StreamingExtraction() override;
  StreamingExtraction(const StreamingExtraction&) = delete;
  StreamingExtraction& operator=(const StreamingExtraction&) = delete;

  void on_start(const fetch::DownloadItem& item, std::uint64_t offset) override;
  void on_progress(const fetch::DownloadItem& item, std::uint64_t have) override;
  void on_retry(const fetch::DownloadItem& item, int attempt, const std::string& reason,
                std::chrono::milliseconds delay) override;
  void on_done(const fetch::DownloadOutcome& outcome) override;

  // True when an extraction of the archive `sha256` was started.
  [[nodiscard]] bool has_stream(const std::string& sha256) const;

  // Call after the downloads ended. Waits for the extraction of `sha256`; when it is kept,
  // commits its store slot (recorded, synced, renamed) and returns the finished tree (its
  // component name left empty for the caller), else removes it and returns nothing. Safe to
  // call from several threads, for the same archive too (a manifest may list it twice).
  [[nodiscard]] std::optional<install::ComponentTree> finish(const std::string& sha256);

  // finish() for every archive not finished yet (the destructor calls it).
  void finish_all();

  struct Stream;

  static constexpr std::chrono::milliseconds k_stream_after{500};
  static constexpr std::chrono::duration<double> k_stream_if_left{2.0};

private:
  void start_stream(const fetch::DownloadItem& item);

  const install::ExtractedStore& m_store;
  std::filesystem::path m_cache_root;
  fetch::DownloadObserver* m_inner;
  install::DecodePool* m_decoders;
  std::map<std::string, std::unique_ptr<Stream>> m_streams;  // by sha256
  // Downloads that began at byte 0, by sha256, with their start; and those never to stream
  // (resumed, retried or restarted).
  std::map<std::string, std::chrono::steady_clock::time_point> m_pending;
  std::set<std::string> m_disqualified;
  bool m_enabled = true;
};

}  // namespace envsetup::app
