// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/streaming_extract.hpp>
#include <envsetup/fetch/cache.hpp>
#include <envsetup/install/extract.hpp>
#include <envsetup/util/fs.hpp>
#include <envsetup/util/unique_fd.hpp>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <mutex>
#include <optional>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

namespace envsetup::app {

namespace fs = std::filesystem;

namespace {

enum class StreamState { downloading, verified, abandoned };

}  // namespace

// One archive being extracted from its partial file. The download thread changes `state`;
// the extraction thread reads the file and waits on `changed` at its current end.
struct StreamingExtraction::Stream : install::ArchiveStream {
  fetch::DownloadItem item;
  std::optional<install::StoreSlot> slot;
  util::UniqueFd fd;  // the partial file, opened through the cache (never through a link)
  std::uint64_t read_so_far = 0;
  std::mutex mutex;
  std::condition_variable changed;
  StreamState state = StreamState::downloading;
  std::optional<util::Result<install::ExtractResult>> result;
  std::mutex finishing;                                // one finish() at a time
  std::optional<std::optional<install::ComponentTree>> finished;  // its answer, once given
  std::jthread worker;

  ~Stream() override
  {
    if (worker.joinable()) {
      set(StreamState::abandoned);
      worker.join();
    }
  }

  void set(StreamState next)
  {
    {
      const std::lock_guard guard(mutex);
      if (state == StreamState::downloading) {
        state = next;
      }
    }
    changed.notify_all();
  }

