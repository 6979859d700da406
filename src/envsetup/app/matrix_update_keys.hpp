// SPDX-License-Identifier: Apache-2.0
#pragma once
// The public keys a matrix bundle may be signed with (docs/matrix-updates.md): the project's
// keys built into the binary, the `*.pem` files of the keys folder
// ($XDG_CONFIG_HOME/envsetup/keys, default ~/.config/envsetup/keys) and, for one update,
// the files given with `--key`.

#include <envsetup/util/error.hpp>
#include <envsetup/util/signature.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace envsetup::app {

struct TrustedKey {
  util::PublicKey key;
  std::string origin;  // "built in", "keys folder `PATH`", "--key `PATH`", "recorded with the update"
};

// $XDG_CONFIG_HOME/envsetup/keys, or ~/.config/envsetup/keys.
[[nodiscard]] std::filesystem::path keys_folder();

// The built-in keys, then the keys folder's `*.pem` files (name order), then `extra`. With
// `strict`, a file that cannot be read or is not an Ed25519 public key is an error (kind
// input, naming it); without, it is skipped (loading the matrix in effect never fails for a
// stray file in the keys folder: that file then trusts nothing). A missing folder is empty.
[[nodiscard]] util::Result<std::vector<TrustedKey>> trusted_keys(const std::vector<std::filesystem::path>& extra,
                                                                 bool strict);

// True when the entry `name` of the folder `dir_fd` is a regular file (not followed when a
// link) that only this user (or root) can have written: the folder and the file are owned by
// the effective user or root and are not writable by group or others. A key (or a recorded
// signer.pem) that another local user could have planted or replaced trusts nothing.
[[nodiscard]] bool private_to_user(int dir_fd, const std::string& name);

// The key of `keys` whose fingerprint is `fingerprint`, or null.
[[nodiscard]] const TrustedKey* find_key(const std::vector<TrustedKey>& keys, const std::string& fingerprint);

}  // namespace envsetup::app
