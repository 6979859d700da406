// SPDX-License-Identifier: Apache-2.0
#include <envsetup/util/strings.hpp>

#include <algorithm>
#include <charconv>
#include <ctime>

namespace envsetup::util {

std::vector<std::string_view> split(std::string_view text, char separator)
{
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    if (end == std::string_view::npos) {
      fields.push_back(text.substr(start));
      return fields;
    }
    fields.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

std::string_view trim(std::string_view text)
{
  constexpr std::string_view whitespace = " \t\r\n\f\v";
  const std::size_t first = text.find_first_not_of(whitespace);
  if (first == std::string_view::npos) {
    return {};
  }
  const std::size_t last = text.find_last_not_of(whitespace);
  return text.substr(first, last - first + 1);
}

std::string join(const std::vector<std::string>& parts, std::string_view separator)
{
  std::string joined;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) {
      joined += separator;
    }
    joined += parts[i];
  }
  return joined;
}

bool parse_non_negative(std::string_view text, int& out)
{
  if (text.empty()) {
    return false;
  }
  int value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end || value < 0) {
    return false;
  }
  out = value;
  return true;
}

std::string replace_all(std::string text, std::string_view name, std::string_view value)
{
  const std::string placeholder = "{" + std::string(name) + "}";
  std::size_t pos = 0;
  while ((pos = text.find(placeholder, pos)) != std::string::npos) {
    text.replace(pos, placeholder.size(), value);
    pos += value.size();
  }
  return text;
}

std::size_t control_sequence_length(std::string_view text, std::size_t at)
{
  const auto byte = [&](std::size_t i) { return i < text.size() ? static_cast<unsigned char>(text[i]) : 0U; };
  const unsigned first = byte(at);
  if (is_control_character(text[at])) {
    return 1;
  }
  if (first == 0xc2 && byte(at + 1) >= 0x80 && byte(at + 1) <= 0x9f) {
    return 2;  // U+0080-U+009F
  }
  if (first == 0xe2 && ((byte(at + 1) == 0x80 && byte(at + 2) >= 0xaa && byte(at + 2) <= 0xae) ||
                        (byte(at + 1) == 0x81 && byte(at + 2) >= 0xa6 && byte(at + 2) <= 0xa9))) {
    return 3;  // U+202A-U+202E, U+2066-U+2069
  }
  if (first >= 0x80 && first <= 0x9f) {
    // A continuation byte: part of the sequence before it when that sequence is valid UTF-8.
    std::size_t lead = at;
    while (lead > 0 && at - lead < 3 && (byte(lead) & 0xc0U) == 0x80U) {
      --lead;
    }
    const unsigned head = byte(lead);
    const std::size_t length = head >= 0xf0 ? 4 : head >= 0xe0 ? 3 : head >= 0xc2 ? 2 : 0;
    return length == 0 || at >= lead + length ? 1 : 0;
  }
  return 0;
}

std::optional<std::size_t> find_control_character(std::string_view text)
{
  for (std::size_t at = 0; at < text.size(); ++at) {
    if (control_sequence_length(text, at) > 0) {
      return at;
    }
  }
  return std::nullopt;
}

std::string escape_control_characters(std::string_view text)
{
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string escaped;
  escaped.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t length = control_sequence_length(text, at);
    const auto byte = static_cast<unsigned char>(text[at]);
    if (length == 0) {
      escaped += text[at++];
      continue;
    }
    if (length == 1) {
      switch (text[at]) {
        case '\n': escaped += "\\n"; break;
        case '\t': escaped += "\\t"; break;
        case '\r': escaped += "\\r"; break;
        default:
          escaped += "\\x";
          escaped += k_hex[byte >> 4];
          escaped += k_hex[byte & 0xf];
      }
    } else {  // decode the 2- or 3-byte UTF-8 character and show its code point
      const unsigned code = length == 2
                              ? ((byte & 0x1fU) << 6) | (static_cast<unsigned char>(text[at + 1]) & 0x3fU)
                              : ((byte & 0x0fU) << 12) | ((static_cast<unsigned char>(text[at + 1]) & 0x3fU) << 6) |
                                  (static_cast<unsigned char>(text[at + 2]) & 0x3fU);
      escaped += "\\u";
      for (int shift = 12; shift >= 0; shift -= 4) {
        escaped += k_hex[(code >> shift) & 0xfU];
      }
    }
    at += length;
  }
  return escaped;
}
Error control_character_error(std::string_view name, std::string_view value)
{
  const auto at = find_control_character(value).value_or(0);
  const std::string shown = escape_control_characters(value.substr(at, std::max<std::size_t>(1, control_sequence_length(value, at))));
  return make_error(ErrorKind::usage, std::string(name) + " `" + escape_control_characters(value) +
                                        "` contains a control character")
    .with_cause("`" + shown + "` at byte " + std::to_string(at) +
                "; envsetup refuses newlines, tabs, escapes and other control characters in paths and URLs, "
                "which would end a line in a generated script or drive the terminal")
    .with_hint(name.starts_with('-')
                 ? "give " + std::string(name) + " a value without control characters (rename the folder if needed)"
                 : "set " + std::string(name) + " to a value without control characters, or unset it");
}

std::optional<std::string> mirror_url_problem(std::string_view text)
{
  if (const auto at = find_control_character(text)) {
    return "it contains a control character (`" +
           escape_control_characters(text.substr(*at, std::max<std::size_t>(1, control_sequence_length(text, *at)))) +
           "` at byte " + std::to_string(*at) + ")";
  }
  if (const auto at = std::find_if(text.begin(), text.end(),
                                   [](char c) { return c == ' ' || is_control_character(c); });
      at != text.end()) {
    return "it contains whitespace or a control character (`" + escape_control_characters(std::string_view(&*at, 1)) +
           "` at byte " + std::to_string(at - text.begin()) + ")";
  }
  for (const std::string_view scheme : {"http://", "https://"}) {
    if (text.starts_with(scheme)) {
      const auto rest = text.substr(scheme.size());
      if (rest.empty() || rest.front() == '/') {
        return std::string("it names no host after `") + std::string(scheme) + "`";
      }
      return std::nullopt;
    }
  }
  if (text.starts_with("file://")) {
    if (!text.substr(7).starts_with('/')) {
      return std::string("a file URL needs an absolute path: file:///srv/mirror/");
    }
    return std::nullopt;
  }
  return std::string("it is not an http://, https:// or file:/// URL");
}

Status require_no_control_characters(std::string_view name, std::string_view value)
{
  if (find_control_character(value)) {
    return control_character_error(name, value);
  }
  return ok_status();
}

bool is_plain_name(std::string_view name)
{
  if (name.empty() || name.size() > 128 || name.front() == '.' || name.front() == '-') {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '+' || c == '-';
  });
}

std::string utc_now_text()
{
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace envsetup::util