  util::Result<std::size_t> read(char* buffer, std::size_t size) override
  {
    for (;;) {
      const ssize_t got = ::pread(fd.get(), buffer, size, static_cast<off_t>(read_so_far));
      if (got < 0 && errno == EINTR) {
        continue;
      }
      if (got < 0) {
        return util::make_error(util::ErrorKind::io, "cannot read the download of " + item.name)
          .with_cause(std::strerror(errno));
      }
      if (got > 0) {
        read_so_far += static_cast<std::uint64_t>(got);
        return static_cast<std::size_t>(got);
      }
      std::unique_lock guard(mutex);
      if (state == StreamState::abandoned) {
        return util::make_error(util::ErrorKind::network, "the download of " + item.name + " started over");
      }
      if (state == StreamState::verified && read_so_far >= item.size) {
        return std::size_t{0};
      }
      // The writer may have appended between pread and the lock: poll again soon either way.
      changed.wait_for(guard, std::chrono::milliseconds(20));
    }
  }
};

StreamingExtraction::StreamingExtraction(const install::ExtractedStore& store, fs::path cache_root,
                                         fetch::DownloadObserver* inner, install::DecodePool* decoders)
  : m_store(store), m_cache_root(std::move(cache_root)), m_inner(inner), m_decoders(decoders)
{
  const char* setting = std::getenv("ENVSETUP_EXTRACT_WHILE_DOWNLOADING");
  m_enabled = setting == nullptr || std::string_view(setting) != "0";
}

StreamingExtraction::~StreamingExtraction()
{
  finish_all();
}

void StreamingExtraction::on_start(const fetch::DownloadItem& item, std::uint64_t offset)
{
  if (m_inner != nullptr) {
    m_inner->on_start(item, offset);
  }
  if (auto existing = m_streams.find(item.sha256); existing != m_streams.end()) {
    existing->second->set(StreamState::abandoned);  // a second start: the bytes may differ
    return;
  }
  if (m_pending.erase(item.sha256) > 0 || offset != 0) {
    m_disqualified.insert(item.sha256);
    return;
  }
  if (!m_disqualified.contains(item.sha256)) {
    m_pending.emplace(item.sha256, std::chrono::steady_clock::now());
  }
}

void StreamingExtraction::on_progress(const fetch::DownloadItem& item, std::uint64_t have)
{
  if (m_inner != nullptr) {
    m_inner->on_progress(item, have);
  }
  if (auto stream = m_streams.find(item.sha256); stream != m_streams.end()) {
    stream->second->changed.notify_all();
    return;
  }
  const auto pending = m_pending.find(item.sha256);
  if (!m_enabled || pending == m_pending.end() || have >= item.size) {
    return;
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - pending->second;
  if (elapsed < k_stream_after) {
    return;
  }
  // At the rate so far, the time this download has left (any time at all when nothing came).
  const double left = have == 0 ? k_stream_if_left.count()
                                : static_cast<double>(item.size - have) * elapsed.count() / static_cast<double>(have);
  if (left < k_stream_if_left.count()) {
    return;  // about to finish: cheaper to extract afterwards, with every core
  }
  const auto running = std::count_if(m_streams.begin(), m_streams.end(), [](const auto& entry) {
    return entry.second->state == StreamState::downloading;
  });
  if (static_cast<unsigned>(running) >= std::max(1U, std::thread::hardware_concurrency())) {
    return;
  }
  m_pending.erase(pending);
  start_stream(item);
}

void StreamingExtraction::start_stream(const fetch::DownloadItem& item)
{
  auto reserved = m_store.reserve(item.sha256, false);
  if (!reserved || !reserved->has_value() || (*reserved)->finished()) {
    return;  // another process extracts it, or it is there: the ordinary path handles it
  }
  auto stream = std::make_unique<Stream>();
  stream->item = item;
  stream->slot = std::move(**reserved);
  stream->fd = fetch::Cache(m_cache_root).open_partial_for_reading(item.sha256);
  if (!stream->fd.valid()) {
    return;
  }
  auto* raw = stream.get();
  raw->worker = std::jthread([raw, decoders = m_decoders] {
    install::ExtractLimits limits;
    limits.expected = install::archive_kind_for_name(raw->item.name);
    raw->result = install::extract_archive_stream(*raw, raw->item.size, raw->item.name, raw->slot->temporary(),
                                                  limits, decoders);
  });
  m_streams.emplace(item.sha256, std::move(stream));
}

void StreamingExtraction::on_retry(const fetch::DownloadItem& item, int attempt, const std::string& reason,
                                   std::chrono::milliseconds delay)
{
  if (m_inner != nullptr) {
    m_inner->on_retry(item, attempt, reason, delay);
  }
  if (auto stream = m_streams.find(item.sha256); stream != m_streams.end()) {
    stream->second->set(StreamState::abandoned);
  }
  m_pending.erase(item.sha256);
  m_disqualified.insert(item.sha256);
}

void StreamingExtraction::on_done(const fetch::DownloadOutcome& outcome)
{
  if (m_inner != nullptr) {
    m_inner->on_done(outcome);
  }
  m_pending.erase(outcome.item.sha256);
  if (auto stream = m_streams.find(outcome.item.sha256); stream != m_streams.end()) {
    stream->second->set(outcome.from_cache ? StreamState::abandoned : StreamState::verified);
  }
}

bool StreamingExtraction::has_stream(const std::string& sha256) const
{
  return m_streams.contains(sha256);
}

std::optional<install::ComponentTree> StreamingExtraction::finish(const std::string& sha256)
{
  const auto found = m_streams.find(sha256);
  if (found == m_streams.end()) {
    return std::nullopt;
  }
  Stream& stream = *found->second;
  const std::lock_guard guard(stream.finishing);
  if (stream.finished) {
    return *stream.finished;
  }
  stream.set(StreamState::abandoned);  // no effect on a verified stream
  if (stream.worker.joinable()) {
    stream.worker.join();
  }
  const bool good = stream.state == StreamState::verified && stream.result && stream.result->ok();
  std::optional<install::ComponentTree> done;
  if (good && stream.slot) {
    if (auto committed = stream.slot->commit()) {
      done = install::ComponentTree{"", *committed, stream.slot->entries()};
    }
  }
  stream.slot.reset();  // the lock goes; an uncommitted temporary folder is removed
  stream.finished = done;
  return done;
}

void StreamingExtraction::finish_all()
{
  for (const auto& [sha, stream] : m_streams) {
    static_cast<void>(finish(sha));
  }
}

}  // namespace envsetup::app
