// SPDX-License-Identifier: Apache-2.0
// Reading one config file, strictly: through util::TomlDocument (every key known, every type
// right), then each value checked as the flag it stands for would be.
#include <envsetup/config/settings.hpp>
#include <envsetup/util/strings.hpp>
#include <envsetup/util/toml_reader.hpp>
#include <envsetup/util/unique_fd.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace envsetup::config {

namespace {

constexpr std::size_t k_max_bytes = std::size_t{1} << 20;
constexpr const char* k_hint = "fix or remove the line; docs/config.md lists the keys and their values";

// "invalid config file PATH:LINE: `key`: why", the line left out when unknown.
util::Error bad(const std::filesystem::path& path, std::string_view key, const std::string& why, std::size_t line)
{
  std::string message = "invalid config file " + path.string() + (line > 0 ? ":" + std::to_string(line) : "") + ": ";
  if (!key.empty()) {
    message += "`" + std::string(key.substr(0, 100)) + "`: ";
  }
  return util::make_error(util::ErrorKind::input, message + why).with_hint(k_hint);
}

// The key named by a reader's `where` (".key" after the table's empty name), or empty.
std::string_view key_of(std::string_view where)
{
  return where.starts_with('.') ? where.substr(1) : std::string_view();
}

// `~` and `~/...` become the home folder; nullopt when they need a home that is not an absolute
// path (HOME unset or relative: `~/store` must not silently become `/store`).
std::optional<std::string> expand_home(const std::string& value, const std::string& home)
{
  if (value == "~" || value.starts_with("~/")) {
    if (home.empty() || !std::filesystem::path(home).is_absolute()) {
      return std::nullopt;
    }
    return home + value.substr(1);
  }
  return value;
}

// Whether `text` is X.Y or X.Y.Z (decimal numbers, nothing else).
bool python_version(std::string_view text)
{
  std::size_t parts = 0;
  for (std::size_t start = 0; start <= text.size(); ++parts) {
    const std::size_t dot = std::min(text.find('.', start), text.size());
    const std::string_view part = text.substr(start, dot - start);
    if (part.empty() || part.size() > 4 || !std::ranges::all_of(part, [](char c) { return c >= '0' && c <= '9'; })) {
      return false;
    }
    start = dot + 1;
  }
  return parts == 2 || parts == 3;
}

// `python` is a version (X.Y, X.Y.Z) or an interpreter's absolute path: a relative one would
// name a different file in every folder envsetup runs in. The interpreter itself is run only
// by the command that needs it (app::python_from_flag), like --python's.
std::optional<std::string> python_problem(const std::string& value)
{
  if (value.find('/') == std::string::npos) {
    return python_version(value) ? std::nullopt
                                 : std::optional<std::string>("`" + value.substr(0, 100) +
                                                              "` is not X.Y, X.Y.Z or an interpreter's absolute path");
  }
  if (!std::filesystem::path(value).is_absolute()) {
    return "`" + value.substr(0, 200) + "` is not an absolute path (start it with / or ~/)";
  }
  return std::nullopt;
}

// Why `value` cannot stand for `key`'s flag; nullopt when it can. `value` has no control
// character (the reader refused those).
std::optional<std::string> value_problem(const KeyInfo& key, const std::string& value)
{
  switch (key.kind) {
    case ValueKind::source:
      if (value.find("://") != std::string::npos) {
        return util::mirror_url_problem(value);
      }
      [[fallthrough]];
    case ValueKind::path:
      if (!std::filesystem::path(value).is_absolute()) {
        return "`" + value.substr(0, 200) + "` is not an absolute path (start it with / or ~/)";
      }
      return std::nullopt;
    case ValueKind::index_url:
      return util::mirror_url_problem(value);
    case ValueKind::installer:
      if (value != "pip" && value != "uv" && value != "auto") {
        return "`" + value.substr(0, 100) + "` is not pip, uv or auto";
      }
      return std::nullopt;
    case ValueKind::jobs:
      return std::nullopt;
    case ValueKind::text:
      return key.key == Key::python ? python_problem(value) : std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

util::Result<FileValues> parse_config(std::string_view text, const std::filesystem::path& path, const std::string& home)
{
  auto document = util::TomlDocument::parse(
    text, k_max_bytes, [&path](const std::string& where, const std::string& why, std::size_t line) {
      return bad(path, key_of(where), why, line);
    });
  if (!document) {
    return std::move(document).error();
  }
  util::TomlTable top = document->root("");
  FileValues out;
  out.path = path;
  for (const KeyInfo& key : all_keys()) {
    if (!top.contains(key.name)) {
      continue;
    }
    const std::size_t line = top.line(key.name);
    if (key.kind == ValueKind::jobs) {
      const auto jobs = top.take_integer(key.name);
      if (!jobs || *jobs < 1 || *jobs > 64) {
        return bad(path, key.name, "must be an integer from 1 to 64", line);
      }
      out.values[key.key] = {std::to_string(*jobs), line};
      continue;
    }
    auto value = top.string(key.name, 4096);
    if (!value) {
      return std::move(value).error();
    }
    if (value->empty()) {
      return bad(path, key.name, "must not be empty (remove the line for the default)", line);
    }
    const bool path_like = key.kind == ValueKind::path || key.kind == ValueKind::source ||
                           (key.key == Key::python && value->starts_with('~'));
    const std::optional<std::string> home_expanded = path_like ? expand_home(*value, home) : *value;
    if (!home_expanded) {
      return bad(path, key.name, "`~` needs HOME, which is unset or not an absolute path", line);
    }
    std::string expanded = *home_expanded;
    if (auto why = value_problem(key, expanded)) {
      return bad(path, key.name, *why, line);
    }
    out.values[key.key] = {std::move(expanded), line};
  }
  ENVSETUP_TRY(top.finish());
  return out;
}

util::Result<std::optional<FileValues>> read_config(const std::filesystem::path& path, const std::string& home)
{
  const util::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (!fd.valid()) {
    const int error = errno;
    if (error == ENOENT || error == ENOTDIR) {
      return std::optional<FileValues>();
    }
    if (error == ELOOP) {
      return util::make_error(util::ErrorKind::io, "config file " + path.string() + " is a symbolic link")
        .with_cause("envsetup does not follow links it did not create")
        .with_hint("replace the link by the file itself");
    }
    return util::make_error(util::ErrorKind::io, "cannot open config file " + path.string())
      .with_cause(std::strerror(error));
  }
  struct stat status {};
  if (::fstat(fd.get(), &status) != 0 || !S_ISREG(status.st_mode)) {
    return util::make_error(util::ErrorKind::io, "config file " + path.string() + " is not a regular file");
  }
  if (static_cast<std::uint64_t>(status.st_size) > k_max_bytes) {
    return bad(path, "", "larger than 1 MiB", 0);
  }
  std::string text;
  char buffer[65536];
  for (;;) {
    const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0) {
      return util::make_error(util::ErrorKind::io, "cannot read config file " + path.string())
        .with_cause(std::strerror(errno));
    }
    if (got == 0) {
      break;
    }
    text.append(buffer, static_cast<std::size_t>(got));
    if (text.size() > k_max_bytes) {
      return bad(path, "", "larger than 1 MiB", 0);
    }
  }
  auto values = parse_config(text, path, home);
  if (!values) {
    return std::move(values).error();
  }
  return std::optional<FileValues>(std::move(*values));
}

}  // namespace envsetup::config
