// SPDX-License-Identifier: Apache-2.0
#include <envsetup/util/fs.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace envsetup::util {

Result<std::string> read_file(const std::filesystem::path& path)
{
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return make_error(ErrorKind::io, "cannot read `" + path.string() + "`")
      .with_cause(ec ? ec.message() : "not a regular file (or it does not exist)");
  }
  std::ifstream stream(path, std::ios::binary);
  if (!stream) {
    return make_error(ErrorKind::io, "cannot open `" + path.string() + "`")
      .with_cause(std::strerror(errno));
  }
  std::ostringstream content;
  content << stream.rdbuf();
  if (stream.bad()) {
    return make_error(ErrorKind::io, "cannot read `" + path.string() + "`")
      .with_cause(std::strerror(errno));
  }
  return content.str();
}

}  // namespace envsetup::util
