// SPDX-License-Identifier: Apache-2.0
#include <envsetup/fetch/curl_session.hpp>

#include <cctype>
#include <charconv>
#include <mutex>
#include <string_view>
#include <utility>

namespace envsetup::fetch::detail {

void ensure_curl_initialised()
{
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

util::Result<EasyHandle> make_easy()
{
  ensure_curl_initialised();
  EasyHandle easy(curl_easy_init());
  if (!easy) {
    return util::make_error(util::ErrorKind::internal, "libcurl could not create a transfer (curl_easy_init)");
  }
  return easy;
}

util::Result<MultiHandle> make_multi()
{
  ensure_curl_initialised();
  MultiHandle multi(curl_multi_init());
  if (!multi) {
    return util::make_error(util::ErrorKind::internal, "libcurl could not create a transfer set (curl_multi_init)");
  }
  return multi;
}

MultiAttachment::MultiAttachment(CURLM* multi, CURL* easy) : m_multi(multi), m_easy(easy)
{
  if (curl_multi_add_handle(multi, easy) != CURLM_OK) {
    m_multi = nullptr;
    m_easy = nullptr;
  }
}

MultiAttachment::MultiAttachment(MultiAttachment&& other) noexcept
  : m_multi(std::exchange(other.m_multi, nullptr)), m_easy(std::exchange(other.m_easy, nullptr))
{
}

MultiAttachment& MultiAttachment::operator=(MultiAttachment&& other) noexcept
{
  if (this != &other) {
    detach();
    m_multi = std::exchange(other.m_multi, nullptr);
    m_easy = std::exchange(other.m_easy, nullptr);
  }
  return *this;
}

void MultiAttachment::detach()
{
  if (m_multi != nullptr) {
    curl_multi_remove_handle(m_multi, m_easy);
    m_multi = nullptr;
    m_easy = nullptr;
  }
}

void configure_easy(CURL* easy, const std::string& url, const DownloadOptions& options)
{
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https,file");
  const bool secure = url.starts_with("https://");
  curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, secure ? "https" : "http,https");
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
  if (options.cacert) {
    curl_easy_setopt(easy, CURLOPT_CAINFO, options.cacert->c_str());
  }
  curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, options.low_speed_bytes);
  curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options.low_speed_time.count()));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(easy, CURLOPT_USERAGENT, options.user_agent.c_str());
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, 256L * 1024L);
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* userdata)
{
  auto& headers = *static_cast<ResponseHeaders*>(userdata);
  const std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    headers = ResponseHeaders{};
    const auto space = line.find(' ');
    if (space != std::string_view::npos) {
      long status = 0;
      const auto digits = line.substr(space + 1, 3);
      std::from_chars(digits.data(), digits.data() + digits.size(), status);
      headers.status = status;
    }
  } else if (line.size() > 12) {
    std::string key(line.substr(0, 12));
    for (auto& c : key) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (key == "retry-after:") {
      auto value = line.substr(12);
      value.remove_prefix(std::min(value.find_first_not_of(' '), value.size()));
      long seconds = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
      if (ec == std::errc{} && seconds >= 0) {
        headers.retry_after_seconds = seconds;
      }
    }
  } else if (line == "\r\n" || line == "\n") {
    headers.complete = true;
  }
  return size * count;
}

bool is_transient_status(long status)
{
  return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 ||
         status == 504;
}

bool is_transient_curl_error(CURLcode code)
{
  switch (code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_PARTIAL_FILE:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

bool is_stall(CURLcode code, const char* error_buffer)
{
  return code == CURLE_OPERATION_TIMEDOUT && error_buffer != nullptr &&
         std::string_view(error_buffer).find("too slow") != std::string_view::npos;
}

std::string describe_failure(CURLcode code, long status, const char* error_buffer)
{
  if (code == CURLE_OK && status >= 400) {
    return "HTTP " + std::to_string(status);
  }
  std::string text = "curl error " + std::to_string(static_cast<int>(code)) + " (" +
                     curl_easy_strerror(code) + ")";
  if (error_buffer != nullptr && *error_buffer != '\0') {
    text += ": " + std::string(error_buffer);
  }
  return text;
}

std::string hint_for(CURLcode code, long status)
{
  switch (code) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return "the server's TLS certificate is not trusted: pass --cacert FILE with the CA that "
             "signed it (TLS verification is never turned off)";
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return "check the network and the proxy (https_proxy / no_proxy), or use --mirror URL "
             "or --offline with a filled cache";
    case CURLE_UNSUPPORTED_PROTOCOL:
      return "only http://, https:// and file:// URLs are supported, and a redirect may not change "
             "the scheme to file:// or from https to http";
    case CURLE_FILE_COULDNT_READ_FILE:
      return "the file:// mirror does not have this file; check --mirror";
    default:
      break;
  }
  if (status == 404 || status == 403) {
    return "the server has no such file: check the version, or that --mirror follows NVIDIA's "
           "layout (URL/cuda/redist/..., URL/cudnn/redist/...)";
  }
  return "run again to resume; downloads that completed stay in the cache";
}

}  // namespace envsetup::fetch::detail
