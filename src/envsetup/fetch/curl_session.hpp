// SPDX-License-Identifier: Apache-2.0
// Private to the fetch module: libcurl easy-handle setup shared by downloads and text
// fetches. Only fetch/curl_*.cpp include <curl/curl.h>.
#pragma once

#include <envsetup/fetch/downloader.hpp>

#include <curl/curl.h>

#include <memory>
#include <optional>
#include <string>

namespace envsetup::fetch::detail {

// curl_global_init once per process.
void ensure_curl_initialised();

// Owned libcurl handles. An easy handle added to a multi handle must be removed from it
// (MultiAttachment does) before the easy handle is cleaned up.
struct EasyCleanup {
  void operator()(CURL* easy) const noexcept { curl_easy_cleanup(easy); }
};
struct MultiCleanup {
  void operator()(CURLM* multi) const noexcept { curl_multi_cleanup(multi); }
};
using EasyHandle = std::unique_ptr<CURL, EasyCleanup>;
using MultiHandle = std::unique_ptr<CURLM, MultiCleanup>;

// curl_easy_init / curl_multi_init, checked (libcurl returns null when out of memory or
// when its global init failed). Errors (kind internal).
[[nodiscard]] util::Result<EasyHandle> make_easy();
[[nodiscard]] util::Result<MultiHandle> make_multi();

// `easy` added to `multi` for the lifetime of this object: the destructor removes it, so an
// owner that declares the attachment after its EasyHandle never cleans up an attached handle.
class MultiAttachment {
public:
  MultiAttachment() = default;
  MultiAttachment(CURLM* multi, CURL* easy);
  ~MultiAttachment() { detach(); }
  MultiAttachment(MultiAttachment&& other) noexcept;
  MultiAttachment& operator=(MultiAttachment&& other) noexcept;
  MultiAttachment(const MultiAttachment&) = delete;
  MultiAttachment& operator=(const MultiAttachment&) = delete;

  [[nodiscard]] bool attached() const { return m_multi != nullptr; }
  void detach();

private:
  CURLM* m_multi = nullptr;
  CURL* m_easy = nullptr;
};

// Applies the transport policy of DownloadOptions to `easy` for `url`: protocols
// (http, https, file), redirects (never from https to http), TLS verification, low-speed
// timeout, connect timeout, user agent, no signals.
void configure_easy(CURL* easy, const std::string& url, const DownloadOptions& options);

// Response state captured from headers. Reset at each status line (redirects send several).
struct ResponseHeaders {
  long status = 0;
  std::optional<long> retry_after_seconds;
  bool complete = false;  // the final header block ended
};

// CURLOPT_HEADERFUNCTION callback; `userdata` is a ResponseHeaders*.
std::size_t on_header(char* data, std::size_t size, std::size_t count, void* userdata);

// True for HTTP statuses and curl errors worth another attempt.
[[nodiscard]] bool is_transient_status(long status);
[[nodiscard]] bool is_transient_curl_error(CURLcode code);

// True when `code` is the low-speed limit firing (the server trickled or went silent), not
// the connect timeout.
[[nodiscard]] bool is_stall(CURLcode code, const char* error_buffer);

// "HTTP 404" / "curl error 7 (Couldn't connect to server): <detail>"
[[nodiscard]] std::string describe_failure(CURLcode code, long status, const char* error_buffer);

// A hint for a failure, e.g. for TLS problems "pass --cacert FILE ...".
[[nodiscard]] std::string hint_for(CURLcode code, long status);

}  // namespace envsetup::fetch::detail
