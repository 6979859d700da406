// SPDX-License-Identifier: Apache-2.0
// Man pages in roff (man(7) macros) generated from the CLI model: envsetup.1 and one
// envsetup-SUB.1 per public subcommand (nested: envsetup-matrix-update.1).
#pragma once

#include <envsetup/cli/cli_model.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace envsetup::cli {

struct ManPage {
  std::string file_name;  // "envsetup-matrix-update.1"
  std::string text;
};

// Every page for `root` (the whole public tree). `version` goes into each page's footer.
[[nodiscard]] std::vector<ManPage> man_pages(const CommandModel& root, std::string_view version);

// `text` as roff text lines: backslashes as \e, every '-' as \- (so flags copy and paste),
// non-ASCII characters as \[uXXXX], control characters dropped, and a line that would start
// with '.' or '\'' (a request) starts with \& instead. Newlines stay line breaks.
[[nodiscard]] std::string roff_escape(std::string_view text);

// The exit codes of exit_codes.hpp with their meaning (the EXIT STATUS section; docs/cli.md
// holds the same table).
struct ExitCodeDoc {
  int code;
  std::string_view meaning;
};
[[nodiscard]] std::vector<ExitCodeDoc> exit_code_docs();

// Every environment variable envsetup reads, with its meaning (the ENVIRONMENT section).
struct VariableDoc {
  std::string_view name;
  std::string_view meaning;
};
[[nodiscard]] std::vector<VariableDoc> environment_docs();

// What envsetup(1) says after its one-line description, and its EXIT STATUS, ENVIRONMENT and
// FILES sections, in roff.
[[nodiscard]] std::string root_description();
[[nodiscard]] std::string root_sections();

}  // namespace envsetup::cli
