// SPDX-License-Identifier: Apache-2.0
// Printing helpers shared by the commands. Only the cli module writes to stdout/stderr.
#pragma once

#include <envsetup/util/error.hpp>

#include <iosfwd>
#include <memory>
#include <streambuf>
#include <string>
#include <string_view>
#include <vector>

namespace envsetup::cli {

// Everything envsetup prints may hold text from outside (manifests, archive names, URLs,
// flags, host files), and a control character in it could move the cursor, recolour,
// retitle or clear the user's terminal. While a ControlCharacterFilter lives, std::cout and
// std::cerr write every control character except the newline (the CLI's own layout) as an
// escape (`\x1b`, `\t`, `\r`; util::escape_control_characters), once, whoever prints.
// Delete (0x7f) passes: terminals ignore it and JSON output (nlohmann escapes every byte
// below 0x20 itself) may carry it. Fields that must stay on one line (error causes, table
// cells) also escape their newlines; see field_text.
class ControlCharacterFilter {
public:
  ControlCharacterFilter();
  ~ControlCharacterFilter();
  ControlCharacterFilter(const ControlCharacterFilter&) = delete;
  ControlCharacterFilter& operator=(const ControlCharacterFilter&) = delete;

private:
  class Buffer;
  std::streambuf* m_out = nullptr;
  std::streambuf* m_err = nullptr;
  std::unique_ptr<Buffer> m_out_filter;
  std::unique_ptr<Buffer> m_err_filter;
};

// Standard error without the filter, for the progress renderer's own cursor movements
// (never for text from outside). std::cerr itself when no filter is installed.
[[nodiscard]] std::ostream& raw_stderr();

// `text` for one field of a line: every control character escaped, newlines included.
[[nodiscard]] std::string field_text(std::string_view text);

// Writes `error` as `envsetup: error: ...`, `  caused by: ...`, `  hint: ...` lines; on
// std::cerr the labels are coloured when colour_enabled(2) (cli/colour.hpp).
void print_error(std::ostream& out, const util::Error& error);


// The `kind` an error has in JSON output: "usage", "invalid_data", "integrity", ...
[[nodiscard]] const char* error_kind_name(util::ErrorKind kind);

// {"kind", "message", "causes", "hints"} as JSON text: the one error object of every JSON
// document with "ok": false (print_error_json's "error", and a failed report's). Text, so that
// no cli header includes nlohmann/json (docs/architecture.md); parse it into the document.
[[nodiscard]] std::string error_object_json(const util::Error& error);

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
