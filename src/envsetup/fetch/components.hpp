// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/fetch/manifest.hpp>
#include <envsetup/util/error.hpp>

#include <string>
#include <vector>

namespace envsetup::fetch {

// Expands what the user asked for into manifest component ids, keeping only those the
// manifest has for `platform`:
//   runtime  what frameworks load at run time (cudart, nvrtc, cupti, nvtx, the math libraries, nvJitLink)
//   devel    runtime plus nvcc, headers (cccl, crt), nvvm and the binary tools, to build extensions
//   all      every component except driver-level packages (nvidia_driver, fabricmanager, ...)
//   a,b,c    an explicit comma-separated list of ids
// Sets may be combined with ids ("runtime,cuda_nvcc"). Errors (kind usage): an id the
// manifest does not have (with the closest ids as a suggestion) or has no archive of for
// `platform`.
[[nodiscard]] util::Result<std::vector<std::string>> expand_components(const Manifest& manifest,
                                                                       const std::string& request,
                                                                       const std::string& platform);

// The closest ids of `manifest` to `id` (edit distance), best first, at most `count`.
[[nodiscard]] std::vector<std::string> closest_components(const Manifest& manifest,
                                                          const std::string& id, std::size_t count);

}  // namespace envsetup::fetch
