// SPDX-License-Identifier: Apache-2.0
#pragma once
// The installed matrix updates: the one owner of $XDG_DATA_HOME/envsetup/matrix-updates
// (default ~/.local/share/envsetup/matrix-updates). Layout:
//   ROOT/lock                        flock held by `matrix update` (never unlinked)
//   ROOT/<YYYYMMDDTHHMMSSZ>-<hex12>/ one installed bundle, named by its `generated` time and
//                                    the start of its manifest's SHA-256: manifest.json,
//                                    manifest.json.sig, the matrix files, and signer.pem when
//                                    it was signed by a key given with `--key`
//   ROOT/.staging-<pid>/             a bundle being written; renamed into place when whole,
//                                    or removed by the next update (a killed update)
// Nothing here is trusted by its name: every read goes through the root's descriptor without
// following links and re-checks the signature, the schema and every file's size and SHA-256.

#include <envsetup/app/matrix_update_keys.hpp>
#include <envsetup/app/matrix_update_manifest.hpp>
#include <envsetup/matrix/load.hpp>
#include <envsetup/util/error.hpp>
#include <envsetup/util/fs.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace envsetup::app {

// A bundle that verified: its manifest, signature and files.
struct VerifiedBundle {
  std::string manifest_text;
  std::string signature;  // 64 raw bytes
  BundleManifest manifest;
  std::vector<matrix::SourceFile> files;  // in name order
  std::string signer;                     // the TrustedKey origin that verified it
  std::string signer_pem;                 // kept with the update when the key came from `--key`; else empty
};

// An installed bundle that verified, and where it is.
struct InstalledBundle {
  std::filesystem::path path;
  VerifiedBundle bundle;
};

// Checks `signature` of `manifest_text` against `keys`, then the manifest. Errors:
// integrity (the signature is not 64 bytes, the manifest names a key none of `keys` is, the
// signature does not verify), input (parse_manifest), input (a schema_version newer than
// k_matrix_schema_version). The error's message says which; hints say what to do. On success
// `manifest` and `signer` of the returned bundle are set, files empty.
// `recorded`: the key kept with an installed update (signer.pem), trusted for it only.
[[nodiscard]] util::Result<VerifiedBundle> verify_manifest(std::string manifest_text, std::string signature,
                                                           const std::vector<TrustedKey>& keys,
                                                           const TrustedKey* recorded = nullptr);

class MatrixUpdateStore {
public:
  explicit MatrixUpdateStore(std::filesystem::path root) : m_root(std::move(root)) {}

  // $XDG_DATA_HOME/envsetup/matrix-updates, or ~/.local/share/envsetup/matrix-updates.
  [[nodiscard]] static std::filesystem::path default_root();
  [[nodiscard]] const std::filesystem::path& root() const { return m_root; }

  // The names of the installed bundles, newest first (folders of the name form above only).
  // A missing root is empty. Errors (io): the root cannot be listed.
  [[nodiscard]] util::Result<std::vector<std::string>> installed() const;

  // Reads and verifies the bundle `name` (verify_manifest with `keys` plus its signer.pem,
  // then check_bundle_files). Errors: as verify_manifest and check_bundle_files; io.
  [[nodiscard]] util::Result<InstalledBundle> read(const std::string& name, const std::vector<TrustedKey>& keys) const;

  // Takes the update lock, creating the root; blocks while another update holds it.
  // Errors (io).
  [[nodiscard]] util::Result<util::FileLock> lock() const;

  // Installs `bundle` (the caller holds lock()): removes stale staging folders, writes a new
  // one (each file fsynced, then the folder), renames it into place and fsyncs the root, then
  // removes all but the newest k_keep_installed bundles. Returns the installed folder.
  // Errors (io); nothing changes in the installed bundles on error.
  [[nodiscard]] util::Result<std::filesystem::path> install(const VerifiedBundle& bundle,
                                                            const util::FileLock& held) const;

  static constexpr std::size_t k_keep_installed = 3;

private:
  std::filesystem::path m_root;
};

// The folder name an installed bundle gets: "20261206T120000Z-1a2b3c4d5e6f".
[[nodiscard]] std::string installed_name(const BundleManifest& manifest, const std::string& manifest_text);

}  // namespace envsetup::app
