// SPDX-License-Identifier: Apache-2.0
// The one file that includes toml++ (tests/lint/check_layers.py); used header-only, without
// exceptions. Everything it reads came from outside.
#include <envsetup/util/toml_reader.hpp>

#define TOML_EXCEPTIONS 0
#define TOML_HEADER_ONLY 1
#define TOML_ENABLE_FORMATTERS 0
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>

namespace envsetup::util {

struct TomlDocument::State {
  toml::parse_result parsed;
  TomlProblem problem;
};

namespace {

const toml::table& table_of(const void* table)
{
  return *static_cast<const toml::table*>(table);
}

std::optional<std::string> text_problem(std::string_view text, std::size_t limit)
{
  if (text.size() > limit) {
    return "longer than " + std::to_string(limit) + " bytes";
  }
  if (std::ranges::any_of(text, [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return "a control character";
  }
  return std::nullopt;
}

std::size_t line_of(const toml::node& node)
{
  return static_cast<std::size_t>(node.source().begin.line);
}

std::string quoted(std::string_view key)
{
  return "`" + std::string(key.substr(0, 100)) + "`";
}

// toml++ 3.3 asserts (and in a release build goes on without the check) when a table header
// `[` or `[[` is followed by anything but a key, e.g. a line of `[[[`: such headers are refused
// here, before toml++ sees them.
std::optional<std::size_t> bad_header_line(std::string_view text)
{
  std::size_t line = 1;
  for (std::size_t start = 0; start < text.size(); ++line) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    std::string_view rest = text.substr(start, end - start);
    start = end + 1;
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) {
      rest.remove_prefix(1);
    }
    if (rest.empty() || rest.front() != '[') {
      continue;
    }
    rest.remove_prefix(rest.size() > 1 && rest[1] == '[' ? 2 : 1);
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) {
      rest.remove_prefix(1);
    }
    const char first = rest.empty() ? '\0' : rest.front();
    const bool key = std::isalnum(static_cast<unsigned char>(first)) != 0 || first == '_' || first == '-' ||
                     first == '"' || first == '\'';
    if (!key) {
      return line;
    }
  }
  return std::nullopt;
}

// toml++ builds (and destroys) one nested table per part of a dotted key, recursively: a key
// `a.a.a....a` of 300,000 parts (at the top, in a header or in an inline table) overflowed the
// stack (SIGSEGV) before any check ran. Such chains are refused here: per line, outside quoted
// text, the longest run of dots each preceded by a key part (bare-key characters or a quoted
// string, blanks around dots allowed) must stay under k_max_key_parts. A float (`1.5`) is a
// run of one; dots with nothing between (`...`) are no run.
constexpr std::size_t k_max_key_parts = 128;

std::size_t longest_dotted_run(std::string_view line)
{
  std::size_t longest = 0;
  std::size_t run = 0;
  bool part = false;  // a key part since the last dot
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"' || c == '\'') {
      std::size_t close = i + 1;
      while (close < line.size() && line[close] != c) {
        close += (c == '"' && line[close] == '\\') ? std::size_t{2} : std::size_t{1};
      }
      i = std::min(close, line.size());
      part = true;
    } else if (c == '.') {
      run = part ? run + 1 : 0;
      longest = std::max(longest, run);
      part = false;
    } else if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-') {
      part = true;
    } else if (c != ' ' && c != '\t') {
      run = 0;
      part = false;
    }
  }
  return longest;
}

std::optional<std::size_t> deep_key_line(std::string_view text)
{
  std::size_t line = 1;
  for (std::size_t start = 0; start < text.size(); ++line) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view rest = text.substr(start, end - start);
    start = end + 1;
    const std::size_t first = rest.find_first_not_of(" \t");
    if (first == std::string_view::npos || rest[first] == '#') {
      continue;  // blank line or comment
    }
    if (longest_dotted_run(rest) >= k_max_key_parts) {
      return line;
    }
  }
  return std::nullopt;
}

}  // namespace

Result<TomlDocument> TomlDocument::parse(std::string_view text, std::size_t max_bytes, TomlProblem problem)
{
  if (text.size() > max_bytes) {
    return problem("the file", "larger than " + std::to_string(max_bytes >> 20U) + " MiB", 0);
  }
  if (auto line = bad_header_line(text)) {
    return problem("line " + std::to_string(*line), "a table header that names no table", *line);
  }
  if (auto line = deep_key_line(text)) {
    return problem("line " + std::to_string(*line),
                   "a key of more than " + std::to_string(k_max_key_parts) + " dotted parts", *line);
  }
  auto state = std::make_shared<State>(State{toml::parse(text), problem});
  if (!state->parsed) {
    const toml::parse_error& error = state->parsed.error();
    const auto line = static_cast<std::size_t>(error.source().begin.line);
    return problem("line " + std::to_string(line), std::string(error.description()), line);
  }
  TomlDocument document;
  document.m_state = std::move(state);
  return document;
}

TomlTable TomlDocument::root(std::string where) const
{
  return {m_state, &m_state->parsed.table(), std::move(where), m_state->problem};
}

