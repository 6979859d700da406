// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/util/error.hpp>

#include <filesystem>
#include <string>

namespace envsetup::util {

// The whole content of the regular file at `path`. Errors (kind io): the file does not
// exist, is not a regular file, or cannot be read.
[[nodiscard]] Result<std::string> read_file(const std::filesystem::path& path);

}  // namespace envsetup::util
