// SPDX-License-Identifier: Apache-2.0
// The project page of a "simple" package index: PEP 691 JSON or PEP 503 HTML. The text is
// untrusted (any server, any mirror): sizes are bounded, markup other than links is skipped,
// and nothing read here is used as a path.
#pragma once

#include <envsetup/util/error.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace envsetup::pyindex {

// PEP 691's media type, asked for first; HTML is the fallback every index serves.
inline constexpr std::string_view k_simple_json_type = "application/vnd.pypi.simple.v1+json";
inline constexpr std::string_view k_simple_accept =
  "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01";

// Bounds on a page: larger pages are refused (kind input), not truncated.
inline constexpr std::size_t k_max_page_bytes = 64u << 20;
inline constexpr std::size_t k_max_files = 200'000;

// One file the page lists.
struct IndexFile {
  std::string filename;  // the link text (HTML) or "filename" (JSON); HTML entities decoded
  std::string url;       // as written: relative or absolute, with any #sha256= fragment
  bool yanked = false;   // PEP 592: pip still installs it when pinned with ==
};

// PEP 691 `{"meta": {"api-version": "1.x"}, "name": ..., "files": [{"filename", "url", ...}]}`.
// Errors (kind input): not JSON, not an object, a major api-version other than 1, `files`
// missing or not an array, an entry without a string filename, over the bounds.
[[nodiscard]] util::Result<std::vector<IndexFile>> parse_simple_json(std::string_view text);

// PEP 503: every `<a href=...>text</a>` of the page, in order; comments are skipped and an
// unterminated tag ends the scan. A link without text takes the last path segment of its
// href (percent-decoded). Errors (kind input): over the bounds.
[[nodiscard]] util::Result<std::vector<IndexFile>> parse_simple_html(std::string_view text);

// JSON when `content_type` names the PEP 691 type (or, with no content type, when the page
// starts with `{`), else HTML.
[[nodiscard]] util::Result<std::vector<IndexFile>> parse_simple_page(std::string_view text,
                                                                     std::string_view content_type);

}  // namespace envsetup::pyindex
