// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/util/error.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace envsetup::app {

// A file of templates/ as compiled into the binary.
struct EmbeddedFile {
  std::string_view name;
  std::string_view content;
};

[[nodiscard]] const std::vector<EmbeddedFile>& embedded_templates();

// The text of template `name` (e.g. "activate.sh.tmpl"). Errors (kind internal): unknown.
[[nodiscard]] util::Result<std::string> template_text(std::string_view name);

}  // namespace envsetup::app
