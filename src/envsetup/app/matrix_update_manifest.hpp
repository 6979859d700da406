// SPDX-License-Identifier: Apache-2.0
#pragma once
// The manifest of a matrix bundle (docs/matrix-updates.md): which files a bundle holds, their
// sizes and SHA-256s, the matrix schema they follow, when they were generated and which key
// signs the manifest. Pure: text in, values out. Manifests come from the network and are
// untrusted until their signature is checked; the parser bounds every field.

#include <envsetup/matrix/load.hpp>
#include <envsetup/util/error.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace envsetup::app {

inline constexpr int k_bundle_format = 1;
// The matrix schema this envsetup reads (matrix/load.cpp checks each file's schema_version).
inline constexpr int k_matrix_schema_version = matrix::k_schema_version;
inline constexpr const char* k_manifest_name = "manifest.json";
inline constexpr const char* k_signature_name = "manifest.json.sig";
inline constexpr std::size_t k_max_manifest_bytes = 1 << 20;
inline constexpr std::uint64_t k_max_bundle_file_bytes = std::uint64_t{16} << 20;
inline constexpr std::size_t k_max_bundle_files = 64;

struct BundleFile {
  std::string name;  // "cuda.json"
  std::string sha256;
  std::uint64_t size = 0;
};

struct BundleManifest {
  int format = k_bundle_format;
  int schema_version = k_matrix_schema_version;
  std::string generated;          // "2026-12-06T12:00:00Z": UTC, exactly this form
  std::string key;                // fingerprint of the signing key (util::PublicKey::fingerprint)
  std::vector<BundleFile> files;  // sorted by name
};

// Parses a manifest. A `schema_version` newer than k_matrix_schema_version is returned, not
// refused: the caller says why it cannot use it. Errors (kind input, the cause names the
// field): not JSON, not an object, a format other than 1, a missing or mistyped field, a
// `generated` not of the form above, a file name that is not a plain `*.json` name
// (is_bundle_file_name), a bad sha256 or size, more than k_max_bundle_files files.
[[nodiscard]] util::Result<BundleManifest> parse_manifest(std::string_view text);

// The manifest as JSON text (two-space indent, keys in a fixed order, ending in a newline):
// what `matrix bundle` writes and signs.
[[nodiscard]] std::string manifest_text(const BundleManifest& manifest);

// "2026-12-06T12:00:00Z" -> seconds since the epoch; nullopt for any other form or an
// impossible date. Such strings order as their times do.
[[nodiscard]] std::optional<std::int64_t> generated_seconds(std::string_view generated);

// The time `seconds` in the form above.
[[nodiscard]] std::string format_generated(std::int64_t seconds);

// A matrix file name a bundle may hold: 1-64 characters of [a-z0-9_-] then `.json`, not
// `manifest.json` (never a path, never hidden).
[[nodiscard]] bool is_bundle_file_name(std::string_view name);

// Every file the manifest lists is in `files` with its size and SHA-256, and `files` holds
// nothing else. Errors (kind integrity) name the first file that differs and how.
[[nodiscard]] util::Status check_bundle_files(const BundleManifest& manifest,
                                              const std::vector<matrix::SourceFile>& files);

// The manifest `files` would have (sorted by name, sizes and SHA-256s; other fields default).
[[nodiscard]] BundleManifest describe_files(const std::vector<matrix::SourceFile>& files);

// The SHA-256 that names a matrix without a manifest (the embedded copy, a folder): the
// SHA-256 of the lines "<sha256 of the file>  <name>\n" for each file in name order (what
// `sha256sum *.json` prints in the C locale).
[[nodiscard]] std::string files_digest(const std::vector<matrix::SourceFile>& files);

}  // namespace envsetup::app
