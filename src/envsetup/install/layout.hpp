// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/util/error.hpp>

#include <cstddef>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace envsetup::install {

// One extracted component, ready to be merged into a prefix.
struct ComponentTree {
  std::string component;       // "cuda_nvcc"
  std::filesystem::path root;  // its extracted files (top folder already stripped)
  std::size_t entries = 0;     // entries the tree holds by its record; 0: not checked
};

// Whether `name` may name a component on disk (share/licenses/<name>/): 1-128 characters of
// [A-Za-z0-9._+-], not starting with '.' or '-'. Manifest keys are untrusted.
[[nodiscard]] bool is_safe_component_name(std::string_view name);

// Merges the component trees into the folder `root_fd` (a staging tree) the way NVIDIA's
// runfile lays a toolkit out: every tree's bin/, include/, lib/, nvvm/, ... into one tree;
// each component's top-level license files under share/licenses/<component>/ instead of
// overwriting each other. Files are hard-linked from the trees (copied when links are
// impossible), so a second prefix of the same archives costs no extraction.
//
// Trees are untrusted, and so is the way they combine. Everything is read and written
// through folder descriptors with O_NOFOLLOW: nothing is ever written through a symlink,
// whichever component made it (a symlinked folder from one component meeting a real folder
// of another is a clash); every symlink placed is checked again where it lands
// (safe_path.hpp: relative, no `..` after a name, resolving under `root_fd` through the
// links already there). Errors, kind integrity, naming the path and both components: a
// path that two components ship with different contents or types (unless `harmless` lists
// the path), an unsafe symlink, an unsafe component name, an entry that is not a file,
// folder or symlink; a tree whose entry count differs from `entries` (it changed during the
// merge). Returns every file and symlink created, relative to the root.
[[nodiscard]] util::Result<std::vector<std::string>> merge_components(const std::vector<ComponentTree>& trees,
                                                                      int root_fd,
                                                                      const std::set<std::string>& harmless = {});

// Adds what tools expect around the merged tree: `lib64 -> lib`, and
// `targets/<target>/include -> ../../include`, `targets/<target>/lib -> ../../lib` (nvcc's
// nvcc.profile looks there), each only where its folder is real and the name is free.
// `target` is "x86_64-linux" or "sbsa-linux". Returns the paths created.
[[nodiscard]] util::Result<std::vector<std::string>> add_runfile_links(int root_fd, const std::string& target);

// "x86_64-linux" for linux-x86_64, "sbsa-linux" for linux-sbsa.
[[nodiscard]] std::string target_dir_for(const std::string& platform);

}  // namespace envsetup::install
