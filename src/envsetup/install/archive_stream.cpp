// SPDX-License-Identifier: Apache-2.0
#include <envsetup/install/archive_stream.hpp>

#include <cerrno>
#include <cstring>

#include <unistd.h>

namespace envsetup::install {

util::Result<std::size_t> FdArchiveStream::read(char* buffer, std::size_t size)
{
  while (true) {
    const ssize_t got = ::read(m_fd, buffer, size);
    if (got >= 0) {
      return static_cast<std::size_t>(got);
    }
    if (errno != EINTR) {
      return util::make_error(util::ErrorKind::io, "cannot read archive `" + m_shown + "`")
        .with_cause(std::strerror(errno));
    }
  }
}

}  // namespace envsetup::install
