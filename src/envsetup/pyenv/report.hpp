// SPDX-License-Identifier: Apache-2.0
// What an installer's resolver chose, read from its output (envsetup lock, docs/lockfile.md):
// pip's `install --dry-run --ignore-installed --report FILE` JSON and the requirements text of
// `uv pip compile --generate-hashes`. Pure; both are untrusted input.
#pragma once

#include <envsetup/util/error.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace envsetup::pyenv {

// One distribution the installer would install.
struct ReportedDistribution {
  std::string name;     // metadata.name, as spelled by the project
  std::string version;  // metadata.version
  std::string url;      // download_info.url (pip); empty from uv
  // The sha256 digests the installer knows for it: pip gives one (archive_info.hashes.sha256,
  // or archive_info.hash "sha256=..."), possibly none; uv lists one per file of the release.
  std::vector<std::string> sha256;
};

// pip's installation report (format version 1; https://pip.pypa.io/en/stable/reference/
// installation-report/): `install[]`, each with metadata.name/version and download_info.url.
// Errors (kind input): not JSON, another report version, an entry without name, version or
// URL, a URL that is not http(s) or file, a direct reference to a source tree or VCS
// (download_info.dir_info / vcs_info: nothing a lock can pin), a hash that is not 64 hex
// digits. Over 64 MiB or 100000 entries: refused.
[[nodiscard]] util::Result<std::vector<ReportedDistribution>> parse_pip_report(std::string_view json);

// `uv pip compile --generate-hashes` output: `name==version \` lines followed by
// `--hash=sha256:HEX` lines, comments (`# via ...`) and options (`--index-url ...`) skipped.
// Errors (kind input): a requirement that is not pinned with `==`, a hash that is not sha256.
[[nodiscard]] util::Result<std::vector<ReportedDistribution>> parse_uv_compile(std::string_view text);

}  // namespace envsetup::pyenv
