// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>
#include <vector>

namespace envsetup::verify {

// A kernel source compiled into the binary (generated from src/envsetup/verify/*.ptx).
struct EmbeddedFile {
  std::string_view name;     // "sgemm.ptx"
  std::string_view content;  // the PTX text
};

[[nodiscard]] const std::vector<EmbeddedFile>& embedded_kernels();

}  // namespace envsetup::verify
