// SPDX-License-Identifier: Apache-2.0
#include <envsetup/util/beneath.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace envsetup::util {

namespace {

// 1: openat2 works; 0: the kernel lacks it (ENOSYS), so walk; -1: forced walk (tests).
std::atomic<int> g_openat2{1};

// Folders nested deeper than this are refused by remove_tree_at (descriptors stay bounded).
constexpr int k_max_depth = 256;

Error io_error(const std::string& what, int error_number)
{
  return make_error(ErrorKind::io, what).with_cause(std::strerror(error_number));
}

int openat2_beneath(int root_fd, const std::string& relative, int flags, mode_t mode)
{
  open_how how{};
  how.flags = static_cast<__u64>(static_cast<unsigned int>(flags));
  how.mode = (flags & (O_CREAT | O_TMPFILE)) != 0 ? static_cast<__u64>(mode) : 0U;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  for (;;) {
    const long fd = ::syscall(SYS_openat2, root_fd, relative.c_str(), &how, sizeof how);
    if (fd >= 0 || errno != EAGAIN) {
      return static_cast<int>(fd);
    }
  }
}

int walk_beneath(int root_fd, const std::string& relative, int flags, mode_t mode)
{
  auto parts = split_relative_path(relative);
  if (!parts) {
    errno = EINVAL;
    return -1;
  }
  UniqueFd current(::fcntl(root_fd, F_DUPFD_CLOEXEC, 0));
  for (std::size_t i = 0; current.valid() && i + 1 < parts->size(); ++i) {
    const char* name = (*parts)[i].c_str();
    UniqueFd next(::openat(current.get(), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    struct stat status {};
    if (!next.valid() && errno == ENOTDIR && ::fstatat(current.get(), name, &status, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISLNK(status.st_mode)) {
      errno = ELOOP;  // as openat2 reports a symlink in the way
    }
    current = std::move(next);
  }
  if (!current.valid()) {
    return -1;
  }
  return ::openat(current.get(), parts->back().c_str(), flags, mode);
}

}  // namespace

std::string join_parts(const PathParts& parts, std::size_t count)
{
  std::string joined;
  for (std::size_t i = 0; i < count && i < parts.size(); ++i) {
    if (i > 0) {
      joined += '/';
    }
    joined += parts[i];
  }
  return joined;
}

std::string join_parts(const PathParts& parts)
{
  return join_parts(parts, parts.size());
}

Result<PathParts> split_relative_path(std::string_view path)
{
  auto refused = [](const char* why) { return make_error(ErrorKind::integrity, why); };
  if (path.find('\0') != std::string_view::npos) {
    return refused("the path has a NUL byte");
  }
  if (!path.empty() && path.front() == '/') {
    return refused("the path is absolute");
  }
  PathParts parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string_view part = path.substr(start, end - start);
    if (part == "..") {
      return refused("the path has a `..` component");
    }
    if (!part.empty() && part != ".") {
      parts.emplace_back(part);
    }
    start = end + 1;
  }
  if (parts.empty()) {
    return refused("the path is empty");
  }
  return parts;
}

Result<UniqueFd> open_root(const std::filesystem::path& path, const std::string& what, bool refuse_link)
{
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | (refuse_link ? O_NOFOLLOW : 0)));
  if (!fd.valid()) {
    return io_error("cannot open " + what + " `" + path.string() + "`", errno);
  }
  return fd;
}

UniqueFd open_beneath(int root_fd, const std::string& relative, int flags, mode_t mode)
{
  flags |= O_CLOEXEC | O_NOFOLLOW;
  if (g_openat2.load(std::memory_order_relaxed) == 1) {
    const int fd = openat2_beneath(root_fd, relative, flags, mode);
    if (fd >= 0 || errno != ENOSYS) {
      return UniqueFd(fd);
    }
    g_openat2.store(0, std::memory_order_relaxed);
  }
  return UniqueFd(walk_beneath(root_fd, relative, flags, mode));
}

