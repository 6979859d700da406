// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/util/error.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace envsetup::util {

// Splits `text` at every `separator`; empty fields are kept ("a,,b" gives 3 fields).
[[nodiscard]] std::vector<std::string_view> split(std::string_view text, char separator);

// `text` without leading and trailing ASCII whitespace.
[[nodiscard]] std::string_view trim(std::string_view text);

// The parts joined with `separator` between them.
[[nodiscard]] std::string join(const std::vector<std::string>& parts, std::string_view separator);

// Parses a non-negative decimal integer that fits in `int`; false on anything else
// (sign, spaces, empty, overflow).
[[nodiscard]] bool parse_non_negative(std::string_view text, int& out);

// `text` with `{name}` replaced by `value` everywhere.
[[nodiscard]] std::string replace_all(std::string text, std::string_view name, std::string_view value);

// Control characters: the bytes below 0x20 (newline, tab, carriage return, escape, ...) and
// 0x7f (delete). Text from outside (flags, environment variables, manifests, archive names)
// that holds one can end a line in a generated script or drive the user's terminal.
[[nodiscard]] constexpr bool is_control_character(char c)
{
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7f;
}

// The length of the control sequence at `text[at]`, 0 when there is none: 1 for a control
// byte (above) or a lone byte 0x80-0x9f (a C1 control to an 8-bit terminal); 2 for a C1
// control U+0080-U+009F written in UTF-8 (U+009B is a one-character CSI to xterm); 3 for a
// bidirectional override or isolate (U+202A-U+202E, U+2066-U+2069), which makes a terminal
// show text in another order than it is.
[[nodiscard]] std::size_t control_sequence_length(std::string_view text, std::size_t at);

// The offset of the first control sequence of `text`; nullopt when it has none.
[[nodiscard]] std::optional<std::size_t> find_control_character(std::string_view text);

// `text` with every control sequence written as an escape that shows what it was:
// newline `\n`, tab `\t`, carriage return `\r`, another control byte `\xNN` (escape is
// `\x1b`), a C1 or bidirectional character `\uNNNN`. Other bytes, backslashes included,
// are unchanged, so text without control sequences stays as it is. For showing untrusted
// text on a terminal.
[[nodiscard]] std::string escape_control_characters(std::string_view text);

// The usage error for a flag or environment variable `name` (`--prefix`, `ENVSETUP_STORE`)
// whose `value` holds a control character: names it, shows the value escaped, says where the
// first one is and what to do.
[[nodiscard]] Error control_character_error(std::string_view name, std::string_view value);

// Why `text` cannot be a mirror URL: nullopt when it is `http://HOST...`, `https://HOST...`
// or `file:///PATH...` with no whitespace and no control character (it becomes one line of
// a requirements file or a curl URL), else a sentence saying what is wrong.
[[nodiscard]] std::optional<std::string> mirror_url_problem(std::string_view text);

// ok when `value` holds no control character, else control_character_error(name, value).
[[nodiscard]] Status require_no_control_characters(std::string_view name, std::string_view value);

// Whether `name` can name a file or folder as it is: 1-128 characters of [A-Za-z0-9._+-],
// not starting with '.' or '-' (so never `.`, `..`, a hidden name or an option). Manifest
// component keys must be such names: they become folders (share/licenses/<key>/).
[[nodiscard]] bool is_plain_name(std::string_view name);

// The current time in UTC as ISO 8601 to the second, e.g. "2026-12-07T06:52:40Z" (the
// `created_at` of receipts and registry entries).
[[nodiscard]] std::string utc_now_text();

}  // namespace envsetup::util
