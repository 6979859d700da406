// SPDX-License-Identifier: Apache-2.0
#include <envsetup/lock/validate.hpp>

#include <algorithm>
#include <cctype>
#include <vector>

namespace envsetup::lock {
namespace {

bool is_alnum(char c)
{
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

int hex_value(char c)
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

std::vector<std::string_view> split(std::string_view text, char separator)
{
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) {
      return parts;
    }
    start = end + 1;
  }
}

}  // namespace

// PEP 503 normalization, then `-` as `_` (how wheel file names spell a project).
std::string wheel_key(std::string_view name)
{
  std::string out;
  bool in_run = false;
  for (const char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      if (!in_run) {
        out += '_';
      }
      in_run = true;
    } else {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      in_run = false;
    }
  }
  return out;
}

std::optional<std::string> check_sha256(std::string_view text)
{
  const bool hex = std::ranges::all_of(text, [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
  if (text.size() != 64 || !hex) {
    return "a sha256 is 64 lower-case hex digits";
  }
  return std::nullopt;
}

std::optional<std::string> check_relative_path(std::string_view text)
{
  if (text.empty() || text.size() > 2048) {
    return "a path of 1 to 2048 characters is needed";
  }
  if (text.front() == '/') {
    return "an absolute path is refused";
  }
  for (const std::string_view segment : split(text, '/')) {
    std::string decoded;
    for (std::size_t i = 0; i < segment.size(); ++i) {
      const char c = segment[i];
      if (c == '%') {
        const int high = i + 2 < segment.size() ? hex_value(segment[i + 1]) : -1;
        const int low = i + 2 < segment.size() ? hex_value(segment[i + 2]) : -1;
        if (high < 0 || low < 0) {
          return "a bad percent escape";
        }
        decoded += static_cast<char>(high * 16 + low);
        i += 2;
      } else if (is_alnum(c) || std::string_view("._~+!-").find(c) != std::string_view::npos) {
        decoded += c;
      } else {
        return "the character '" + std::string(1, c) + "' is refused in a path";
      }
    }
    if (decoded.empty() || decoded == "." || decoded == "..") {
      return "an empty, `.` or `..` path segment is refused";
    }
    if (decoded.find_first_of("/\\") != std::string::npos ||
        std::ranges::any_of(decoded, [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
      return "an encoded `/`, `\\` or control character is refused in a path";
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_absolute_url(std::string_view text, bool allow_file)
{
  const bool scheme =
    text.starts_with("https://") || text.starts_with("http://") || (allow_file && text.starts_with("file:///"));
  if (!scheme || text.size() > 2048) {
    return allow_file ? "an http://, https:// or file:/// URL is needed" : "an http:// or https:// URL is needed";
  }
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f || c == '\\' || c == '"') {
      return "a URL has no spaces, control characters, quotes, `\\` or non-ASCII characters";
    }
  }
  const std::string_view rest = text.substr(text.find("://") + 3);
  const std::string_view authority = rest.substr(0, rest.find('/'));
  if (authority.find('@') != std::string_view::npos) {
    return "a URL with credentials is refused";
  }
  return std::nullopt;
}

std::optional<std::string> check_key(std::string_view text)
{
  const bool chars = std::ranges::all_of(
    text, [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'; });
  if (text.empty() || text.size() > 100 || !chars || !is_alnum(text.front())) {
    return "a name of [a-z0-9._-] (at most 100, starting with a letter or digit) is needed";
  }
  return std::nullopt;
}

std::optional<std::string> check_text(std::string_view text, std::size_t limit)
{
  if (text.size() > limit) {
    return "longer than " + std::to_string(limit) + " bytes";
  }
  if (std::ranges::any_of(text, [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return "a control character";
  }
  return std::nullopt;
}

std::optional<std::string> check_wheel(const LockedWheel& wheel)
{
  const std::string_view name = wheel.name;
  const bool name_chars =
    std::ranges::all_of(name, [](char c) { return is_alnum(c) || c == '.' || c == '_' || c == '-'; });
  if (name.empty() || name.size() > 200 || !name_chars || !is_alnum(name.front()) || !is_alnum(name.back())) {
    return "`" + std::string(name.substr(0, 200)) + "` is not a project name";
  }
  const std::string_view version = wheel.version;
  const bool version_chars =
    std::ranges::all_of(version, [](char c) { return is_alnum(c) || c == '.' || c == '+' || c == '!' || c == '_'; });
  if (version.empty() || version.size() > 200 || !version_chars || !is_alnum(version.front())) {
    return "`" + std::string(version.substr(0, 200)) + "` is not a version";
  }
  const std::string_view file = wheel.filename;
  if (!file.ends_with(".whl") || file.size() > 400) {
    return "`" + std::string(file.substr(0, 400)) + "` is not a wheel file name";
  }
  const std::vector<std::string_view> parts = split(file.substr(0, file.size() - 4), '-');
  const bool part_chars = std::ranges::all_of(parts, [](std::string_view part) {
    return !part.empty() && std::ranges::all_of(
                              part, [](char c) { return is_alnum(c) || c == '.' || c == '_' || c == '+' || c == '!'; });
  });
  if ((parts.size() != 5 && parts.size() != 6) || !part_chars) {
    return "`" + std::string(file) + "` is not a wheel file name (NAME-VERSION-PY-ABI-PLATFORM.whl)";
  }
  if (wheel_key(parts[0]) != wheel_key(name)) {
    return "the wheel file `" + std::string(file) + "` is not of project `" + std::string(name) + "`";
  }
  if (wheel_key(parts[1]) != wheel_key(version)) {
    return "the wheel file `" + std::string(file) + "` is not version " + std::string(version);
  }
  return std::nullopt;
}

}  // namespace envsetup::lock
