// SPDX-License-Identifier: Apache-2.0
#include <envsetup/pyindex/wheel_name.hpp>

#include <envsetup/util/strings.hpp>

#include <algorithm>
#include <charconv>

namespace envsetup::pyindex {

namespace {

constexpr std::size_t k_max_name = 512;

bool allowed(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '+' || c == '!' || c == '-';
}

std::vector<std::string> tag_set(std::string_view field)
{
  std::vector<std::string> tags;
  for (const auto tag : util::split(field, '.')) {
    if (!tag.empty()) {
      tags.emplace_back(tag);
    }
  }
  return tags;
}

// Leading decimal digits of `text` (at most 4), or nullopt.
std::optional<int> leading_number(std::string_view& text)
{
  std::size_t digits = 0;
  while (digits < text.size() && digits < 5 && text[digits] >= '0' && text[digits] <= '9') {
    ++digits;
  }
  if (digits == 0 || digits > 4) {
    return std::nullopt;
  }
  int value = 0;
  std::from_chars(text.data(), text.data() + digits, value);
  text.remove_prefix(digits);
  return value;
}

std::optional<core::Version> version_of(int major, int minor)
{
  auto version = core::Version::parse(std::to_string(major) + "." + std::to_string(minor));
  return version ? std::optional(*version) : std::nullopt;
}

// "2_28_x86_64" -> {2.28, "x86_64"}.
std::optional<std::pair<core::Version, std::string>> libc_and_arch(std::string_view rest)
{
  const auto major = leading_number(rest);
  if (!major || !rest.starts_with('_')) {
    return std::nullopt;
  }
  rest.remove_prefix(1);
  const auto minor = leading_number(rest);
  if (!minor || !rest.starts_with('_') || rest.size() < 2) {
    return std::nullopt;
  }
  auto version = version_of(*major, *minor);
  if (!version) {
    return std::nullopt;
  }
  return std::pair{*version, std::string(rest.substr(1))};
}

// "cp311" -> 3.11, "py3" -> 3 (minor unset), "py310" -> 3.10. Nullopt for other interpreters.
struct PythonTag {
  bool cpython = false;
  int major = 0;
  std::optional<int> minor;
};
std::optional<PythonTag> read_python_tag(std::string_view tag)
{
  PythonTag result;
  if (tag.starts_with("cp")) {
    result.cpython = true;
  } else if (!tag.starts_with("py")) {
    return std::nullopt;
  }
  tag.remove_prefix(2);
  if (tag.empty() || tag[0] < '0' || tag[0] > '9') {
    return std::nullopt;
  }
  result.major = tag[0] - '0';
  tag.remove_prefix(1);
  if (!tag.empty()) {
    const auto minor = leading_number(tag);
    if (!minor || !tag.empty()) {
      return std::nullopt;
    }
    result.minor = *minor;
  }
  return result;
}

bool pair_supports(const PythonTag& py, std::string_view abi, const core::Version& python)
{
  if (py.major != python.major()) {
    return false;
  }
  if (!py.minor) {
    return abi == "none" && !py.cpython;
  }
  const int minor = python.minor();
  if (py.cpython) {
    const std::string own = "cp" + std::to_string(py.major) + std::to_string(*py.minor);
    if (abi == "abi3") {
      return minor >= *py.minor;
    }
    return minor == *py.minor && (abi == own || abi == "none" || abi == own + "m");
  }
  return abi == "none" && minor >= *py.minor;
}

}  // namespace

std::string normalize_project(std::string_view name)
{
  std::string out;
  out.reserve(name.size());
  bool separator = false;
  for (const char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      separator = true;
      continue;
    }
    if (separator && !out.empty()) {
      out += '-';
    }
    separator = false;
    out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return out;
}

std::optional<WheelName> parse_wheel_name(std::string_view file_name)
{
  constexpr std::string_view k_suffix = ".whl";
  if (file_name.size() > k_max_name || !file_name.ends_with(k_suffix) ||
      !std::all_of(file_name.begin(), file_name.end(), allowed)) {
    return std::nullopt;
  }
  file_name.remove_suffix(k_suffix.size());
  const auto fields = util::split(file_name, '-');
  if (fields.size() != 5 && fields.size() != 6) {
    return std::nullopt;
  }
  if (std::any_of(fields.begin(), fields.end(), [](std::string_view f) { return f.empty(); })) {
    return std::nullopt;
  }
  WheelName wheel;
  wheel.distribution = normalize_project(fields[0]);
  wheel.version = std::string(fields[1]);
  const std::size_t tags = fields.size() - 3;
  if (fields.size() == 6) {
    wheel.build = std::string(fields[2]);
  }
  wheel.python_tags = tag_set(fields[tags]);
  wheel.abi_tags = tag_set(fields[tags + 1]);
  wheel.platform_tags = tag_set(fields[tags + 2]);
  if (wheel.distribution.empty() || wheel.python_tags.empty() || wheel.abi_tags.empty() ||
      wheel.platform_tags.empty()) {
    return std::nullopt;
  }
  return wheel;
}

PlatformTag parse_platform_tag(std::string_view tag)
{
  PlatformTag result;
  if (tag == "any") {
    result.kind = PlatformTag::Kind::any;
    return result;
  }
  struct Legacy {
    std::string_view prefix;
    int minor;
  };
  for (const auto& legacy : {Legacy{"manylinux1_", 5}, Legacy{"manylinux2010_", 12}, Legacy{"manylinux2014_", 17}}) {
    if (tag.starts_with(legacy.prefix) && tag.size() > legacy.prefix.size()) {
      result.kind = PlatformTag::Kind::manylinux;
      result.arch = std::string(tag.substr(legacy.prefix.size()));
      result.libc = version_of(2, legacy.minor);
      return result;
    }
  }
  for (const auto& [prefix, kind] : {std::pair{std::string_view("manylinux_"), PlatformTag::Kind::manylinux},
                                     std::pair{std::string_view("musllinux_"), PlatformTag::Kind::musllinux}}) {
    if (tag.starts_with(prefix)) {
      if (auto parsed = libc_and_arch(tag.substr(prefix.size()))) {
        result.kind = kind;
        result.libc = parsed->first;
        result.arch = std::move(parsed->second);
      }
      return result;
    }
  }
  if (tag.starts_with("linux_") && tag.size() > 6) {
    result.kind = PlatformTag::Kind::linux;
    result.arch = std::string(tag.substr(6));
  }
  return result;
}

std::string_view wheel_arch(core::Platform platform)
{
  return platform == core::Platform::linux_aarch64 ? "aarch64" : "x86_64";
}

std::optional<core::Version> glibc_needed(const WheelName& wheel, core::Platform platform)
{
  const auto arch = wheel_arch(platform);
  std::optional<core::Version> lowest;
  for (const auto& text : wheel.platform_tags) {
    const auto tag = parse_platform_tag(text);
    std::optional<core::Version> needed;
    if (tag.kind == PlatformTag::Kind::any || (tag.kind == PlatformTag::Kind::linux && tag.arch == arch)) {
      needed = core::Version::parse("0.0").value();
    } else if (tag.kind == PlatformTag::Kind::manylinux && tag.arch == arch) {
      needed = tag.libc;
    }
    if (needed && (!lowest || *needed < *lowest)) {
      lowest = needed;
    }
  }
  return lowest;
}

bool supports_python(const WheelName& wheel, const core::Version& python)
{
  for (const auto& py_text : wheel.python_tags) {
    const auto py = read_python_tag(py_text);
    if (!py) {
      continue;
    }
    for (const auto& abi : wheel.abi_tags) {
      if (pair_supports(*py, abi, python)) {
        return true;
      }
    }
  }
  return false;
}

std::string cpython_tag(const core::Version& python)
{
  return "cp" + std::to_string(python.major()) + std::to_string(python.minor());
}

}  // namespace envsetup::pyindex
