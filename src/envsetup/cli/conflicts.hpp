// SPDX-License-Identifier: Apache-2.0
// Flags that contradict each other, refused before anything runs, naming both flags.
#pragma once

#include <envsetup/util/error.hpp>

#include <string>

namespace envsetup::cli {

// What a command line asked for, as far as the conflict rules care.
struct RequestedFlags {
  std::string framework;      // --framework as given ("" when absent)
  bool cpu = false;           // --cpu
  bool cuda = false;          // --cuda
  bool cudnn = false;         // --cudnn
  bool with_toolkit = false;  // --with-toolkit
  bool wheel_mirror = false;  // --wheel-mirror
};

// A usage error naming both flags when:
// - --cpu comes with --cuda, --cudnn or --with-toolkit (a CPU-only build has no CUDA);
// - --wheel-mirror comes without --framework, or with a framework other than torch
//   (--wheel-mirror replaces https://download.pytorch.org/whl/, which only PyTorch's builds
//   come from; TensorFlow and JAX come from PyPI: PIP_INDEX_URL is their mirror).
// A --framework that does not parse is left to the resolver's own error. A wheel_mirror that
// came from a config file (configured_in_file) is not a conflict.
[[nodiscard]] util::Status check_conflicts(const RequestedFlags& flags);

}  // namespace envsetup::cli
