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

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace envsetup::util {

namespace {

Error io_error(const std::string& what, const std::filesystem::path& path)
{
  return make_error(ErrorKind::io, what + " `" + path.string() + "`").with_cause(std::strerror(errno));
}

Result<FileLock> lock(const std::filesystem::path& path, bool wait, int& fd_out)
{
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return io_error("cannot open the lock file", path);
  }
  while (::flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
    if (errno == EINTR) {
      continue;
    }
    const int saved = errno;
    ::close(fd);
    if (!wait && saved == EWOULDBLOCK) {
      fd_out = -1;
      return FileLock();
    }
    errno = saved;
    return io_error("cannot lock", path);
  }
  fd_out = fd;
  return FileLock();
}

}  // namespace

Status fsync_path(const std::filesystem::path& path)
{
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return io_error("cannot open", path);
  }
  const int status = ::fsync(fd);
  ::close(fd);
  if (status != 0) {
    return io_error("cannot sync", path);
  }
  return ok_status();
}

void start_writeback(int fd, std::uint64_t offset, std::uint64_t length)
{
  static_cast<void>(::sync_file_range(fd, static_cast<off64_t>(offset), static_cast<off64_t>(length),
                                      SYNC_FILE_RANGE_WRITE));
}

void WritebackPacer::advance(int fd, std::uint64_t written, bool last)
{
  if (written < m_started || (!last && written - m_started < k_writeback_step)) {
    return;
  }
  start_writeback(fd, m_started, written - m_started);
  m_started = written;
}

Status syncfs_path(const std::filesystem::path& path)
{
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return io_error("cannot open", path);
  }
  const int status = ::syncfs(fd);
  ::close(fd);
  if (status != 0) {
    return io_error("cannot sync the file system of", path);
  }
  return ok_status();
}

Status write_file_atomic(const std::filesystem::path& path, std::string_view content)
{
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  const std::filesystem::path temporary =
    path.string() + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream stream(temporary, std::ios::binary | std::ios::trunc);
    stream.write(content.data(), static_cast<std::streamsize>(content.size()));
    stream.flush();
    if (!stream) {
      const auto error = io_error("cannot write", temporary);
      std::filesystem::remove(temporary, ec);
      return error;
    }
  }
  if (auto synced = fsync_path(temporary); !synced) {
    std::filesystem::remove(temporary, ec);
    return synced;
  }
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    std::filesystem::remove(temporary, ec);
    return make_error(ErrorKind::io, "cannot rename into `" + path.string() + "`").with_cause(ec.message());
  }
  return ok_status();
}

Result<FileLock> FileLock::acquire(const std::filesystem::path& path)
{
  FileLock result;
  auto status = lock(path, true, result.m_fd);
  if (!status) {
    return std::move(status).error();
  }
  return result;
}

Result<FileLock> FileLock::try_acquire(const std::filesystem::path& path)
{
  FileLock result;
  auto status = lock(path, false, result.m_fd);
  if (!status) {
    return std::move(status).error();
  }
  return result;
}

FileLock::~FileLock()
{
  if (m_fd >= 0) {
    ::close(m_fd);
  }
}

FileLock::FileLock(FileLock&& other) noexcept : m_fd(other.m_fd)
{
  other.m_fd = -1;
}

FileLock& FileLock::operator=(FileLock&& other) noexcept
{
  if (this != &other) {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
    m_fd = other.m_fd;
    other.m_fd = -1;
  }
  return *this;
}

}  // namespace envsetup::util
