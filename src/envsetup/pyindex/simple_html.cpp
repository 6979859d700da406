// SPDX-License-Identifier: Apache-2.0
// PEP 503 project pages: a linear scan for anchors, not an HTML parser. Hostile pages
// (unterminated tags and quotes, huge attributes, nested markup) end the scan or are skipped.
#include <envsetup/pyindex/simple_index.hpp>

#include <envsetup/util/strings.hpp>

#include <cstdint>

namespace envsetup::pyindex {

namespace {

constexpr std::size_t k_max_field = 4096;  // longer hrefs and link texts are skipped

char lower(char c)
{
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool starts_with_nocase(std::string_view text, std::string_view prefix)
{
  if (text.size() < prefix.size()) {
    return false;
  }
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (lower(text[i]) != prefix[i]) {
      return false;
    }
  }
  return true;
}

bool is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

int hex_value(char c)
{
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  c = lower(c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

void append_code_point(std::string& out, std::uint32_t cp)
{
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    out += '?';
  } else if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The character references an index writes (&amp; &lt; &gt; &quot; &apos; &#N; &#xH;);
// any other `&` is kept as written.
std::string decode_entities(std::string_view text)
{
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    // A reference is at most 10 characters after the `&`: look no further (a page of
    // `&&&&...` without `;` would otherwise be scanned to its end once per `&`).
    const auto end = text.substr(i, 11).find(';');
    if (end == std::string_view::npos) {
      out += '&';
      continue;
    }
    const auto name = text.substr(i + 1, end - 1);
    std::optional<std::uint32_t> code;
    if (name == "amp") {
      code = '&';
    } else if (name == "lt") {
      code = '<';
    } else if (name == "gt") {
      code = '>';
    } else if (name == "quot") {
      code = '"';
    } else if (name == "apos") {
      code = '\'';
    } else if (name.size() > 1 && name[0] == '#') {
      const bool hex = name[1] == 'x' || name[1] == 'X';
      const auto digits = name.substr(hex ? 2 : 1);
      std::uint32_t value = 0;
      bool valid = !digits.empty();
      for (const char c : digits) {
        const int d = hex ? hex_value(c) : (c >= '0' && c <= '9' ? c - '0' : -1);
        valid = valid && d >= 0;
        value = valid ? value * (hex ? 16 : 10) + static_cast<std::uint32_t>(d) : 0;
      }
      if (valid) {
        code = value;
      }
    }
    if (!code) {
      out += '&';
      continue;
    }
    append_code_point(out, *code);
    i += end;
  }
  return out;
}

std::string percent_decode(std::string_view text)
{
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// The last path segment of an href, without query and fragment: "../../x/torch-2.5.1%2Bcu124-...whl#sha256=.."
std::string basename_of(std::string_view href)
{
  href = href.substr(0, href.find_first_of("#?"));
  const auto slash = href.rfind('/');
  return percent_decode(slash == std::string_view::npos ? href : href.substr(slash + 1));
}

struct Tag {
  std::string href;
  bool has_href = false;
  bool yanked = false;
  std::size_t end = 0;  // one past '>'
};

// The attributes of the tag whose name ends at `pos`; nullopt when the tag never closes.
std::optional<Tag> read_attributes(std::string_view page, std::size_t pos)
{
  Tag tag;
  while (pos < page.size()) {
    while (pos < page.size() && is_space(page[pos])) {
      ++pos;
    }
    if (pos >= page.size()) {
      return std::nullopt;
    }
    if (page[pos] == '>') {
      tag.end = pos + 1;
      return tag;
    }
    const std::size_t name_start = pos;
    while (pos < page.size() && !is_space(page[pos]) && page[pos] != '=' && page[pos] != '>') {
      ++pos;
    }
    std::string name;
    for (const char c : page.substr(name_start, pos - name_start)) {
      name += lower(c);
    }
    if (name_start == pos) {
      ++pos;  // a stray character (e.g. '/')
      continue;
    }
    while (pos < page.size() && is_space(page[pos])) {
      ++pos;
    }
    std::string_view value;
    if (pos < page.size() && page[pos] == '=') {
      ++pos;
      while (pos < page.size() && is_space(page[pos])) {
        ++pos;
      }
      if (pos < page.size() && (page[pos] == '"' || page[pos] == '\'')) {
        const char quote = page[pos];
        const auto close = page.find(quote, pos + 1);
        if (close == std::string_view::npos) {
          return std::nullopt;
        }
        value = page.substr(pos + 1, close - pos - 1);
        pos = close + 1;
      } else {
        const std::size_t start = pos;
        while (pos < page.size() && !is_space(page[pos]) && page[pos] != '>') {
          ++pos;
        }
        value = page.substr(start, pos - start);
      }
    }
    if (name == "href" && value.size() <= k_max_field) {
      tag.href = decode_entities(value);
      tag.has_href = true;
    } else if (name == "data-yanked") {
      tag.yanked = true;
    }
  }
  return std::nullopt;
}

}  // namespace

util::Result<std::vector<IndexFile>> parse_simple_html(std::string_view page)
{
  if (page.size() > k_max_page_bytes) {
    return util::make_error(util::ErrorKind::input, "the index page is not a PEP 503 project page")
      .with_cause("it is larger than " + std::to_string(k_max_page_bytes) + " bytes");
  }
  std::vector<IndexFile> files;
  std::size_t pos = 0;
  while ((pos = page.find('<', pos)) != std::string_view::npos) {
    const auto rest = page.substr(pos);
    if (rest.starts_with("<!--")) {
      const auto close = page.find("-->", pos + 4);
      if (close == std::string_view::npos) {
        break;
      }
      pos = close + 3;
      continue;
    }
    if (!starts_with_nocase(rest, "<a") || rest.size() < 3 || !(is_space(rest[2]) || rest[2] == '>')) {
      ++pos;
      continue;
    }
    const auto tag = read_attributes(page, pos + 2);
    if (!tag) {
      break;
    }
    pos = tag->end;
    // The link text runs to the next tag (normally </a>).
    const auto text_end = page.find('<', pos);
    const auto raw = page.substr(pos, text_end == std::string_view::npos ? page.size() - pos : text_end - pos);
    if (!tag->has_href || raw.size() > k_max_field) {
      continue;
    }
    IndexFile file;
    file.filename = std::string(util::trim(decode_entities(raw)));
    if (file.filename.empty()) {
      file.filename = basename_of(tag->href);
    }
    file.url = tag->href;
    file.yanked = tag->yanked;
    if (files.size() == k_max_files) {
      return util::make_error(util::ErrorKind::input, "the index page is not a PEP 503 project page")
        .with_cause("it lists more than " + std::to_string(k_max_files) + " files");
    }
    files.push_back(std::move(file));
  }
  return files;
}

}  // namespace envsetup::pyindex
