// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>
#include <vector>

namespace envsetup::matrix {

// A matrix file as compiled into the binary (generated from matrix/*.json at
// build time).
struct EmbeddedFile {
  std::string_view name;     // "cuda.json"
  std::string_view content;  // the JSON text
};

[[nodiscard]] const std::vector<EmbeddedFile>& embedded_files();

}  // namespace envsetup::matrix
