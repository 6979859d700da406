// SPDX-License-Identifier: Apache-2.0
// Printing helpers shared by the commands. Only the cli module writes to stdout/stderr.
#pragma once

#include <envsetup/util/error.hpp>

#include <iosfwd>
#include <string>
#include <vector>

namespace envsetup::cli {

// Writes `error` as `envsetup: error: ...`, `  caused by: ...`, `  hint: ...` lines.
void print_error(std::ostream& out, const util::Error& error);

// With `--json`: the error as one JSON object {"ok": false, "error": {...}} on one line.
void print_error_json(std::ostream& out, const util::Error& error);

// Prints `error` on stderr (and, with `json`, as JSON on stdout); returns its exit code.
[[nodiscard]] int report_error(const util::Error& error, bool json);

// Left-aligned columns separated by two spaces; every row has the header's width. A header
// of empty strings is not printed.
class Table {
public:
  explicit Table(std::vector<std::string> header);
  void add(std::vector<std::string> row);
  void print(std::ostream& out, const std::string& indent = "") const;
  [[nodiscard]] bool empty() const { return m_rows.empty(); }

private:
  std::vector<std::string> m_header;
  std::vector<std::vector<std::string>> m_rows;
};

}  // namespace envsetup::cli
