// SPDX-License-Identifier: Apache-2.0
#include <envsetup/util/fs.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
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

// Takes the lock on the open lock file `fd`; `held` keeps it, or stays empty when busy
// without `wait`.
Status lock_fd(UniqueFd fd, bool wait, FileLock::Mode mode, const std::string& shown, UniqueFd& held)
{
  const int operation = (mode == FileLock::Mode::shared ? LOCK_SH : LOCK_EX) | (wait ? 0 : LOCK_NB);
  while (::flock(fd.get(), operation) != 0) {
    if (errno == EINTR) {
      continue;
    }
    if (!wait && errno == EWOULDBLOCK) {
      return ok_status();
    }
    return make_error(ErrorKind::io, "cannot lock `" + shown + "`").with_cause(std::strerror(errno));
  }
  held = std::move(fd);
  return ok_status();
}

Error lock_file_error(const std::string& shown, int saved)
{
  auto error = make_error(ErrorKind::io, "cannot create the lock file `" + shown + "`").with_cause(std::strerror(saved));
  if (saved == ELOOP) {
    error = std::move(error).with_cause("a symlink is in its place: lock files are never followed through links");
  }
  return std::move(error).with_hint("check that the folder is writable and is a folder (--cache, --store)");
}

Status lock(const std::filesystem::path& path, bool wait, FileLock::Mode mode, UniqueFd& held)
{
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) {
    return make_error(ErrorKind::io, "cannot create the folder `" + path.parent_path().string() + "`")
      .with_cause(ec.message())
      .with_hint("check that the folder is writable and is a folder (--cache, --store)");
  }
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd.valid()) {
    return lock_file_error(path.string(), errno);
  }
  return lock_fd(std::move(fd), wait, mode, path.string(), held);
}

}  // namespace

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

Status write_file_atomic_at(int dir_fd, const std::string& name, std::string_view content)
{
  const std::string temporary = "." + name + ".tmp-" + std::to_string(::getpid());
  auto failed = [&](const std::string& what) {
    const int saved = errno;
    ::unlinkat(dir_fd, temporary.c_str(), 0);
    return make_error(ErrorKind::io, what + " `" + name + "`").with_cause(std::strerror(saved));
  };
  // O_EXCL | O_NOFOLLOW: a file or link planted under the temporary name is never written
  // through; one left by a killed run of this pid is replaced.
  constexpr int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  UniqueFd fd(::openat(dir_fd, temporary.c_str(), flags, 0644));
  if (!fd.valid() && errno == EEXIST && ::unlinkat(dir_fd, temporary.c_str(), 0) == 0) {
    fd = UniqueFd(::openat(dir_fd, temporary.c_str(), flags, 0644));
  }
  if (!fd.valid()) {
    return failed("cannot write");
  }
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t wrote = ::write(fd.get(), content.data() + done, content.size() - done);
    if (wrote < 0 && errno == EINTR) {
      continue;
    }
    if (wrote <= 0) {
      return failed("cannot write");
    }
    done += static_cast<std::size_t>(wrote);
  }
  if (::fsync(fd.get()) != 0) {
    return failed("cannot sync");
  }
  if (!fd.close()) {
    return failed("cannot write");
  }
  if (::renameat(dir_fd, temporary.c_str(), dir_fd, name.c_str()) != 0) {
    return failed("cannot rename into");
  }
  return ok_status();
}

Status write_file_atomic(const std::filesystem::path& path, std::string_view content)
{
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  const std::filesystem::path folder = path.parent_path().empty() ? "." : path.parent_path();
  const UniqueFd dir_fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd.valid()) {
    return io_error("cannot open the folder", folder);
  }
  auto written = write_file_atomic_at(dir_fd.get(), path.filename().string(), content);
  if (!written) {
    return std::move(written).error().with_cause("in `" + folder.string() + "`");
  }
  return ok_status();
}

Result<FileLock> FileLock::acquire(const std::filesystem::path& path, Mode mode)
{
  FileLock result;
  ENVSETUP_TRY(lock(path, true, mode, result.m_fd));
  return result;
}

Result<FileLock> FileLock::try_acquire(const std::filesystem::path& path, Mode mode)
{
  FileLock result;
  ENVSETUP_TRY(lock(path, false, mode, result.m_fd));
  return result;
}

Result<FileLock> FileLock::acquire_at(int dir_fd, const std::string& name, bool wait, Mode mode)
{
  UniqueFd fd(::openat(dir_fd, name.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd.valid()) {
    return lock_file_error(name, errno);
  }
  FileLock result;
  ENVSETUP_TRY(lock_fd(std::move(fd), wait, mode, name, result.m_fd));
  return result;
}

}  // namespace envsetup::util
