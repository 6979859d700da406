// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/util/error.hpp>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace envsetup::install {

// One extracted component, ready to be merged into a prefix.
struct ComponentTree {
  std::string component;       // "cuda_nvcc"
  std::filesystem::path root;  // its extracted files (top folder already stripped)
};

// Merges the component trees into `prefix_root` the way NVIDIA's runfile lays a toolkit out:
// every tree's bin/, include/, lib/, nvvm/, ... into one tree; each component's top-level
// license files under share/licenses/<component>/ instead of overwriting each other. Files
// are hard-linked from the trees (copied when links are impossible), so a second prefix of
// the same archives costs no extraction. A path that two components ship with different
// contents is an error naming both (kind integrity), unless `harmless` lists the path.
// Returns every path created, relative to `prefix_root`.
[[nodiscard]] util::Result<std::vector<std::string>> merge_components(
  const std::vector<ComponentTree>& trees, const std::filesystem::path& prefix_root,
  const std::set<std::string>& harmless = {});

// Adds what tools expect around the merged tree: `lib64 -> lib`, and
// `targets/<target>/include -> ../../include`, `targets/<target>/lib -> ../../lib` (nvcc's
// nvcc.profile looks there). `target` is "x86_64-linux" or "sbsa-linux". Returns the paths
// created.
[[nodiscard]] util::Result<std::vector<std::string>> add_runfile_links(const std::filesystem::path& prefix_root,
                                                                       const std::string& target);

// "x86_64-linux" for linux-x86_64, "sbsa-linux" for linux-sbsa.
[[nodiscard]] std::string target_dir_for(const std::string& platform);

}  // namespace envsetup::install
