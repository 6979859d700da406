// SPDX-License-Identifier: Apache-2.0
#include <envsetup/binary/file_source.hpp>

#include <envsetup/binary/hex.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

namespace envsetup::binary {

util::Result<FileSource> FileSource::open(const std::filesystem::path& path, FinalLink link)
{
  const int no_follow = link == FinalLink::refuse ? O_NOFOLLOW : 0;
  util::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | no_follow));
  if (!fd.valid()) {
    return util::make_error(util::ErrorKind::io, "cannot open " + path.string()).with_cause(std::strerror(errno));
  }
  return adopt(std::move(fd));
}

util::Result<FileSource> FileSource::adopt(util::UniqueFd fd)
{
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    return util::make_error(util::ErrorKind::io, "cannot stat the file").with_cause(std::strerror(errno));
  }
  if (!S_ISREG(info.st_mode)) {
    return util::make_error(util::ErrorKind::input, "not a regular file");
  }
  return FileSource(std::move(fd), static_cast<std::uint64_t>(info.st_size));
}

util::Status FileSource::read(std::uint64_t offset, std::span<std::byte> out)
{
  if (offset > m_size || out.size() > m_size - offset) {
    return past_end(offset, out.size());
  }
  while (!out.empty()) {
    ++m_reads;
    const ssize_t got = ::pread(m_fd.get(), out.data(), out.size(), static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0) {
      return util::make_error(util::ErrorKind::io, "cannot read " + hex(out.size()) + " bytes at " + hex(offset))
        .with_cause(std::strerror(errno));
    }
    if (got == 0) {
      return util::make_error(util::ErrorKind::integrity, "the file shrank to " + hex(offset) + " bytes while read")
        .with_hint("do not change the file while it is inspected");
    }
    offset += static_cast<std::uint64_t>(got);
    out = out.subspan(static_cast<std::size_t>(got));
  }
  return util::ok_status();
}

}  // namespace envsetup::binary
