// SPDX-License-Identifier: Apache-2.0
// Strict reading of TOML text that came from outside (lockfiles, config files). toml++ stays
// behind this header: util/toml_reader.cpp is the one file that includes it
// (tests/lint/check_layers.py), used header-only and without exceptions.
#pragma once

#include <envsetup/util/error.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace envsetup::util {

// Builds the error for a problem: `where` is the caller's name for the table (e.g. `[plan]`)
// or `line N`, optionally extended with `.key`; `why` says what is wrong; `line` is the
// 1-based source line of the offending key or value, 0 when unknown. The caller decides the
// kind, the message's prefix and the hints, so each format keeps its own wording.
using TomlProblem = std::function<Error(const std::string& where, const std::string& why, std::size_t line)>;

class TomlTable;

// A parsed document. Tables read from it share its ownership, so they stay valid after the
// document object itself is gone.
class TomlDocument {
public:
  // Parses `text` (at most `max_bytes`). Table headers that name no table (`[[[`) are refused
  // before toml++ sees them (toml++ 3.3 asserts on them); a syntax error is reported as
  // `problem("line N", description, N)`.
  static Result<TomlDocument> parse(std::string_view text, std::size_t max_bytes, TomlProblem problem);

  // The top-level table, named `where` in errors.
  [[nodiscard]] TomlTable root(std::string where) const;

private:
  struct State;
  std::shared_ptr<const State> m_state;
};

// One table, read key by key: every read takes its key, and finish() refuses any key that was
// not taken ("unknown key"). Strings are checked for length and control characters.
class TomlTable {
public:
  // A string no longer than `limit` bytes, without control characters.
  Result<std::string> string(std::string_view key, std::size_t limit = 4096);
  // As string(), or nothing when the key is absent.
  Result<std::optional<std::string>> optional_string(std::string_view key, std::size_t limit = 4096);
  Result<std::uint64_t> unsigned_integer(std::string_view key);
  // An array of at most `limit` strings (each at most 4096 bytes, no control characters).
  Result<std::vector<std::string>> strings(std::string_view key, std::size_t limit);

  // Takes `key`: its integer value, or nothing when it is absent or not an integer.
  std::optional<std::int64_t> take_integer(std::string_view key);
  // Takes `key`: the table under it, or nothing when it is absent or not a table.
  std::optional<TomlTable> take_table(std::string_view key, std::string where);
  // Takes `key`: its tables (empty when absent), each named where_of(1-based number); nothing
  // when the key holds something other than an array of tables.
  std::optional<std::vector<TomlTable>> take_tables(std::string_view key,
                                                    const std::function<std::string(std::size_t)>& where_of);

  [[nodiscard]] bool contains(std::string_view key) const;
  // The keys of this table, in name order.
  [[nodiscard]] std::vector<std::string> keys() const;
  // The 1-based source line of `key`, 0 when absent or unknown.
  [[nodiscard]] std::size_t line(std::string_view key) const;
  [[nodiscard]] const std::string& where() const { return m_where; }
  // The first key that no read took, as an "unknown key" problem.
  [[nodiscard]] Status finish() const;
  // A problem at this table (`where` + optional `.suffix`), for the caller's own checks.
  [[nodiscard]] Error problem(const std::string& where, const std::string& why, std::size_t line = 0) const;

private:
  friend class TomlDocument;
  TomlTable(std::shared_ptr<const void> owner, const void* table, std::string where, TomlProblem problem);
  [[nodiscard]] const void* find(std::string_view key) const;  // a toml::node*, or null
  const void* take(std::string_view key);

  std::shared_ptr<const void> m_owner;  // keeps the parsed document alive
  const void* m_table;                  // the toml::table (only util/toml_reader.cpp knows it)
  std::string m_where;
  TomlProblem m_problem;
  std::vector<std::string> m_taken;
};

}  // namespace envsetup::util
