// SPDX-License-Identifier: Apache-2.0
#pragma once

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

}  // namespace envsetup::util
