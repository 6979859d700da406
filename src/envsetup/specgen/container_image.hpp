// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/core/plan.hpp>

#include <string>

namespace envsetup::specgen {

// The base image a container spec starts from, and how the plan's Python gets into it.
struct ContainerImage {
  std::string image;        // "nvidia/cuda:12.4.1-runtime-ubuntu22.04", "ubuntu:24.04"
  std::string ubuntu;       // "22.04"
  bool needs_ppa = false;   // the plan's Python is not Ubuntu's own: install it from deadsnakes
};

// The `nvidia/cuda` image for `plan`'s CUDA X.Y: `runtime` when the framework's wheels bring
// their CUDA libraries, `devel` with cuDNN when the plan needs a system toolkit (TensorFlow
// < 2.14). Among the Ubuntu releases the image exists for, the one whose python3 is the plan's
// Python, else the newest. CUDA versions newer than the built-in table get the plan's own
// X.Y.Z on Ubuntu 24.04 (unverified; see docs/specs.md). A CPU plan gets plain `ubuntu`.
[[nodiscard]] ContainerImage container_image(const core::Plan& plan);

}  // namespace envsetup::specgen
