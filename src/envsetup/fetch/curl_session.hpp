// SPDX-License-Identifier: Apache-2.0
// Private to the fetch module: libcurl easy-handle setup shared by downloads and text
// fetches. Only fetch/curl_*.cpp include <curl/curl.h>.
#pragma once

#include <envsetup/fetch/downloader.hpp>

#include <curl/curl.h>

#include <optional>
#include <string>

namespace envsetup::fetch::detail {

// curl_global_init once per process.
void ensure_curl_initialised();

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

// "HTTP 404" / "curl error 7 (Couldn't connect to server): <detail>"
[[nodiscard]] std::string describe_failure(CURLcode code, long status, const char* error_buffer);

// A hint for a failure, e.g. for TLS problems "pass --cacert FILE ...".
[[nodiscard]] std::string hint_for(CURLcode code, long status);

}  // namespace envsetup::fetch::detail
