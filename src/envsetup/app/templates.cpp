// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/templates.hpp>

namespace envsetup::app {

util::Result<std::string> template_text(std::string_view name)
{
  for (const auto& file : embedded_templates()) {
    if (file.name == name) {
      return std::string(file.content);
    }
  }
  return util::make_error(util::ErrorKind::internal, "no template `" + std::string(name) + "` is built in");
}

}  // namespace envsetup::app
