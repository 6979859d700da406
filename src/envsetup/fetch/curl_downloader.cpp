// SPDX-License-Identifier: Apache-2.0
// download_all: the libcurl multi loop.
#include <envsetup/fetch/curl_session.hpp>
#include <envsetup/fetch/curl_transfer.hpp>
#include <envsetup/fetch/downloader.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace envsetup::fetch {

namespace {

using detail::Clock;
using detail::ResponseHeaders;
using detail::Transfer;
using detail::backoff;
using detail::close_file;
using detail::on_body;
using detail::open_partial;

class Downloader {
public:
  Downloader(const Cache& cache, const DownloadOptions& options, DownloadObserver* observer, detail::MultiHandle multi)
    : m_cache(cache), m_options(options), m_observer(observer), m_rng(std::random_device{}()), m_multi(std::move(multi))
  {
  }

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
      curl_multi_perform(m_multi.get(), &running);
      collect_finished();
      if (!m_active.empty()) {
        curl_multi_poll(m_multi.get(), nullptr, 0, 100, nullptr);
      } else if (!m_waiting.empty()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    return report(items);
  }

private:
  // Gives up on `t` for a local reason (a lock or partial file that cannot be created).
  void fail_locally(std::unique_ptr<Transfer> t, const util::Error& error)
  {
    t->failure = error.message;
    for (const auto& cause : error.causes) {
      t->failure += ": " + cause;
    }
    for (const auto& hint : error.hints) {
      t->failure += "; hint: " + hint;
    }
    t->io_failure = true;
    t->lock = util::FileLock();
    close_file(*t);
    m_done.push_back(std::move(t));
  }

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
        auto lock = m_cache.lock_archive(t.item->sha256, false);
        if (!lock) {  // the lock file cannot be created: waiting would never end
          fail_locally(std::move(*it), lock.error());
          it = m_waiting.erase(it);
          continue;
        }
        if (!lock->held()) {
          ++it;  // another process has it; look again shortly
          continue;
        }
        t.lock = std::move(lock).value();
      }
      auto admitted = m_cache.admit(t.item->sha256, t.item->size);
      if (!admitted) {
        fail_locally(std::move(*it), admitted.error());
        it = m_waiting.erase(it);
        continue;
      }
      if (*admitted) {
        if (!finish_ok(t, true)) {
          m_done.push_back(std::move(*it));
        }
        it = m_waiting.erase(it);
        continue;
      }
      if (auto opened = open_partial(t, m_cache); !opened) {
        fail_locally(std::move(*it), opened.error());
        it = m_waiting.erase(it);
        continue;
      }
      if (auto begun = begin(t); !begun) {
        fail_locally(std::move(*it), begun.error());
        it = m_waiting.erase(it);
        continue;
      }
      m_active.push_back(std::move(*it));
      it = m_waiting.erase(it);
    }
  }

  util::Status begin(Transfer& t)
  {
    ++t.attempts;
    t.headers = ResponseHeaders{};
    t.too_long = false;
    t.write_failed = false;
    t.error_buffer[0] = '\0';
    auto easy = detail::make_easy();
    if (!easy) {
      return std::move(easy).error();
    }
    t.easy = std::move(easy).value();
    CURL* handle = t.easy.get();
    detail::configure_easy(handle, t.item->url, m_options);
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, detail::on_header);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, &t.headers);
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, t.error_buffer);
    t.range_requested = t.have > 0;
    if (t.range_requested) {
      curl_easy_setopt(handle, CURLOPT_RESUME_FROM_LARGE, static_cast<curl_off_t>(t.have));
      t.resumed = true;
    }
    if (m_observer != nullptr) {
      m_observer->on_start(*t.item, t.have);
    }
    t.attachment = detail::MultiAttachment(m_multi.get(), handle);
    if (!t.attachment.attached()) {
      t.easy.reset();
      return util::make_error(util::ErrorKind::internal, "libcurl could not start a transfer (curl_multi_add_handle)");
    }
    return util::ok_status();
  }

  void collect_finished()
  {
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(m_multi.get(), &left)) {
      if (message->msg != CURLMSG_DONE) {
        continue;
      }
      auto it = std::find_if(m_active.begin(), m_active.end(),
                             [&](const auto& t) { return t->easy.get() == message->easy_handle; });
      if (it == m_active.end()) {
        continue;
      }
      auto transfer = std::move(*it);
      m_active.erase(it);
      const CURLcode code = message->data.result;
      transfer->attachment.detach();
      transfer->easy.reset();
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
      if (detail::is_stall(code, t->error_buffer)) {
        reason = "the download stalled: less than " + std::to_string(m_options.low_speed_bytes) + " bytes/s for " +
                 std::to_string(m_options.low_speed_time.count()) + " s (" + reason + ")";
      }
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
    std::uint64_t kept = t->have;
    close_file(*t);
    if (restart) {
      m_cache.discard_partial(t->item->sha256);
      t->resumed = false;
      kept = 0;
    }
    if (permanent || t->attempts >= m_options.max_attempts) {
      if (t->integrity_failure || permanent || kept == 0) {
        m_cache.discard_partial(t->item->sha256);  // nothing unverified stays; only a resumable prefix is kept
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

  // Records a verified archive (committing a fresh download into the cache) and pins it
  // before its lock is released; false with `t.failure` set when that fails.
  bool finish_ok(Transfer& t, bool from_cache)
  {
    if (!from_cache) {
      CacheEntry entry;
      entry.sha256 = t.item->sha256;
      entry.name = t.item->name;
      entry.url = t.item->url;
      entry.size = t.item->size;
      auto committed = m_cache.commit(t.file, entry);
      close_file(t);
      if (!committed) {
        m_cache.discard_partial(t.item->sha256);
        t.failure = committed.error().message + (committed.error().causes.empty() ? "" : ": " + committed.error().causes[0]);
        t.io_failure = true;
        t.lock = util::FileLock();
        return false;
      }
    }
    auto pin = m_cache.pin(t.item->sha256);
    util::UniqueFd file = m_cache.open_verified(t.item->sha256);
    t.lock = util::FileLock();
    if (!pin) {
      t.failure = pin.error().message + (pin.error().causes.empty() ? "" : ": " + pin.error().causes[0]);
      t.io_failure = true;
      return false;
    }
    if (!file.valid()) {
      t.failure = "the archive in the cache is not the file that was verified (it was replaced meanwhile)";
      t.integrity_failure = true;
      return false;
    }
    DownloadOutcome outcome{*t.item, m_cache.archive_path(t.item->sha256), from_cache, t.resumed,
                            t.attempts, t.transferred, std::move(pin).value(), std::move(file)};
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
      // Report in the caller's order (an item listed twice gets one outcome: the first).
      std::vector<DownloadOutcome> ordered;
      for (const auto& item : items) {
        for (auto& outcome : m_outcomes) {
          if (outcome.item.sha256 == item.sha256 && outcome.item.url == item.url && !outcome.path.empty()) {
            ordered.push_back(std::move(outcome));
            outcome.path.clear();
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
  detail::MultiHandle m_multi;  // before the transfers: they detach from it when destroyed
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
  ENVSETUP_TRY(cache.status());
  auto multi = detail::make_multi();
  if (!multi) {
    return std::move(multi).error();
  }
  Downloader downloader(cache, options, observer, std::move(multi).value());
  return downloader.run(items);
}

}  // namespace envsetup::fetch
