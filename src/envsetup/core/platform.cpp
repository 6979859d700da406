// SPDX-License-Identifier: Apache-2.0
#include <envsetup/core/platform.hpp>

#include <algorithm>
#include <cctype>

namespace envsetup::core {

util::Result<Platform> parse_platform(std::string_view text)
{
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "linux-x86_64" || lower == "x86_64" || lower == "amd64" || lower == "linux_x86_64") {
    return Platform::linux_x86_64;
  }
  if (lower == "linux-aarch64" || lower == "aarch64" || lower == "arm64" || lower == "linux-sbsa" ||
      lower == "sbsa" || lower == "linux_aarch64") {
    return Platform::linux_aarch64;
  }
  return util::make_error(util::ErrorKind::usage, "unknown platform `" + std::string(text) + "`")
    .with_hint("use linux-x86_64 or linux-aarch64 (linux-sbsa is accepted as linux-aarch64)");
}

std::string platform_name(Platform platform)
{
  return platform == Platform::linux_aarch64 ? "linux-aarch64" : "linux-x86_64";
}

std::string nvidia_platform(Platform platform)
{
  return platform == Platform::linux_aarch64 ? "linux-sbsa" : "linux-x86_64";
}

}  // namespace envsetup::core
