// SPDX-License-Identifier: Apache-2.0
// The shared parser helpers of parse_support.hpp.
#include <envsetup/detect/parse_support.hpp>

#include <envsetup/util/strings.hpp>

#include <utility>

namespace envsetup::detect::detail {

namespace {

constexpr std::string_view k_blanks = " \t\r\f\v";
constexpr std::string_view k_version_chars = "0123456789.";
// Longest text that can be a Version: six ten-digit components and five dots.
constexpr std::size_t k_max_version_text = 65;

}  // namespace

std::string_view next_line(std::string_view& rest)
{
  const std::size_t end = rest.find('\n');
  std::string_view line = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
  if (line.ends_with('\r')) {
    line.remove_suffix(1);
  }
  return line;
}

std::string_view next_token(std::string_view& rest)
{
  const std::size_t start = rest.find_first_not_of(k_blanks);
  if (start == std::string_view::npos) {
    rest = {};
    return {};
  }
  rest.remove_prefix(start);
  const std::size_t end = rest.find_first_of(k_blanks);
  const std::string_view token = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  return token;
}

std::optional<core::Version> to_version(std::string_view text, std::size_t min_parts)
{
  if (text.empty() || text.size() > k_max_version_text ||
      text.find_first_not_of(k_version_chars) != std::string_view::npos) {
    return std::nullopt;
  }
  auto parsed = core::Version::parse(text);
  if (!parsed.ok() || parsed->parts().size() < min_parts) {
    return std::nullopt;
  }
  return std::move(parsed).value();
}

std::string_view leading_version_text(std::string_view text)
{
  std::string_view run = text.substr(0, text.find_first_not_of(k_version_chars));
  while (run.ends_with('.')) {
    run.remove_suffix(1);
  }
  return run;
}

int hex_digit(char c)
{
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

std::optional<std::uint16_t> parse_hex4(std::string_view text)
{
  if (text.size() != 4) {
    return std::nullopt;
  }
  unsigned value = 0;
  for (const char c : text) {
    const int digit = hex_digit(c);
    if (digit < 0) {
      return std::nullopt;
    }
    value = value * 16 + static_cast<unsigned>(digit);
  }
  return static_cast<std::uint16_t>(value);
}

std::optional<std::string_view> find_define(std::string_view header, std::string_view name)
{
  std::string_view rest = header;
  while (!rest.empty()) {
    std::string_view line = util::trim(next_line(rest));
    if (!line.starts_with('#')) {
      continue;
    }
    line.remove_prefix(1);
    if (next_token(line) != "define" || next_token(line) != name) {
      continue;
    }
    if (const std::string_view value = next_token(line); !value.empty()) {
      return value;
    }
  }
  return std::nullopt;
}

}  // namespace envsetup::detect::detail
