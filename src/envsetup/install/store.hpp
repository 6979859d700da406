// SPDX-License-Identifier: Apache-2.0
#pragma once
// The extracted-archive store, STORE/extracted-v1, owned by ExtractedStore alone:
//   <sha256>/           an archive's files (top folder stripped), shared by every prefix
//                       through hard links
//   <sha256>.tree.json  its record (tree_record.hpp), written before the tree becomes visible
//   <sha256>.lock       the archive's lock, shared by processes; never unlinked
//   <sha256>.tmp-<pid>  an extraction in progress; one left by a killed run is removed by the
//                       next holder of the lock (so is a record's `.<sha256>.tree.json.tmp-<pid>`)
// A tree is used only when it matches its record, checked through descriptors without
// following links; a tree that is a symlink, lacks a record or changed is deleted (never
// through a link) and extracted again. Every operation works relative to the store folder's
// descriptor; names are built only from validated sha256 strings.

#include <envsetup/install/extract.hpp>
#include <envsetup/install/layout.hpp>
#include <envsetup/util/error.hpp>
#include <envsetup/util/fs.hpp>
#include <envsetup/util/unique_fd.hpp>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace envsetup::install {

class DecodePool;

// One archive's slot in the store, held under its lock. Either the intact finished tree is
// there (`finished()`), or `temporary()` is an empty folder to extract into and commit().
// Destruction without commit removes the temporary folder.
class StoreSlot {
public:
  StoreSlot(StoreSlot&&) noexcept = default;
  StoreSlot& operator=(StoreSlot&&) noexcept = default;
  StoreSlot(const StoreSlot&) = delete;
  StoreSlot& operator=(const StoreSlot&) = delete;
  ~StoreSlot();

  [[nodiscard]] const std::optional<std::filesystem::path>& finished() const { return m_finished; }
  // The number of entries the finished tree's record lists (merge_components checks that it
  // saw exactly as many: a tree changed under a merge is an error, never a short prefix).
  [[nodiscard]] std::size_t entries() const { return m_entries; }
  [[nodiscard]] const std::filesystem::path& temporary() const { return m_temporary; }

  // Records the temporary tree, syncs it and renames it to its final name. Returns that
  // folder. Errors (kind io, integrity for a tree holding what extraction never writes).
  [[nodiscard]] util::Result<std::filesystem::path> commit();

private:
  friend class ExtractedStore;
  StoreSlot() = default;
  util::UniqueFd m_folder;  // extracted-v1
  std::filesystem::path m_folder_path;
  std::string m_sha256;
  util::FileLock m_lock;
  std::optional<std::filesystem::path> m_finished;
  std::size_t m_entries = 0;
  std::filesystem::path m_temporary;
  bool m_committed = false;
};

// Outcome of `gc` on the store (ExtractedStore::collect).
struct StoreCollectReport {
  std::vector<std::string> removed;  // sha256 of the trees removed (or, dry run, to remove)
  std::uint64_t freed = 0;  // bytes of their files with no other link (a prefix's hard link keeps a file)
  std::vector<std::string> busy;  // locked by another process: left alone
};

class ExtractedStore {
public:
  // `gc`: removes every tree of STORE/extracted-v1 whose sha256 is not in `keep`, with its
  // record and leftover temporaries, holding `gc.lock` exclusively (taken without waiting:
  // while an install holds the store open, nothing is removed and the store is reported
  // busy) and each archive's lock (taken without waiting; held: busy, left alone). Names that are not the store's own are never touched; lock
  // files stay (they are never unlinked); nothing is followed through a link (a link in a
  // tree's place is unlinked). With `dry_run` nothing is removed and no lock taken. A store
  // without extracted-v1 reports nothing; one where it is a symlink is an error (integrity).
  // Does not create the store. Errors (io, integrity).
  [[nodiscard]] static util::Result<StoreCollectReport> collect(const std::filesystem::path& store_root,
                                                                const std::set<std::string>& keep, bool dry_run);

  // Opens (creating) STORE/extracted-v1 and takes `extracted-v1/gc.lock` shared for as long
  // as this object lives (waiting while a `gc` holds it): `collect` leaves the store alone
  // while any install uses it, from extraction through the merge that links its trees.
  // Errors (kind io).
  [[nodiscard]] static util::Result<ExtractedStore> open(const std::filesystem::path& store_root);

  // Takes the lock of the archive `sha256` (waiting when `wait`, else nothing when another
  // process holds it), checks a finished tree against its record, and prepares an empty
  // temporary folder when there is none to use. Errors: usage for a name that is not a
  // sha256, io.
  [[nodiscard]] util::Result<std::optional<StoreSlot>> reserve(const std::string& sha256, bool wait) const;

  // The archive's intact tree as a component (`component`, its root, its record's entry
  // count), extracting the open archive `archive_fd` (the file the caller verified: read
  // through the descriptor, never by name) into the store first when needed, under the archive's lock
  // shared with other processes. Without `wait`, nothing when another process holds that
  // lock: a caller that holds other store locks (streams) must not block on one, or two
  // processes could wait on each other. `extracted` says whether it extracted.
  [[nodiscard]] util::Result<std::optional<ComponentTree>> extract(const std::string& sha256,
                                                                   const std::string& component,
                                                                   int archive_fd, const std::string& shown,
                                                                   const ExtractLimits& limits, DecodePool* decoders,
                                                                   bool wait, bool& extracted) const;

  [[nodiscard]] const std::filesystem::path& folder() const { return m_folder_path; }

private:
  ExtractedStore() = default;
  std::filesystem::path m_folder_path;
  util::FileLock m_in_use;  // extracted-v1/gc.lock, shared
};

}  // namespace envsetup::install
