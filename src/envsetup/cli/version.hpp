// SPDX-License-Identifier: Apache-2.0
// `envsetup --version`: the version, the build's git commit and the matrix in effect.
#pragma once

#include <string>

namespace envsetup::cli {

// The text `--version` prints (without the final newline):
//   envsetup 0.1.0
//   commit   1a2b3c4            ("unknown" when built outside a git checkout)
//   matrix   embedded, generated 2026-12-06T12:00:00Z, sha256 0123456789ab
// As one JSON object with `json`. A matrix that cannot be read is named with its error, never
// a failure: --version always answers.
[[nodiscard]] std::string version_text(bool json);

// The version and commit alone ("0.1.0", "1a2b3c4").
[[nodiscard]] std::string version_number();
[[nodiscard]] std::string build_commit();

}  // namespace envsetup::cli
