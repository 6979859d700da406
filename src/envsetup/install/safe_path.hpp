// SPDX-License-Identifier: Apache-2.0
#pragma once
// Path checks and descriptor-relative walks for archive extraction (extract.cpp). Every
// member name is checked here, and every write under the destination goes through a folder
// descriptor opened one component at a time with O_NOFOLLOW: the kernel itself refuses to
// follow a symlink, whatever changed on disk since a check.

#include <envsetup/util/beneath.hpp>
#include <envsetup/util/error.hpp>
#include <envsetup/util/unique_fd.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace envsetup::install {

// A relative path as its components; none is empty, `.` or `..` (util/beneath.hpp).
using util::join_parts;
using util::PathParts;
using util::UniqueFd;

// The deepest member path an archive may hold (store scans, removal and merges all handle
// this depth; a deeper tree could otherwise be extracted but never removed).
inline constexpr std::size_t k_max_member_depth = 128;

// An archive member name as parts, empty and `.` components dropped ("./bin//x" gives
// {"bin", "x"}; "./" gives {}). Errors (integrity, the message is the reason): an absolute
// name, a `..` component, more than k_max_member_depth components.
[[nodiscard]] util::Result<PathParts> split_member_name(std::string_view name);

// The folder that holds `path` (all parts but the last; `path` is not empty), opened from
// `root_fd` one component at a time with O_NOFOLLOW. With `created` set, missing folders are
// made (0755 less umask) and their paths appended to `*created`, parents first; without it a
// missing folder is an error. Errors: integrity when a component is a symlink or not a
// folder, or is missing; io for other failures. Messages are reasons, without the path.
[[nodiscard]] util::Result<UniqueFd> open_parent(int root_fd, const PathParts& path,
                                                 std::vector<PathParts>* created);

// Makes the folder `leaf` in `parent_fd` (mode 0700 until the caller sets it), or keeps the
// folder already there; `created` says which. Errors: integrity when a symlink or a file is
// there (an entry never replaces one by a folder, nor writes through a link); io.
[[nodiscard]] util::Status make_folder(int parent_fd, const std::string& leaf, bool& created);

// Removes the file or symlink `leaf` in `parent_fd` so that an entry can take its place
// (nothing there is fine). Errors: integrity when a folder is there; io.
[[nodiscard]] util::Status clear_slot(int parent_fd, const std::string& leaf);

// Checks a symlink to be created at `link` (under `root_fd`) pointing to `target`. The
// target must be relative, of the form `../`* then names — a `..` after a name is refused:
// its meaning would change if a later entry replaced that name by a symlink — climb no
// higher than the link's folder, and, resolved through the symlinks that exist under the
// root now, stay under the root. So every symlink extracted by these rules resolves under
// the root at any later time too. `link` is not empty. Errors (integrity, the message is the
// reason).
[[nodiscard]] util::Status check_symlink_target(int root_fd, const PathParts& link,
                                                std::string_view target);

}  // namespace envsetup::install
