// SPDX-License-Identifier: Apache-2.0
// download_all: the libcurl multi loop.
#include <envsetup/fetch/curl_session.hpp>
#include <envsetup/fetch/downloader.hpp>
#include <envsetup/util/background_sha256.hpp>
#include <envsetup/util/fs.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <random>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

namespace envsetup::fetch {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using detail::ResponseHeaders;

constexpr std::size_t k_hash_block = 1 << 20;

// Writes all of `data` to `fd`; false on error. Large chunks go straight to the kernel (no
// stdio copy): curl hands over up to CURLOPT_BUFFERSIZE bytes at a time.
bool write_all(int fd, const char* data, std::size_t size)
{
  while (size > 0) {
    const ssize_t written = ::write(fd, data, size);
    if (written < 0 && errno == EINTR) {
      continue;
    }
    if (written <= 0) {
      return false;
    }
    data += written;
    size -= static_cast<std::size_t>(written);
  }
  return true;
}

struct Transfer {
  const DownloadItem* item = nullptr;
  util::FileLock lock;
  fs::path partial;
  int fd = -1;
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
  CURL* easy = nullptr;
  DownloadObserver* observer = nullptr;
  std::string failure;  // final reason when it gave up
  bool integrity_failure = false;
  bool io_failure = false;  // a local write failed (full disk, quota, file-size limit)
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* userdata)
{
  auto& t = *static_cast<Transfer*>(userdata);
  const std::size_t bytes = size * count;
  if (t.headers.status >= 400) {
    return bytes;  // an error page: never written to the partial file
  }
  if (t.range_requested && t.headers.status == 200) {
    // The server ignored Range and sends the whole file: start over.
    t.range_requested = false;
    t.resumed = false;
    if (::ftruncate(t.fd, 0) != 0 || ::lseek(t.fd, 0, SEEK_SET) != 0) {
      t.write_errno = errno;
      t.write_failed = true;
      return 0;
    }
    t.hash.reset();
    t.writeback.restart();
    t.have = 0;
  }
  if (t.have + bytes > t.item->size) {
    t.too_long = true;
    return 0;
  }
  if (!write_all(t.fd, data, bytes)) {
    t.write_errno = errno;
    t.write_failed = true;
    return 0;
  }
  t.hash.update(data, bytes);
  t.have += bytes;
  t.writeback.advance(t.fd, t.have);
  t.transferred += bytes;
  if (t.observer != nullptr) {
    t.observer->on_progress(*t.item, t.have);
  }
  return bytes;
}

// Opens (or continues) the partial file and hashes what it already holds.
util::Status open_partial(Transfer& t)
{
  std::error_code ec;
  fs::create_directories(t.partial.parent_path(), ec);
  std::uint64_t existing = fs::is_regular_file(t.partial, ec) ? fs::file_size(t.partial, ec) : 0;
  if (existing > t.item->size) {
    fs::remove(t.partial, ec);
    existing = 0;
  }
  t.hash.reset();
  t.have = 0;
  if (existing > 0) {
    std::FILE* in = std::fopen(t.partial.c_str(), "rb");
    std::vector<char> block(k_hash_block);
    std::size_t got = 0;
    while (in != nullptr && (got = std::fread(block.data(), 1, block.size(), in)) > 0) {
      t.hash.update(block.data(), got);
      t.have += got;
    }
    if (in != nullptr) {
      std::fclose(in);
    }
  }
  t.fd = ::open(t.partial.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (t.have > 0 ? O_APPEND : O_TRUNC), 0644);
  if (t.fd < 0) {
    return util::make_error(util::ErrorKind::io, "cannot write `" + t.partial.string() + "`")
      .with_cause(std::strerror(errno));
  }
  return util::ok_status();
}

void close_file(Transfer& t)
{
  if (t.fd >= 0) {
    if (::close(t.fd) != 0) {
      t.write_failed = true;
    }
    t.fd = -1;
  }
}

std::chrono::milliseconds backoff(const Transfer& t, const DownloadOptions& options, std::mt19937& rng)
{
  if (t.headers.retry_after_seconds) {
    return std::min(std::chrono::milliseconds(*t.headers.retry_after_seconds * 1000), options.retry_after_cap);
  }
  const auto base = options.retry_base.count();
  const long long exponential = base << std::min(t.attempts - 1, 16);
  std::uniform_int_distribution<long long> jitter(0, std::max<long long>(base, 1));
  return std::min(std::chrono::milliseconds(exponential + jitter(rng)), options.retry_cap);
}

class Downloader {
public:
  Downloader(const Cache& cache, const DownloadOptions& options, DownloadObserver* observer)
    : m_cache(cache), m_options(options), m_observer(observer), m_rng(std::random_device{}())
  {
    detail::ensure_curl_initialised();
    m_multi = curl_multi_init();
  }
  ~Downloader()
  {
    for (auto& t : m_active) {
      curl_multi_remove_handle(m_multi, t->easy);
      curl_easy_cleanup(t->easy);
      close_file(*t);
    }
    curl_multi_cleanup(m_multi);
  }
  Downloader(const Downloader&) = delete;
  Downloader& operator=(const Downloader&) = delete;

