// SPDX-License-Identifier: Apache-2.0
// Which installed distribution owns which file: the `RECORD` of every
// `site-packages/<name>-<version>.dist-info`, and the site-packages folder of a venv. Read
// through descriptors (util/beneath.hpp): no symlink is ever followed under the folder given.
#pragma once

#include <envsetup/util/error.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace envsetup::pyenv {

// The largest RECORD and METADATA read; a bigger one is that distribution's error.
inline constexpr std::size_t k_max_record_bytes = std::size_t{64} << 20;
inline constexpr std::size_t k_max_metadata_bytes = std::size_t{16} << 20;
// The most rows one RECORD may have (a RECORD of 64 MiB of one-byte rows would otherwise cost
// gigabytes of strings) and the longest path a row may name (PATH_MAX).
inline constexpr std::size_t k_max_record_rows = 250000;
inline constexpr std::size_t k_max_record_path = 4096;
// The most rows all the RECORDs of one site-packages may list together: past it, a RECORD is
// that distribution's error.
inline constexpr std::size_t k_max_recorded_files = 1000000;

// A path a RECORD lists, normalized lexically relative to site-packages: no empty or `.`
// component, a `..` cancels the name before it; the `..` left over stay in front.
struct RecordedFile {
  std::string path;      // "torch/lib/libc10.so", or outside: "../../../bin/torchrun"
  bool outside = false;  // the path climbs out of site-packages (it starts with "../")
};

// An installed distribution and the files its RECORD lists.
struct DistributionRecord {
  std::string dist_info;              // the folder's name: "torch-2.5.1+cu124.dist-info"
  std::string name;                   // METADATA's `Name` as written: "Torch"
  std::string normalized_name;        // normalize_name(name) (metadata.hpp): "torch"
  std::string version;                // METADATA's `Version`: "2.5.1+cu124"
  std::vector<RecordedFile> files;    // in RECORD order
  std::vector<std::string> rejected;  // RECORD paths refused (normalize_record_path), as written
  // What could not be read: METADATA (then name and version come from the folder's name,
  // "<name>-<version>.dist-info"), RECORD (then `files` is empty), or the folder itself (a
  // symlink or not a folder: never followed). nullopt when everything was read.
  std::optional<util::Error> error;
};

// The first field of every row of a RECORD: CSV as Python's csv module writes it (fields in
// double quotes when they hold a comma, a quote (doubled) or a line break; rows end with
// "\n" or "\r\n"; empty rows skipped; a quote inside an unquoted field is kept as it is).
// Errors (input): a quoted field still open at the end ("unterminated quoted field in row N"),
// more than k_max_record_rows rows. Pure.
[[nodiscard]] util::Result<std::vector<std::string>> parse_record_paths(std::string_view text);

// `path` (from a RECORD) as a RecordedFile. Errors (input; the message is the reason): empty,
// longer than k_max_record_path bytes, absolute, holding a NUL byte, or naming nothing once
// normalized ("a/.."). Pure.
[[nodiscard]] util::Result<RecordedFile> normalize_record_path(std::string_view path);

// Every `*.dist-info` of `site_packages` (sorted by folder name) with its METADATA name and
// version and its RECORD. A problem with one distribution is its `error` (kind input for
// bad content, too big or missing files; io when it cannot be read); the others are still
// read. Errors (io): `site_packages` cannot be opened or listed.
[[nodiscard]] util::Result<std::vector<DistributionRecord>> read_records(const std::filesystem::path& site_packages);

// The site-packages folder of the venv `venv`: VENV/lib/pythonX.Y/site-packages (X.Y any
// digits, a free-threaded `t` suffix allowed), found by listing VENV/lib without following
// symlinks (lib64 -> lib is never used). Errors (input): VENV has no pyvenv.cfg (not a venv),
// has no such folder, or has several (the error lists them); io: it cannot be read.
[[nodiscard]] util::Result<std::filesystem::path> site_packages_of(const std::filesystem::path& venv);

}  // namespace envsetup::pyenv
