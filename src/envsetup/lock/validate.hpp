// SPDX-License-Identifier: Apache-2.0
// The checks parse_lockfile applies to each value (the file is untrusted input). Each returns
// the reason a value is refused, or nullopt when it is fine.
#pragma once

#include <envsetup/lock/lockfile.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace envsetup::lock {

// A project name as wheel file names spell it: PEP 503 normalized, `_` for the separators
// (`Foo.Bar-baz` -> `foo_bar_baz`); two spellings of one project give the same key.
[[nodiscard]] std::string wheel_key(std::string_view name);

// 64 lower-case hex digits.
[[nodiscard]] std::optional<std::string> check_sha256(std::string_view text);
// A relative path or URL path: segments of [A-Za-z0-9._~+!%-] (percent escapes decoded first),
// none empty, `.` or `..`; no leading `/`, no `\`, no query or fragment.
[[nodiscard]] std::optional<std::string> check_relative_path(std::string_view text);
// An http:// or https:// URL (https also file:// for an index) with no whitespace, control
// characters, `\` or credentials.
[[nodiscard]] std::optional<std::string> check_absolute_url(std::string_view text, bool allow_file);
// A wheel's project name (PEP 508), its PEP 440 version spelling, and a file name of the form
// NAME-VERSION(-BUILD)?-PY-ABI-PLATFORM.whl whose name and version are that wheel's.
[[nodiscard]] std::optional<std::string> check_wheel(const LockedWheel& wheel);
// An index key or an archive's product/component/platform: [a-z0-9][a-z0-9._-]*, at most 100.
[[nodiscard]] std::optional<std::string> check_key(std::string_view text);
// Printable text of at most `limit` bytes (no control characters).
[[nodiscard]] std::optional<std::string> check_text(std::string_view text, std::size_t limit);

}  // namespace envsetup::lock