  util::Result<std::vector<DownloadOutcome>> run(const std::vector<DownloadItem>& items)
  {
    for (const auto& item : items) {
      auto t = std::make_unique<Transfer>();
      t->item = &item;
      t->partial = m_cache.partial_path(item.sha256);
      t->observer = m_observer;
      m_waiting.push_back(std::move(t));
    }
    std::stable_sort(m_waiting.begin(), m_waiting.end(),
                     [](const auto& a, const auto& b) { return a->item->size > b->item->size; });
    while (!m_waiting.empty() || !m_active.empty()) {
      start_ready();
      int running = 0;
      curl_multi_perform(m_multi, &running);
      collect_finished();
      if (!m_active.empty()) {
        curl_multi_poll(m_multi, nullptr, 0, 100, nullptr);
      } else if (!m_waiting.empty()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    return report(items);
  }

private:
  void start_ready()
  {
    const auto now = Clock::now();
    for (auto it = m_waiting.begin(); it != m_waiting.end() && static_cast<int>(m_active.size()) < m_options.jobs;) {
      Transfer& t = **it;
      if (t.not_before > now) {
        ++it;
        continue;
      }
      if (!t.lock.held()) {
        auto lock = util::FileLock::try_acquire(m_cache.lock_path(t.item->sha256));
        if (!lock || !lock->held()) {
          ++it;  // another process has it; look again shortly
          continue;
        }
        t.lock = std::move(lock).value();
      }
      if (m_cache.has(t.item->sha256, t.item->size)) {
        (void)finish_ok(t, true);  // nothing to commit: it cannot fail
        it = m_waiting.erase(it);
        continue;
      }
      if (auto opened = open_partial(t); !opened) {
        t.failure = opened.error().message + ": " + opened.error().causes.at(0);
        t.io_failure = true;
        m_done.push_back(std::move(*it));
        it = m_waiting.erase(it);
        continue;
      }
      begin(t);
      m_active.push_back(std::move(*it));
      it = m_waiting.erase(it);
    }
  }

  void begin(Transfer& t)
  {
    ++t.attempts;
    t.headers = ResponseHeaders{};
    t.too_long = false;
    t.write_failed = false;
    t.error_buffer[0] = '\0';
    t.easy = curl_easy_init();
    detail::configure_easy(t.easy, t.item->url, m_options);
    curl_easy_setopt(t.easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(t.easy, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(t.easy, CURLOPT_HEADERFUNCTION, detail::on_header);
    curl_easy_setopt(t.easy, CURLOPT_HEADERDATA, &t.headers);
    curl_easy_setopt(t.easy, CURLOPT_ERRORBUFFER, t.error_buffer);
    t.range_requested = t.have > 0;
    if (t.range_requested) {
      curl_easy_setopt(t.easy, CURLOPT_RESUME_FROM_LARGE, static_cast<curl_off_t>(t.have));
      t.resumed = true;
    }
    if (m_observer != nullptr) {
      m_observer->on_start(*t.item, t.have);
    }
    curl_multi_add_handle(m_multi, t.easy);
  }

  void collect_finished()
  {
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(m_multi, &left)) {
      if (message->msg != CURLMSG_DONE) {
        continue;
      }
      auto it = std::find_if(m_active.begin(), m_active.end(),
                             [&](const auto& t) { return t->easy == message->easy_handle; });
      if (it == m_active.end()) {
        continue;
      }
      auto transfer = std::move(*it);
      m_active.erase(it);
      const CURLcode code = message->data.result;
      curl_multi_remove_handle(m_multi, transfer->easy);
      curl_easy_cleanup(transfer->easy);
      transfer->easy = nullptr;
      close_file(*transfer);
      settle(std::move(transfer), code);
    }
  }

  // Decides what a finished attempt means: done, retry (resume or restart), or give up.
  void settle(std::unique_ptr<Transfer> t, CURLcode code)
  {
    const long status = t->headers.status;
    std::string reason;
    bool restart = false;
    bool permanent = false;
    if (t->write_failed) {
      reason = "cannot write `" + t->partial.string() + "`: " + std::strerror(t->write_errno);
      permanent = true;
      t->io_failure = true;
    } else if (t->too_long) {
      reason = "the server sent more than the manifest's " + std::to_string(t->item->size) + " bytes";
      restart = true;
      t->integrity_failure = true;
    } else if (code == CURLE_OK && status >= 400) {
      reason = "HTTP " + std::to_string(status);
      restart = status == 416;
      permanent = !detail::is_transient_status(status) && !restart;
    } else if (code != CURLE_OK) {
      reason = detail::describe_failure(code, status, t->error_buffer);
      restart = code == CURLE_RANGE_ERROR;
      permanent = !detail::is_transient_curl_error(code) && !restart;
      if (permanent) {
        reason += "; hint: " + detail::hint_for(code, status);
      }
    } else if (t->have < t->item->size) {
      reason = "the transfer ended after " + std::to_string(t->have) + " of " +
               std::to_string(t->item->size) + " bytes";
      t->integrity_failure = t->attempts >= m_options.max_attempts;
    } else {
      const std::string digest = t->hash.hex_digest();
      if (digest == t->item->sha256) {
        if (!finish_ok(*t, false)) {
          m_done.push_back(std::move(t));
        }
        return;
      }
      reason = "sha256 mismatch: expected " + t->item->sha256 + ", got " + digest;
      t->integrity_failure = true;
      restart = true;
      permanent = ++t->checksum_failures >= 2;
    }
    if (restart) {
      std::error_code ec;
      fs::remove(t->partial, ec);
      t->resumed = false;
    }
    if (permanent || t->attempts >= m_options.max_attempts) {
      std::error_code ec;
      if (t->integrity_failure || permanent || fs::file_size(t->partial, ec) == 0) {
        fs::remove(t->partial, ec);  // nothing unverified stays; only a resumable prefix is kept
      }
      t->failure = reason + (permanent ? "" : " (gave up after " + std::to_string(t->attempts) + " attempts)");
      t->lock = util::FileLock();
      m_done.push_back(std::move(t));
      return;
    }
    const auto delay = backoff(*t, m_options, m_rng);
    if (m_observer != nullptr) {
      m_observer->on_retry(*t->item, t->attempts, reason, delay);
    }
    t->not_before = Clock::now() + delay;
    m_waiting.push_back(std::move(t));
  }

  // Records a verified archive (committing a fresh download into the cache); false with
  // `t.failure` set when the commit fails.
  bool finish_ok(Transfer& t, bool from_cache)
  {
    DownloadOutcome outcome{*t.item, m_cache.archive_path(t.item->sha256), from_cache, t.resumed,
                            t.attempts, t.transferred};
    if (!from_cache) {
      CacheEntry entry;
      entry.sha256 = t.item->sha256;
      entry.name = t.item->name;
      entry.url = t.item->url;
      entry.size = t.item->size;
      if (auto committed = m_cache.commit(t.partial, entry); !committed) {
        t.failure = committed.error().message;
        return false;
      }
    }
    t.lock = util::FileLock();
    if (m_observer != nullptr) {
      m_observer->on_done(outcome);
    }
    m_outcomes.push_back(std::move(outcome));
    return true;
  }

  util::Result<std::vector<DownloadOutcome>> report(const std::vector<DownloadItem>& items)
  {
    bool integrity = false;
    bool io = false;
    std::vector<std::string> causes;
    for (const auto& t : m_done) {
      if (!t->failure.empty()) {
        causes.push_back(t->item->name + " (" + t->item->url + "): " + t->failure);
        integrity = integrity || t->integrity_failure;
        io = io || t->io_failure;
      }
    }
    if (causes.empty()) {
      // Report in the caller's order.
      std::vector<DownloadOutcome> ordered;
      for (const auto& item : items) {
        for (const auto& outcome : m_outcomes) {
          if (outcome.item.sha256 == item.sha256 && outcome.item.url == item.url) {
            ordered.push_back(outcome);
            break;
          }
        }
      }
      return ordered;
    }
    util::Error error = util::make_error(
      io ? util::ErrorKind::io : integrity ? util::ErrorKind::integrity : util::ErrorKind::network,
      std::to_string(causes.size()) + " of " + std::to_string(items.size()) + " download(s) failed");
    error.causes = std::move(causes);
    error.hints.push_back("the " + std::to_string(m_outcomes.size()) +
                          " archive(s) that arrived are verified in the cache; run the command again "
                          "to resume the rest");
    return error;
  }

  const Cache& m_cache;
  const DownloadOptions& m_options;
  DownloadObserver* m_observer;
  std::mt19937 m_rng;
  CURLM* m_multi = nullptr;
  std::deque<std::unique_ptr<Transfer>> m_waiting;
  std::vector<std::unique_ptr<Transfer>> m_active;
  std::vector<std::unique_ptr<Transfer>> m_done;
  std::vector<DownloadOutcome> m_outcomes;
};

}  // namespace

util::Result<std::vector<DownloadOutcome>> download_all(const std::vector<DownloadItem>& items,
                                                        const Cache& cache,
                                                        const DownloadOptions& options,
                                                        DownloadObserver* observer)
{
  Downloader downloader(cache, options, observer);
  return downloader.run(items);
}

}  // namespace envsetup::fetch
