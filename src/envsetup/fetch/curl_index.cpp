// SPDX-License-Identifier: Apache-2.0
// fetch_index_page: fetch_text with an Accept header, the response's Content-Type, and a
// missing page told apart from a failure.
#include <envsetup/fetch/curl_session.hpp>
#include <envsetup/fetch/index_page.hpp>

#include <thread>

namespace envsetup::fetch {

namespace {

struct PageSink {
  std::string text;
  std::uint64_t limit = 0;
  bool too_large = false;
  detail::ResponseHeaders* headers = nullptr;
};

std::size_t on_page(char* data, std::size_t size, std::size_t count, void* userdata)
{
  auto& sink = *static_cast<PageSink*>(userdata);
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

struct SlistFree {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};

}  // namespace

util::Result<IndexPage> fetch_index_page(const std::string& url, const std::string& accept,
                                         const DownloadOptions& options, std::uint64_t max_bytes, int attempts)
{
  const bool file = url.starts_with("file://");
  const std::string target = file && url.ends_with('/') ? url + "index.html" : url;
  const std::string header = "Accept: " + accept;
  std::string last_failure;
  std::string hint;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    detail::ResponseHeaders headers;
    PageSink sink{{}, max_bytes, false, &headers};
    char error_buffer[CURL_ERROR_SIZE] = {};
    auto handle = detail::make_easy();
    if (!handle) {
      return std::move(handle).error();
    }
    std::unique_ptr<curl_slist, SlistFree> list(curl_slist_append(nullptr, header.c_str()));
    CURL* easy = handle->get();
    detail::configure_easy(easy, target, options);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list.get());
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_page);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, detail::on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &headers);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer);
    const CURLcode code = curl_easy_perform(easy);
    if (code == CURLE_OK && headers.status < 400) {
      IndexPage page;
      const char* type = nullptr;
      if (curl_easy_getinfo(easy, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type != nullptr) {
        page.content_type = type;
      }
      page.body = std::move(sink.text);
      return page;
    }
    if ((code == CURLE_OK && (headers.status == 404 || headers.status == 410)) ||
        (file && code == CURLE_FILE_COULDNT_READ_FILE)) {
      IndexPage missing;
      missing.found = false;
      return missing;
    }
    if (sink.too_large) {
      return util::make_error(util::ErrorKind::network, "cannot fetch `" + url + "`")
        .with_cause("the page is larger than " + std::to_string(max_bytes) + " bytes");
    }
    last_failure = detail::describe_failure(code, headers.status, error_buffer);
    hint = detail::hint_for(code, headers.status);
    const bool transient = code == CURLE_OK
                             ? detail::is_transient_status(headers.status)
                             : detail::is_transient_curl_error(code) && code != CURLE_COULDNT_RESOLVE_HOST;
    if (!transient || attempt == attempts) {
      break;
    }
    std::this_thread::sleep_for(std::min(options.retry_base * (1 << (attempt - 1)), options.retry_cap));
  }
  auto error = util::make_error(util::ErrorKind::network, "cannot fetch `" + url + "`").with_cause(last_failure);
  return hint.empty() ? error : std::move(error).with_hint(hint);
}

}  // namespace envsetup::fetch
