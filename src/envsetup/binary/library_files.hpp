// SPDX-License-Identifier: Apache-2.0
// The files under a folder that may hold CUDA code, found through descriptors.
#pragma once

#include <envsetup/util/error.hpp>
#include <envsetup/util/unique_fd.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace envsetup::binary {

// True for the names `inspect` reads in a folder: shared libraries (`libx.so`, `libx.so.12`,
// `x.cpython-311-x86_64-linux-gnu.so`) and relocatable objects (`x.o`). Pure.
[[nodiscard]] bool is_library_name(std::string_view name);

struct LibraryWalkLimits {
  int max_depth = 64;                 // folders below it are skipped (WalkSummary::too_deep)
  std::uint64_t max_files = 1000000;  // entries looked at, of any kind
};

// One regular file with a library name, open for reading (O_NOFOLLOW, O_NONBLOCK).
struct FoundFile {
  std::string relative;  // "torch/lib/libtorch_cuda.so", '/'-separated, below the root
  std::uint64_t size = 0;
  util::UniqueFd fd;
};

struct WalkSummary {
  std::uint64_t links_skipped = 0;  // symlinks (never followed; the file they name is read where it lies)
  std::uint64_t files_seen = 0;
  std::uint64_t too_deep = 0;       // folders not entered: deeper than LibraryWalkLimits::max_depth
  std::string first_too_deep;       // the first of them, relative to the root
};

// Calls `visit` for each regular file under `root_fd` whose name is_library_name, depth first
// in name order. Never follows a symlink and never leaves the root's file system (a mount
// point below it is skipped, as is anything that vanishes while the walk runs, and folders
// nested deeper than `limits.max_depth`: counted in the summary, so that one planted deep tree
// cannot hide the rest). `visit` returning an error stops the walk with it. Errors (io): a
// folder that cannot be listed; (input) more entries than `limits.max_files`.
[[nodiscard]] util::Result<WalkSummary> walk_libraries(int root_fd, const LibraryWalkLimits& limits,
                                                       const std::function<util::Status(FoundFile&)>& visit);

}  // namespace envsetup::binary