TomlTable::TomlTable(std::shared_ptr<const void> owner, const void* table, std::string where, TomlProblem problem)
  : m_owner(std::move(owner)), m_table(table), m_where(std::move(where)), m_problem(std::move(problem))
{
}

Error TomlTable::problem(const std::string& where, const std::string& why, std::size_t line) const
{
  if (!m_problem) {
    return make_error(ErrorKind::input, where + ": " + why);
  }
  return m_problem(where, why, line);
}

const void* TomlTable::find(std::string_view key) const
{
  return table_of(m_table).get(key);
}

const void* TomlTable::take(std::string_view key)
{
  m_taken.emplace_back(key);
  return find(key);
}

bool TomlTable::contains(std::string_view key) const
{
  return find(key) != nullptr;
}

std::vector<std::string> TomlTable::keys() const
{
  std::vector<std::string> out;
  for (const auto& [key, value] : table_of(m_table)) {
    out.emplace_back(key.str());
  }
  std::ranges::sort(out);
  return out;
}

std::size_t TomlTable::line(std::string_view key) const
{
  const auto* node = static_cast<const toml::node*>(find(key));
  return node == nullptr ? 0 : line_of(*node);
}

Result<std::string> TomlTable::string(std::string_view key, std::size_t limit)
{
  const auto* node = static_cast<const toml::node*>(take(key));
  if (node == nullptr) {
    return problem(m_where, quoted(key) + " is missing");
  }
  const auto* value = node->as_string();
  if (value == nullptr) {
    return problem(m_where, quoted(key) + " must be a string", line_of(*node));
  }
  if (auto why = text_problem(value->get(), limit)) {
    return problem(m_where + "." + std::string(key), *why, line_of(*node));
  }
  return value->get();
}

Result<std::optional<std::string>> TomlTable::optional_string(std::string_view key, std::size_t limit)
{
  if (!contains(key)) {
    m_taken.emplace_back(key);
    return std::optional<std::string>();
  }
  auto value = string(key, limit);
  if (!value) {
    return std::move(value).error();
  }
  return std::optional<std::string>(std::move(*value));
}

Result<std::uint64_t> TomlTable::unsigned_integer(std::string_view key)
{
  const auto* node = static_cast<const toml::node*>(take(key));
  const auto* value = node == nullptr ? nullptr : node->as_integer();
  if (value == nullptr || value->get() < 0) {
    return problem(m_where, quoted(key) + " must be a non-negative integer", node == nullptr ? 0 : line_of(*node));
  }
  return static_cast<std::uint64_t>(value->get());
}

Result<std::vector<std::string>> TomlTable::strings(std::string_view key, std::size_t limit)
{
  const auto* node = static_cast<const toml::node*>(take(key));
  const auto* array = node == nullptr ? nullptr : node->as_array();
  if (array == nullptr || array->size() > limit) {
    return problem(m_where, quoted(key) + " must be an array of at most " + std::to_string(limit) + " strings",
                   node == nullptr ? 0 : line_of(*node));
  }
  std::vector<std::string> out;
  for (const toml::node& item : *array) {
    const auto* value = item.as_string();
    if (value == nullptr) {
      return problem(m_where, quoted(key) + " must hold strings only", line_of(item));
    }
    if (auto why = text_problem(value->get(), 4096)) {
      return problem(m_where + "." + std::string(key), *why, line_of(item));
    }
    out.push_back(value->get());
  }
  return out;
}

std::optional<std::int64_t> TomlTable::take_integer(std::string_view key)
{
  const auto* node = static_cast<const toml::node*>(take(key));
  const auto* value = node == nullptr ? nullptr : node->as_integer();
  return value == nullptr ? std::nullopt : std::optional<std::int64_t>(value->get());
}

std::optional<TomlTable> TomlTable::take_table(std::string_view key, std::string where)
{
  const auto* node = static_cast<const toml::node*>(take(key));
  const auto* table = node == nullptr ? nullptr : node->as_table();
  if (table == nullptr) {
    return std::nullopt;
  }
  return TomlTable(m_owner, table, std::move(where), m_problem);
}

std::optional<std::vector<TomlTable>> TomlTable::take_tables(std::string_view key,
                                                             const std::function<std::string(std::size_t)>& where_of)
{
  const auto* node = static_cast<const toml::node*>(take(key));
  std::vector<TomlTable> out;
  if (node == nullptr) {
    return out;
  }
  const auto* array = node->as_array();
  if (array == nullptr || !array->is_array_of_tables()) {
    return std::nullopt;
  }
  out.reserve(array->size());
  std::size_t number = 0;
  for (const toml::node& item : *array) {
    out.push_back(TomlTable(m_owner, item.as_table(), where_of(++number), m_problem));
  }
  return out;
}

Status TomlTable::finish() const
{
  for (const auto& [key, value] : table_of(m_table)) {
    const std::string name(key.str());
    if (std::ranges::find(m_taken, name) == m_taken.end()) {
      return problem(m_where, "unknown key " + quoted(name), static_cast<std::size_t>(key.source().begin.line));
    }
  }
  return ok_status();
}

}  // namespace envsetup::util
