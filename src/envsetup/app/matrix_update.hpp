// SPDX-License-Identifier: Apache-2.0
#pragma once
// `envsetup matrix update` and `envsetup matrix bundle` (docs/matrix-updates.md).

#include <envsetup/app/matrix_source.hpp>
#include <envsetup/util/error.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace envsetup::app {

// Where `matrix update` looks without --from and ENVSETUP_MATRIX_URL.
inline constexpr const char* k_default_matrix_url =
  "https://github.com/envsetup/envsetup/releases/latest/download/matrix/";

struct MatrixUpdateOptions {
  std::optional<std::string> from;             // --from URL (else ENVSETUP_MATRIX_URL, else the default)
  std::vector<std::filesystem::path> keys;     // --key PUBLIC.pem, trusted for this update
  bool offline = false;                        // only file:// URLs
  std::optional<std::filesystem::path> store;  // tests: the updates folder (default MatrixUpdateStore::default_root)
};

struct MatrixUpdateOutcome {
  bool installed = false;       // false: already up to date, nothing downloaded but the manifest
  std::string url;              // the bundle's base URL
  std::string generated;        // of the bundle
  std::string previous;         // `generated` of the matrix it replaces ("" when unknown)
  std::string previous_source;  // "embedded" or "update"
  std::string sha256;           // of the bundle's manifest
  std::string signer;           // the key's fingerprint and origin
  std::filesystem::path path;   // the installed folder (when installed)
  std::size_t files = 0;
};

// Downloads the manifest and its signature from the base URL, verifies the signature
// against the trusted keys (built in, keys folder, `keys`), refuses a schema newer than this
// envsetup reads, compares `generated` with the newest installed update that verifies (else
// the embedded matrix): older is refused, equal is "already up to date"; then downloads the
// files, checks each size and SHA-256, validates the matrix and installs it (MatrixUpdateStore)
// under the update lock. Every refusal leaves the installed updates as they were. Errors:
// usage (an --offline URL that is not file://, control characters in the URL), network,
// integrity (signature, unknown key, a file that differs, a rollback), input (bad manifest,
// schema too new, a matrix that does not validate), io.
[[nodiscard]] util::Result<MatrixUpdateOutcome> run_matrix_update(const MatrixUpdateOptions& options);

struct MatrixBundleOptions {
  std::filesystem::path directory;       // the matrix folder
  std::filesystem::path key;             // the Ed25519 private key (PEM)
  std::filesystem::path output;          // written: manifest.json, manifest.json.sig, the files
  std::optional<std::string> generated;  // --generated; else DIR/bundle.json's, else now
};

struct MatrixBundleOutcome {
  std::filesystem::path output;
  std::string generated;
  std::string key;     // fingerprint
  std::string sha256;  // of manifest.json
  std::size_t files = 0;
};

// Validates the matrix folder exactly as the embedded matrix is validated, signs a manifest
// of its files and writes the bundle (each file atomically; the manifest and signature last).
// Errors: input (invalid matrix, bad key, bad --generated), io.
[[nodiscard]] util::Result<MatrixBundleOutcome> run_matrix_bundle(const MatrixBundleOptions& options);

}  // namespace envsetup::app
