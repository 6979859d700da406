// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/util/error.hpp>

#include <map>
#include <string>
#include <string_view>

namespace envsetup::util {

// Replaces every `{{name}}` of `text` with `variables[name]`. Sections: `{{#name}}...{{/name}}`
// keeps its body when `variables[name]` is non-empty, `{{^name}}...{{/name}}` when it is empty;
// a section tag alone on its line takes that line's newline with it, so hidden sections leave
// no blank lines. Strict: a placeholder or section without a variable, a variable no
// placeholder or section uses, an unterminated `{{` or an unmatched section tag is an error
// (kind internal: templates ship with envsetup), so a typo never produces a half-rendered
// file. Placeholders inside hidden sections are checked too.
[[nodiscard]] Result<std::string> render_template(std::string_view text,
                                                  const std::map<std::string, std::string>& variables,
                                                  const std::string& template_name);

// `text` escaped for the inside of a double-quoted POSIX shell string (\ " $ ` escaped).
[[nodiscard]] std::string shell_double_quoted(std::string_view text);

// `text` escaped for the inside of a double-quoted fish string (\ " $ escaped).
[[nodiscard]] std::string fish_double_quoted(std::string_view text);

// `text` as one POSIX shell word: unchanged when it has only safe characters, else in single
// quotes (a ' written as '\'').
[[nodiscard]] std::string shell_word(std::string_view text);

}  // namespace envsetup::util
