// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/util/error.hpp>

#include <string>
#include <string_view>

namespace envsetup::core {

// The CPU platform a build or a host is for. NVIDIA calls aarch64 servers (GH200, GB200,
// DGX Spark) `linux-sbsa`; pip wheels call it `linux_aarch64`. Jetson (integrated GPUs) is a
// different stack and is not a Platform: detection reports it separately.
enum class Platform { linux_x86_64, linux_aarch64 };

// Accepts `linux-x86_64`, `x86_64`, `amd64`, `linux-aarch64`, `aarch64`, `arm64`,
// `linux-sbsa` and `sbsa` (case-insensitive). Errors (kind usage): anything else, with the
// accepted spellings as the hint.
[[nodiscard]] util::Result<Platform> parse_platform(std::string_view text);

// `linux-x86_64` / `linux-aarch64`: the name envsetup prints and the matrix stores.
[[nodiscard]] std::string platform_name(Platform platform);

// `linux-x86_64` / `linux-sbsa`: the key of NVIDIA's redistributable manifests.
[[nodiscard]] std::string nvidia_platform(Platform platform);

}  // namespace envsetup::core
