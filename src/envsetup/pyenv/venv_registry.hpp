// SPDX-License-Identifier: Apache-2.0
#pragma once
// STORE/venvs.json, owned by VenvRegistry alone: the venvs `install --framework` and
// `install --locked` made or installed into, so that `envs list` finds them, `envs remove`
// deletes only those, and `gc` keeps the cached files they came from.
//
// Every read-modify-write happens under STORE/venvs.lock (never unlinked); the file is
// replaced atomically and read through the store's descriptor without following a link.
// The file is untrusted when read: entries whose venv is not an absolute path free of
// control characters, whose id is not 32 hex digits or whose archives are not sha256 strings
// are ignored. A registry line alone never makes a folder deletable: each registered venv
// carries VENV/.envsetup/venv-id holding the entry's id (written when it is recorded), and
// remove() deletes a folder only when that file, read through the folder's descriptor, matches.

#include <envsetup/util/error.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace envsetup::pyenv {

struct VenvRecord {
  std::filesystem::path venv;  // absolute, lexically normal
  std::string id;              // 32 hex digits, also in VENV/.envsetup/venv-id
  std::string source;          // "framework" (install --framework) or "locked" (install --locked)
  std::string distribution;    // the framework distribution: "torch"
  std::string version;         // as installed: "2.5.1+cu124" ("" for a lock without one framework)
  std::string python;          // "3.11"
  std::optional<std::filesystem::path> toolkit_prefix;
  std::optional<std::filesystem::path> lockfile;  // install --locked: the lock it came from
  std::vector<std::string> archives;              // sha256 of the cached files it came from
  std::string created_at;                         // ISO 8601 UTC, of the first record
};

// What remove() did.
struct VenvRemoval {
  bool existed = false;  // the folder was there (and was deleted); false: only the entry went
};

// The path as the registry keys it: absolute, lexically normal, no trailing slash.
[[nodiscard]] std::filesystem::path registry_key(const std::filesystem::path& venv);

// Whether `path` can be a registered venv: absolute, without control characters. Pure.
[[nodiscard]] bool usable_venv_path(const std::string& path);

// The registry text for `records` and back (untrusted entries dropped). Pure.
[[nodiscard]] std::string registry_text(const std::vector<VenvRecord>& records);
[[nodiscard]] std::vector<VenvRecord> parse_registry(const std::string& text);

// Whether the folder `venv` carries the mark of entry `id` (read without following links).
[[nodiscard]] bool has_mark(const std::filesystem::path& venv, const std::string& id);

class VenvRegistry {
public:
  explicit VenvRegistry(std::filesystem::path store_root);

  // Records `record` (its venv must exist as a real folder): an entry for the same venv is
  // replaced, keeping its id and created_at when the folder still carries that id's mark,
  // else a new id is drawn. The mark is written into VENV/.envsetup before the registry.
  // Returns the entry as stored. Errors (usage: a bad path or a link; io).
  [[nodiscard]] util::Result<VenvRecord> add(VenvRecord record) const;

  // The entries, in file order.
  [[nodiscard]] std::vector<VenvRecord> list() const;

  // Deletes the registered venv `venv` and drops its entry. The folder is opened without
  // following a link in its last component, its mark checked and its entries deleted through
  // that descriptor (only a venv's own parts, pyenv::remove_venv_at). A folder that is gone
  // only loses its entry. Errors: usage (not registered; a symlink; no or another mark; not a
  // venv), io. Nothing is deleted on error.
  [[nodiscard]] util::Result<VenvRemoval> remove(const std::filesystem::path& venv) const;

  // Drops the entry of `venv` without touching the folder. Errors: usage (not registered), io.
  [[nodiscard]] util::Status forget(const std::filesystem::path& venv) const;

  [[nodiscard]] const std::filesystem::path& root() const { return m_root; }

private:
  template <class Change>
  util::Status update(Change change) const;

  std::filesystem::path m_root;
};

}  // namespace envsetup::pyenv
