// SPDX-License-Identifier: Apache-2.0
#pragma once
// A record of a folder tree as it was when envsetup finished writing it: every entry's path,
// type, size, permission bits, modification time and symlink target, read through
// descriptors without following any link. Comparing a tree with its record tells whether
// anything was added, removed, replaced, re-linked, chmod'ed or written to since (a write
// moves the modification time, which only the file's owner can set back). The store keeps one
// per extracted archive so that a tree is never trusted by its name alone.

#include <envsetup/util/error.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace envsetup::install {

struct TreeEntry {
  enum class Type { file, folder, symlink, other };  // other: a device, FIFO or socket
  std::string path;  // relative, '/'-separated
  Type type = Type::file;
  std::uint64_t size = 0;
  std::uint32_t mode = 0;         // permission bits
  std::int64_t mtime_ns = 0;      // files only (folders change when written into)
  std::string link_target;        // symlinks
  bool operator==(const TreeEntry&) const = default;
};

// Every entry under the folder `root_fd`, sorted by path. Errors: io; with `refuse_other`,
// integrity for device nodes, FIFOs and sockets (nothing envsetup writes), else they are
// listed as `other`. An entry removed while the walk runs (another envsetup removing the
// prefix, or the user) is left out, not an error: the scan reports what is there.
[[nodiscard]] util::Result<std::vector<TreeEntry>> scan_tree(int root_fd, bool refuse_other = true);

// The record as JSON text, and back. Errors (integrity): text that is not such a record.
[[nodiscard]] std::string tree_record_text(const std::vector<TreeEntry>& entries);
[[nodiscard]] util::Result<std::vector<TreeEntry>> parse_tree_record(const std::string& text);

// The first difference between `recorded` and `actual`, as a sentence ("" when none).
[[nodiscard]] std::string first_difference(const std::vector<TreeEntry>& recorded,
                                           const std::vector<TreeEntry>& actual);

}  // namespace envsetup::install
