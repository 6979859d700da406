// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/util/error.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace envsetup::fetch {

// One downloadable archive of a manifest.
struct Archive {
  std::string relative_path;  // below the product's redist folder
  std::string sha256;         // lower-case hex
  std::string md5;
  std::uint64_t size = 0;
};

// One component of a manifest, e.g. `cuda_nvcc` or `cudnn`.
struct Component {
  std::string id;  // the manifest key: "cuda_nvcc", "libcublas", "cudnn"
  std::string name;
  std::string license;
  std::string version;
  std::map<std::string, Archive> platforms;  // "linux-x86_64" -> archive (CUDA layout)
  // cuDNN layout: platform -> "cuda12" -> archive
  std::map<std::string, std::map<std::string, Archive>> variants;
};

// NVIDIA's redistrib_<version>.json (docs/fetch.md describes the format).
struct Manifest {
  std::string product;  // "cuda" or "cudnn"
  std::string label;
  std::string release_date;
  std::map<std::string, Component> components;

  [[nodiscard]] const Component* find(std::string_view id) const;
};

// Parses and validates a manifest. Errors (kind input), each naming the component: a
// missing field, a sha256 that is not 64 hex digits, a size that is not a number, malformed
// JSON. Refused (kind integrity; the offending text shown escaped): a component key that is
// not 1-128 of [A-Za-z0-9._+-] starting with neither `.` nor `-` (keys become folder names),
// a relative_path that is absolute, has a `..` part, a backslash or a control byte.
// `origin` names the file or URL in messages.
[[nodiscard]] util::Result<Manifest> parse_manifest(std::string_view json, const std::string& product,
                                                    const std::string& origin);

// The archive of `component` for `platform`; for a cuDNN-style component, the one for CUDA
// major `cuda_major` (the newest variant when unset). Errors (kind usage): no such
// platform or variant, with what the manifest has.
[[nodiscard]] util::Result<Archive> select_archive(const Component& component,
                                                   const std::string& platform,
                                                   std::optional<int> cuda_major);

}  // namespace envsetup::fetch
