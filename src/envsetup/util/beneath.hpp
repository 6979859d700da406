// SPDX-License-Identifier: Apache-2.0
#pragma once
// Paths under a root folder, resolved by the kernel relative to the root's descriptor and
// never through a symlink. Every file envsetup writes, reads back or deletes under a
// root it owns (cache, store, prefix, staging, venv) goes through these functions, so a
// symlink planted anywhere under the root (by an archive, a mirror, another local user or
// the user's own edits) is never followed: the operation fails or acts on the link itself.
//
// Resolution uses openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)
// where the kernel has it (Linux 5.6+), and a walk of one O_NOFOLLOW openat per component
// otherwise. The root itself is opened by the caller, following symlinks in its own path:
// that path is the user's choice (`--prefix`, `--store`), not untrusted data.

#include <envsetup/util/error.hpp>
#include <envsetup/util/unique_fd.hpp>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/stat.h>
#include <sys/types.h>

namespace envsetup::util {

// A relative path as its components: none empty, `.` or `..`.
using PathParts = std::vector<std::string>;

// The first `count` parts joined with '/' ("" for none), and all of them.
[[nodiscard]] std::string join_parts(const PathParts& parts, std::size_t count);
[[nodiscard]] std::string join_parts(const PathParts& parts);

// `path` as parts, empty and `.` components dropped. Errors (integrity; the message is the
// reason): an absolute path, a `..` component, a NUL byte, nothing left.
[[nodiscard]] Result<PathParts> split_relative_path(std::string_view path);

// Opens the folder at `path` (O_DIRECTORY, symlinks in the path followed: see above; with
// `refuse_link`, a symlink as the last component is refused: ELOOP). Errors (io), naming
// `what` ("the prefix", "the cache").
[[nodiscard]] Result<UniqueFd> open_root(const std::filesystem::path& path, const std::string& what,
                                         bool refuse_link = false);

// open(2) of `relative` (parts joined by '/'; not empty) under `root_fd` without following
// any symlink, the last component included. `flags` as for open(2) (O_CLOEXEC and
// O_NOFOLLOW are added); `mode` for O_CREAT. Returns an invalid UniqueFd with errno set on
// failure: ELOOP when a component is a symlink, ENOTDIR when one is not a folder, ENOENT.
[[nodiscard]] UniqueFd open_beneath(int root_fd, const std::string& relative, int flags, mode_t mode = 0);

// The folder `parts[0..count)` under `root_fd` (the root itself for count 0), each
// component opened with O_NOFOLLOW. With `create`, missing folders are made (0755 less
// umask). Errors: integrity when a component is a symlink or not a folder (nothing is
// written through a link), io otherwise (ENOENT: "does not exist"). Messages name the path.
[[nodiscard]] Result<UniqueFd> open_folder_beneath(int root_fd, const PathParts& parts, std::size_t count,
                                                   bool create);

// The regular file `relative` under `dir_fd`, read whole without following a link and
// without blocking on a FIFO or device planted in its place (O_NONBLOCK). nullopt when it is
// absent or not a regular file. Errors: io (errno) when it cannot be read; input when it is
// larger than `max_bytes` (it is not read whole).
[[nodiscard]] Result<std::optional<std::string>> read_file_beneath(int dir_fd, const std::string& relative,
                                                                   std::size_t max_bytes);

// lstat of `name` in `dir_fd` (never follows). False (errno set) when it cannot be read.
[[nodiscard]] bool stat_at(int dir_fd, const std::string& name, struct stat& status);

// The names in the folder `dir_fd` (not `.`, `..`), sorted. Errors (io).
[[nodiscard]] Result<std::vector<std::string>> list_folder(int dir_fd);

// Deletes `name` in `parent_fd`: a file or symlink is unlinked (a symlink's target is never
// touched), a folder is emptied depth first through descriptors and removed. Nothing on
// another file system (a mount point under the tree) is entered: that is an error. Missing
// is fine. Errors (io).
[[nodiscard]] Status remove_tree_at(int parent_fd, const std::string& name);

// Tests only: use the per-component walk even where openat2 exists (both paths are tested).
void force_component_walk_for_tests(bool on);

}  // namespace envsetup::util
