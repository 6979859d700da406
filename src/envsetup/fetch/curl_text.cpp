// SPDX-License-Identifier: Apache-2.0
// fetch_text: small files (manifests) into memory.
#include <envsetup/fetch/curl_session.hpp>
#include <envsetup/fetch/downloader.hpp>

#include <thread>

namespace envsetup::fetch {

namespace {

struct TextSink {
  std::string text;
  std::uint64_t limit = 0;
  bool too_large = false;
  detail::ResponseHeaders* headers = nullptr;
};

std::size_t on_text(char* data, std::size_t size, std::size_t count, void* userdata)
{
  auto& sink = *static_cast<TextSink*>(userdata);
  const std::size_t bytes = size * count;
  if (sink.headers->status >= 400) {
    return bytes;
  }
  if (sink.text.size() + bytes > sink.limit) {
    sink.too_large = true;
    return 0;
  }
  sink.text.append(data, bytes);
  return bytes;
}

}  // namespace

util::Result<std::string> fetch_text(const std::string& url, const DownloadOptions& options,
                                     std::uint64_t max_bytes)
{
  constexpr int k_attempts = 4;
  std::string last_failure;
  std::string hint;
  for (int attempt = 1; attempt <= k_attempts; ++attempt) {
    detail::ResponseHeaders headers;
    TextSink sink{{}, max_bytes, false, &headers};
    char error_buffer[CURL_ERROR_SIZE] = {};
    auto handle = detail::make_easy();
    if (!handle) {
      return std::move(handle).error();
    }
    CURL* easy = handle->get();
    detail::configure_easy(easy, url, options);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_text);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, detail::on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &headers);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer);
    const CURLcode code = curl_easy_perform(easy);
    handle->reset();
    if (code == CURLE_OK && headers.status < 400) {
      return std::move(sink.text);
    }
    if (sink.too_large) {
      return util::make_error(util::ErrorKind::network, "cannot fetch `" + url + "`")
        .with_cause("it is larger than " + std::to_string(max_bytes) + " bytes; not a manifest");
    }
    last_failure = detail::describe_failure(code, headers.status, error_buffer);
    if (detail::is_stall(code, error_buffer)) {
      last_failure = "the server stalled: less than " + std::to_string(options.low_speed_bytes) + " bytes/s for " +
                     std::to_string(options.low_speed_time.count()) + " s (" + last_failure + ")";
    }
    hint = detail::hint_for(code, headers.status);
    const bool transient = code == CURLE_OK ? detail::is_transient_status(headers.status)
                                            : detail::is_transient_curl_error(code);
    if (!transient || attempt == k_attempts) {
      break;
    }
    auto delay = options.retry_base * (1 << (attempt - 1));
    if (headers.retry_after_seconds) {
      delay = std::min(std::chrono::milliseconds(*headers.retry_after_seconds * 1000), options.retry_after_cap);
    }
    std::this_thread::sleep_for(std::min(delay, options.retry_cap));
  }
  return util::make_error(util::ErrorKind::network, "cannot fetch `" + url + "`")
    .with_cause(last_failure)
    .with_hint(hint);
}

}  // namespace envsetup::fetch
