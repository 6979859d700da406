// SPDX-License-Identifier: Apache-2.0
#include <envsetup/util/strings.hpp>

#include <charconv>

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

}  // namespace envsetup::util
