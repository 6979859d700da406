// SPDX-License-Identifier: Apache-2.0
// Low-level text helpers shared by the parsers of parsers.hpp (parsers.cpp, parsers_json.cpp,
// parsers_python.cpp). Private to the detect module: not installed, not for other modules.
// Like the parsers, none does I/O, throws or reads outside the text it is given.
#pragma once

#include <envsetup/core/version.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace envsetup::detect::detail {

// The next line of `rest` without its "\n" or "\r\n"; consumes it (and its "\n") from `rest`.
// The returned view points into the text `rest` viewed.
[[nodiscard]] std::string_view next_line(std::string_view& rest);

// The next token of `rest` separated by blanks (space, \t, \r, \f, \v; not \n), "" when none is
// left; consumes the blanks before it and the token from `rest`.
[[nodiscard]] std::string_view next_token(std::string_view& rest);

// `text` as a Version of at least `min_parts` components; nullopt when `text` is empty,
// longer than any Version can be, holds anything but digits and dots, or does not parse.
// The character check keeps junk away from Version::parse, whose error path copies the text.
[[nodiscard]] std::optional<core::Version> to_version(std::string_view text,
                                                      std::size_t min_parts = 1);

// The leading run of digits and dots of `text`, trailing dots dropped: "2.36.\n" -> "2.36",
// "2.15.0.post1" -> "2.15.0"; "" when `text` starts with neither. A view into `text`.
[[nodiscard]] std::string_view leading_version_text(std::string_view text);

// The value of hex digit `c` (0-9, a-f, A-F) -> 0..15; -1 for any other character.
[[nodiscard]] int hex_digit(char c);

// Exactly four hex digits ("10de", "2204") -> their value; nullopt otherwise.
[[nodiscard]] std::optional<std::uint16_t> parse_hex4(std::string_view text);

// The value of the first `#define <name> <value>` line of a C header: the first token after
// the name (a view into `header`); nullopt when no such line has a value.
[[nodiscard]] std::optional<std::string_view> find_define(std::string_view header,
                                                          std::string_view name);

}  // namespace envsetup::detect::detail
