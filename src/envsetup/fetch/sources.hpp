// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>

namespace envsetup::fetch {

// NVIDIA's root for redistributable archives; `--mirror URL` replaces it.
inline constexpr const char* k_nvidia_redist_root = "https://developer.download.nvidia.com/compute/";

// `mirror` (or NVIDIA's root) with exactly one trailing '/'. A plain folder path becomes a
// file:// URL.
[[nodiscard]] std::string redist_root(const std::optional<std::string>& mirror);

// ROOT/<product>/redist/redistrib_<version>.json
[[nodiscard]] std::string manifest_url(const std::string& root, const std::string& product,
                                       const std::string& version);

// ROOT/<product>/redist/<relative_path>
[[nodiscard]] std::string archive_url(const std::string& root, const std::string& product,
                                      const std::string& relative_path);

}  // namespace envsetup::fetch
