// SPDX-License-Identifier: Apache-2.0
// The Python parsers of parsers.hpp: distribution folder names, torch/version.py and
// TensorFlow's build_info.py.
#include <envsetup/detect/parsers.hpp>

#include <envsetup/detect/parse_support.hpp>
#include <envsetup/util/strings.hpp>

#include <algorithm>
#include <utility>

namespace envsetup::detect {

using detail::leading_version_text;
using detail::next_line;
using detail::to_version;

namespace {

bool is_alnum(char c)
{
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_identifier_char(char c)
{
  return is_alnum(c) || c == '_';
}

bool all_of(std::string_view text, bool (*predicate)(char))
{
  for (const char c : text) {
    if (!predicate(c)) {
      return false;
    }
  }
  return true;
}

// A Python literal at the start of `text`: a one-line quoted string (without its quotes) or
// a bare word such as True, False or None.
struct PythonValue {
  std::string_view text;
  bool quoted = false;
};

std::optional<PythonValue> read_python_value(std::string_view text)
{
  if (text.starts_with('\'') || text.starts_with('"')) {
    const std::size_t close = text.find(text[0], 1);
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    const std::string_view content = text.substr(1, close - 1);
    if (content.find_first_of("\n\\") != std::string_view::npos) {
      return std::nullopt;
    }
    return PythonValue{content, true};
  }
  std::size_t end = 0;
  while (end < text.size() && is_identifier_char(text[end])) {
    ++end;
  }
  if (end == 0) {
    return std::nullopt;
  }
  return PythonValue{text.substr(0, end), false};
}

// The value assigned to `name` by a top-level `name = value` or `name: Type = value` line.
std::optional<PythonValue> find_assignment(std::string_view source, std::string_view name)
{
  std::string_view rest = source;
  while (!rest.empty()) {
    std::string_view line = util::trim(next_line(rest));
    if (!line.starts_with(name) ||
        (line.size() > name.size() && is_identifier_char(line[name.size()]))) {
      continue;
    }
    line = util::trim(line.substr(name.size()));
    if (line.starts_with(':')) {
      line = line.substr(std::min(line.find('='), line.size()));
    }
    if (!line.starts_with('=') || line.starts_with("==")) {
      continue;
    }
    line = util::trim(line.substr(1));
    const auto value = read_python_value(line);
    if (!value) {
      continue;
    }
    // Nothing but a comment may follow the value.
    const std::size_t length = value->text.size() + (value->quoted ? 2 : 0);
    if (const std::string_view after = util::trim(line.substr(length));
        after.empty() || after.starts_with('#')) {
      return value;
    }
  }
  return std::nullopt;
}

// The value of the `key` entry of a ('key', value) tuple or a 'key': value dict entry.
std::optional<PythonValue> find_entry(std::string_view source, std::string_view key)
{
  for (const char quote : {'\'', '"'}) {
    const std::string needle = quote + std::string(key) + quote;
    for (std::size_t at = source.find(needle); at != std::string_view::npos;
         at = source.find(needle, at + 1)) {
      std::string_view rest = source.substr(at + needle.size());
      rest.remove_prefix(std::min(rest.find_first_not_of(" \t\r\n"), rest.size()));
      if (!rest.starts_with(',') && !rest.starts_with(':')) {
        continue;
      }
      rest.remove_prefix(1);
      rest.remove_prefix(std::min(rest.find_first_not_of(" \t\r\n"), rest.size()));
      if (auto value = read_python_value(rest)) {
        return value;
      }
    }
  }
  return std::nullopt;
}

// A build_info.py setting in either spelling: the OrderedDict entries of TensorFlow >= 2.3
// or the module-level assignments of older releases.
std::optional<PythonValue> build_info_setting(std::string_view source, std::string_view key)
{
  if (auto entry = find_entry(source, key)) {
    return entry;
  }
  return find_assignment(source, key);
}

}  // namespace

std::optional<DistributionName> parse_distribution_dir(std::string_view dir_name)
{
  // "<name>-<version>.dist-info", or "<name>-<version>[-py<X.Y>[-<platform>]].egg-info". The
  // tools that write these names escape '-' inside the name and the version to '_'.
  std::string_view stem;
  bool egg = false;
  if (dir_name.ends_with(".dist-info")) {
    stem = dir_name.substr(0, dir_name.size() - 10);
  } else if (dir_name.ends_with(".egg-info")) {
    stem = dir_name.substr(0, dir_name.size() - 9);
    egg = true;
  } else {
    return std::nullopt;
  }
  const auto fields = util::split(stem, '-');
  if (fields.size() < 2 || (fields.size() > 2 && !(egg && fields[2].starts_with("py")))) {
    return std::nullopt;
  }
  const std::string_view name = fields[0];
  const std::string_view version = fields[1];
  const auto name_char = [](char c) { return is_alnum(c) || c == '_' || c == '.'; };
  const auto version_char = [](char c) {
    return is_alnum(c) || c == '_' || c == '.' || c == '+' || c == '!';
  };
  if (name.empty() || !is_alnum(name[0]) || !all_of(name, name_char) || version.empty() ||
      !all_of(version, version_char)) {
    return std::nullopt;
  }
  // [epoch!]release[pre/post/dev][+local]
  const std::size_t plus = version.find('+');
  std::string_view public_version = version.substr(0, plus);
  std::string_view local;
  if (plus != std::string_view::npos) {
    local = version.substr(plus + 1);
    if (local.empty() || local.find('+') != std::string_view::npos) {
      return std::nullopt;
    }
  }
  if (const std::size_t bang = public_version.find('!'); bang != std::string_view::npos) {
    const std::string_view epoch = public_version.substr(0, bang);
    if (epoch.empty() || epoch.find_first_not_of("0123456789") != std::string_view::npos) {
      return std::nullopt;
    }
    public_version.remove_prefix(bang + 1);
  }
  // The leading digits-and-dots run of the PEP 440 version, trailing dots dropped:
  // "2.15.0.post1" -> 2.15.0, "2.6.0.dev20241112" -> 2.6.0, "1.0rc1" -> 1.0.
  auto release = to_version(leading_version_text(public_version));
  if (!release) {
    return std::nullopt;
  }
  DistributionName parsed;
  for (const char c : name) {
    parsed.name += c == '.' ? '_' : (c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  parsed.version = std::string(version);
  parsed.release = std::move(*release);
  parsed.local = std::string(local);
  return parsed;
}

std::optional<std::string> parse_torch_version_py(std::string_view text)
{
  const auto cuda = find_assignment(text, "cuda");
  if (!cuda || (!cuda->quoted && cuda->text != "None")) {
    return std::nullopt;
  }
  return cuda->quoted ? std::string(cuda->text) : std::string();
}

std::optional<std::string> parse_tensorflow_build_info(std::string_view text)
{
  const auto is_cuda_build = build_info_setting(text, "is_cuda_build");
  if (is_cuda_build && !is_cuda_build->quoted && is_cuda_build->text == "False") {
    return std::string();
  }
  if (is_cuda_build && (is_cuda_build->quoted || is_cuda_build->text != "True")) {
    return std::nullopt;
  }
  // TensorFlow 2.1 and 2.2 call it cuda_version_number.
  auto cuda_version = build_info_setting(text, "cuda_version");
  if (!cuda_version) {
    cuda_version = build_info_setting(text, "cuda_version_number");
  }
  if (!cuda_version || !cuda_version->quoted || cuda_version->text.empty()) {
    return std::nullopt;
  }
  return std::string(cuda_version->text);
}

}  // namespace envsetup::detect