Result<UniqueFd> open_folder_beneath(int root_fd, const PathParts& parts, std::size_t count, bool create)
{
  UniqueFd current(::fcntl(root_fd, F_DUPFD_CLOEXEC, 0));
  if (!current.valid()) {
    return io_error("cannot open a folder", errno);
  }
  for (std::size_t i = 0; i < count && i < parts.size(); ++i) {
    const char* name = parts[i].c_str();
    constexpr int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    int fd = ::openat(current.get(), name, flags);
    if (fd < 0 && errno == ENOENT && create && (::mkdirat(current.get(), name, 0755) == 0 || errno == EEXIST)) {
      fd = ::openat(current.get(), name, flags);
    }
    if (fd < 0) {
      const int saved = errno;
      const std::string shown = "`" + join_parts(parts, i + 1) + "`";
      struct stat status {};
      const bool exists = stat_at(current.get(), parts[i], status);
      if (exists && S_ISLNK(status.st_mode)) {
        return make_error(ErrorKind::integrity, shown + " is a symlink: nothing is written or read through a link");
      }
      if (exists && !S_ISDIR(status.st_mode)) {
        return make_error(ErrorKind::integrity, shown + " is not a folder");
      }
      return io_error(saved == ENOENT ? shown + " does not exist" : "cannot open " + shown, saved);
    }
    current = UniqueFd(fd);
  }
  return current;
}

Result<std::optional<std::string>> read_file_beneath(int dir_fd, const std::string& relative,
                                                     std::size_t max_bytes)
{
  UniqueFd fd = open_beneath(dir_fd, relative, O_RDONLY | O_NONBLOCK);
  struct stat status {};
  if (!fd.valid() || ::fstat(fd.get(), &status) != 0 || !S_ISREG(status.st_mode)) {
    return std::optional<std::string>{};
  }
  std::string text;
  char block[65536];
  for (;;) {
    const ssize_t got = ::read(fd.get(), block, sizeof block);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0) {
      return io_error("cannot read `" + relative + "`", errno);
    }
    if (got == 0) {
      return std::optional<std::string>(std::move(text));
    }
    text.append(block, static_cast<std::size_t>(got));
    if (text.size() > max_bytes) {
      return make_error(ErrorKind::input, "`" + relative + "` is larger than " + std::to_string(max_bytes) + " bytes");
    }
  }
}

bool stat_at(int dir_fd, const std::string& name, struct stat& status)
{
  return ::fstatat(dir_fd, name.c_str(), &status, AT_SYMLINK_NOFOLLOW) == 0;
}

Result<std::vector<std::string>> list_folder(int dir_fd)
{
  UniqueFd copy(::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  DIR* stream = copy.valid() ? ::fdopendir(copy.get()) : nullptr;
  if (stream == nullptr) {
    return io_error("cannot list a folder", errno);
  }
  static_cast<void>(copy.release());  // the DIR owns it now
  std::vector<std::string> names;
  errno = 0;
  while (const dirent* entry = ::readdir(stream)) {
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") {
      names.emplace_back(name);
    }
  }
  const int saved = errno;
  ::closedir(stream);
  if (saved != 0) {
    return io_error("cannot list a folder", saved);
  }
  std::sort(names.begin(), names.end());
  return names;
}

namespace {

Status remove_below(int parent_fd, const std::string& name, dev_t device, int depth, const std::string& shown)
{
  struct stat status {};
  if (!stat_at(parent_fd, name, status)) {
    return errno == ENOENT ? ok_status() : io_error("cannot inspect `" + shown + "`", errno);
  }
  if (!S_ISDIR(status.st_mode)) {
    if (::unlinkat(parent_fd, name.c_str(), 0) != 0 && errno != ENOENT) {
      return io_error("cannot delete `" + shown + "`", errno);
    }
    return ok_status();
  }
  if (status.st_dev != device) {
    return make_error(ErrorKind::io, "`" + shown + "` is another file system mounted here: it is left alone")
      .with_hint("unmount it, then try again");
  }
  if (depth > k_max_depth) {
    return make_error(ErrorKind::io, "folders nested more than " + std::to_string(k_max_depth) + " deep in `" +
                                       shown.substr(0, 200) + "...`");
  }
  UniqueFd folder(::openat(parent_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!folder.valid()) {
    return io_error("cannot open `" + shown + "`", errno);
  }
  auto names = list_folder(folder.get());
  if (!names) {
    return std::move(names).error().with_cause("in `" + shown + "`");
  }
  for (const auto& child : *names) {
    ENVSETUP_TRY(remove_below(folder.get(), child, device, depth + 1, shown + "/" + child));
  }
  if (::unlinkat(parent_fd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
    return io_error("cannot delete the folder `" + shown + "`", errno);
  }
  return ok_status();
}

}  // namespace

Status remove_tree_at(int parent_fd, const std::string& name)
{
  struct stat parent {};
  if (::fstat(parent_fd, &parent) != 0) {
    return io_error("cannot inspect a folder", errno);
  }
  return remove_below(parent_fd, name, parent.st_dev, 0, name);
}

void force_component_walk_for_tests(bool on)
{
  g_openat2.store(on ? -1 : 1, std::memory_order_relaxed);
}

}  // namespace envsetup::util
