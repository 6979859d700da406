// SPDX-License-Identifier: Apache-2.0
// One page of a Python package index, fetched with content negotiation (PEP 691).
#pragma once

#include <envsetup/fetch/downloader.hpp>
#include <envsetup/util/error.hpp>

#include <cstdint>
#include <string>

namespace envsetup::fetch {

struct IndexPage {
  bool found = true;  // false: HTTP 404/410, or no such file:// file (the index lacks the project)
  std::string body;
  std::string content_type;  // the response's Content-Type; empty for file://
};

// `url` fetched like fetch_text (same transport policy: http, https, file), sending `accept`
// as the Accept header, at most `max_bytes`, and at most `attempts` tries (a name that does
// not resolve is not retried: an offline host answers at once). For a file:// URL ending in
// `/`, `index.html` is read. Errors (kind network): with the URL and the HTTP status or curl error.
[[nodiscard]] util::Result<IndexPage> fetch_index_page(const std::string& url, const std::string& accept,
                                                       const DownloadOptions& options, std::uint64_t max_bytes,
                                                       int attempts = 2);

}  // namespace envsetup::fetch
