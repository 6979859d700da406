// SPDX-License-Identifier: Apache-2.0
#pragma once
// Canary trees for property tests: a snapshot of everything under a folder, taken without
// following any symlink, and the differences between two snapshots, so that a test can
// assert that nothing outside a staging folder was created, changed or deleted.

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace envsetup::testing {

struct NodeState {
  char type = '?';              // 'f' file, 'd' folder, 'l' symlink, 'o' other
  std::uint32_t mode = 0;       // permission bits (07777)
  std::uint64_t size = 0;
  std::uint64_t content_hash = 0;  // files: FNV-1a 64 of the bytes
  std::string link_target;      // symlinks: as stored
  std::uint64_t inode = 0;
  std::uint64_t links = 0;      // hard link count: a new link to a canary file changes it
  std::int64_t mtime_ns = 0;
  bool operator==(const NodeState&) const = default;
};

// Relative path ("" for the root itself) -> state.
using TreeSnapshot = std::map<std::string, NodeState>;

// Everything under `root` (lstat, never following a symlink), except the paths in `excluded`
// (absolute, as given) and what is under them.
[[nodiscard]] TreeSnapshot snapshot_tree(const std::filesystem::path& root,
                                         const std::set<std::filesystem::path>& excluded = {});

// One line per difference: "created x", "deleted x", "changed x: mode 644 -> 666, ...";
// empty when the snapshots are equal.
[[nodiscard]] std::vector<std::string> diff_snapshots(const TreeSnapshot& before, const TreeSnapshot& after);

// A canary tree under `root`: files, folders and symlinks (relative, absolute, dangling)
// around and above `root`/above/staging, which is created empty and returned. `names` gets
// the canary paths relative to `root` that escaping entries should aim at.
[[nodiscard]] std::filesystem::path make_canary_tree(const std::filesystem::path& root,
                                                     std::vector<std::string>& names);

// Symlinks under `root` whose target, resolved now, is outside it ("path -> target"); a
// loop leads nowhere and is not listed.
[[nodiscard]] std::vector<std::string> links_leaving(const std::filesystem::path& root);

// The seeds a property test runs: ENVSETUP_PROPERTY_SEED=<n> replays one; otherwise
// ENVSETUP_PROPERTY_RUNS (default `runs`) seeds from ENVSETUP_PROPERTY_FIRST_SEED (default 1).
[[nodiscard]] std::vector<std::uint64_t> property_seeds(std::uint64_t runs);

}  // namespace envsetup::testing
