// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/fetch/downloader.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <string>

namespace envsetup::app {

// Extracts archives while they download. Installed as the download observer (it forwards
// every event to `inner`), it starts, for each archive whose download begins at byte 0, a
// thread that extracts the growing partial file into STORE/extracted-v1/<sha256>.tmp-<pid>,
// holding that archive's extraction lock. A stream is kept only when its download then
// finishes verified without a retry or a restart; anything else (a retry, a restart from
// byte 0, a failed download, a bad archive) discards its folder, and the archive is then
// extracted the ordinary way from the verified file. So an extraction never outlives bytes
// that failed their sha256.
class StreamingExtraction : public fetch::DownloadObserver {
public:
  StreamingExtraction(std::filesystem::path store, std::filesystem::path cache_root,
                      fetch::DownloadObserver* inner);
  ~StreamingExtraction() override;
  StreamingExtraction(const StreamingExtraction&) = delete;
  StreamingExtraction& operator=(const StreamingExtraction&) = delete;

  void on_start(const fetch::DownloadItem& item, std::uint64_t offset) override;
  void on_progress(const fetch::DownloadItem& item, std::uint64_t have) override;
  void on_retry(const fetch::DownloadItem& item, int attempt, const std::string& reason,
                std::chrono::milliseconds delay) override;
  void on_done(const fetch::DownloadOutcome& outcome) override;

  // Call after the downloads ended: waits for the extractions, makes each one that is kept
  // visible as STORE/extracted-v1/<sha256> (synced, then renamed) and returns those folders
  // by sha256. The rest is removed.
  [[nodiscard]] std::map<std::string, std::filesystem::path> finish();

  struct Stream;

private:
  std::filesystem::path m_store;
  std::filesystem::path m_cache_root;
  fetch::DownloadObserver* m_inner;
  std::map<std::string, std::unique_ptr<Stream>> m_streams;  // by sha256
};

}  // namespace envsetup::app
