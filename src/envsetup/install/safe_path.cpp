// SPDX-License-Identifier: Apache-2.0
#include <envsetup/install/safe_path.hpp>

#include <envsetup/util/strings.hpp>

#include <cerrno>
#include <cstring>
#include <deque>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace envsetup::install {

namespace {

// Symlinks followed while resolving one target, as the kernel's limit.
constexpr int k_max_links = 40;

util::Error refused(std::string reason)
{
  return util::make_error(util::ErrorKind::integrity, std::move(reason));
}

// The target of the symlink `path` under `root_fd`; false when it cannot be read.
bool read_link(int root_fd, const std::string& path, std::string& target)
{
  std::string buffer(256, '\0');
  while (true) {
    const ssize_t length = ::readlinkat(root_fd, path.c_str(), buffer.data(), buffer.size());
    if (length < 0) {
      return false;
    }
    if (static_cast<std::size_t>(length) < buffer.size()) {
      target.assign(buffer.data(), static_cast<std::size_t>(length));
      return true;
    }
    buffer.resize(buffer.size() * 2);
  }
}

// Whether `folder` followed by `pending` resolves under the root the way the kernel would
// resolve it now: symlinks that exist are followed, missing components are taken as names.
bool resolves_inside(int root_fd, PathParts folder, std::deque<std::string> pending)
{
  int links = 0;
  while (!pending.empty()) {
    std::string part = std::move(pending.front());
    pending.pop_front();
    if (part.empty() || part == ".") {
      continue;
    }
    if (part == "..") {
      if (folder.empty()) {
        return false;
      }
      folder.pop_back();
      continue;
    }
    folder.push_back(std::move(part));
    const std::string path = join_parts(folder);
    struct stat status {};
    if (::fstatat(root_fd, path.c_str(), &status, AT_SYMLINK_NOFOLLOW) != 0 ||
        !S_ISLNK(status.st_mode)) {
      continue;
    }
    std::string target;
    if (++links > k_max_links || !read_link(root_fd, path, target) || target.empty() ||
        target.front() == '/') {
      return false;
    }
    folder.pop_back();
    const auto target_parts = util::split(target, '/');
    pending.insert(pending.begin(), target_parts.begin(), target_parts.end());
  }
  return true;
}

}  // namespace

util::Result<PathParts> split_member_name(std::string_view name)
{
  if (!name.empty() && name.front() == '/') {
    return refused("the path is absolute");
  }
  PathParts parts;
  for (const std::string_view part : util::split(name, '/')) {
    if (part == "..") {
      return refused("the path has a `..` component");
    }
    if (!part.empty() && part != ".") {
      parts.emplace_back(part);
    }
  }
  if (parts.size() > k_max_member_depth) {
    return refused("the path is nested more than " + std::to_string(k_max_member_depth) + " folders deep");
  }
  return parts;
}

util::Result<UniqueFd> open_parent(int root_fd, const PathParts& path,
                                   std::vector<PathParts>* created)
{
  UniqueFd current(::fcntl(root_fd, F_DUPFD_CLOEXEC, 0));
  if (current.get() < 0) {
    return util::make_error(util::ErrorKind::io, "cannot open the destination")
      .with_cause(std::strerror(errno));
  }
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    const char* name = path[i].c_str();
    const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    int fd = ::openat(current.get(), name, flags);
    if (fd < 0 && errno == ENOENT && created != nullptr) {
      if (::mkdirat(current.get(), name, 0755) == 0) {
        created->emplace_back(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(i + 1));
      }
      fd = ::openat(current.get(), name, flags);
    }
    if (fd < 0) {
      const int saved = errno;
      std::string shown = join_parts(path, i + 1);  // (not "`" + ...: GCC 12 -Wrestrict at -O3)
      shown.insert(shown.begin(), '`');
      shown += "` in the destination";
      struct stat status {};
      const bool exists = ::fstatat(current.get(), name, &status, AT_SYMLINK_NOFOLLOW) == 0;
      if (exists && S_ISLNK(status.st_mode)) {
        return refused(shown + " is a symlink: nothing is written through a link");
      }
      if (exists && !S_ISDIR(status.st_mode)) {
        return refused(shown + " is not a folder");
      }
      if (!exists && saved == ENOENT) {
        return refused(shown + " does not exist");
      }
      return util::make_error(util::ErrorKind::io, "cannot open " + shown)
        .with_cause(std::strerror(saved));
    }
    current = UniqueFd(fd);
  }
  return current;
}

util::Status make_folder(int parent_fd, const std::string& leaf, bool& created)
{
  created = ::mkdirat(parent_fd, leaf.c_str(), 0700) == 0;
  if (created) {
    return util::ok_status();
  }
  const int saved = errno;
  struct stat status {};
  if (saved != EEXIST || ::fstatat(parent_fd, leaf.c_str(), &status, AT_SYMLINK_NOFOLLOW) != 0) {
    return util::make_error(util::ErrorKind::io, "cannot create the folder")
      .with_cause(std::strerror(saved));
  }
  if (S_ISLNK(status.st_mode)) {
    return refused("a symlink is already there: nothing is written through a link");
  }
  return S_ISDIR(status.st_mode) ? util::ok_status() : refused("a file is already there");
}

util::Status clear_slot(int parent_fd, const std::string& leaf)
{
  struct stat status {};
  if (::fstatat(parent_fd, leaf.c_str(), &status, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT) {
    return util::ok_status();
  }
  if (S_ISDIR(status.st_mode)) {
    return refused("a folder is already there");
  }
  if (::unlinkat(parent_fd, leaf.c_str(), 0) != 0) {
    return util::make_error(util::ErrorKind::io, "cannot replace what is there")
      .with_cause(std::strerror(errno));
  }
  return util::ok_status();
}

util::Status check_symlink_target(int root_fd, const PathParts& link, std::string_view target)
{
  const std::string shown = "the symlink target `" + std::string(target) + "`";
  if (target.empty()) {
    return refused("the symlink target is empty");
  }
  if (target.front() == '/') {
    return refused(shown + " is absolute");
  }
  std::size_t climbs = 0;
  bool named = false;
  std::deque<std::string> pending;
  for (const std::string_view part : util::split(target, '/')) {
    if (part == "..") {
      if (named) {
        return refused(shown + " has a `..` after a name");
      }
      ++climbs;
    } else if (!part.empty() && part != ".") {
      named = true;
    }
    pending.emplace_back(part);
  }
  PathParts folder(link.begin(), link.end() - 1);
  if (climbs > folder.size()) {
    return refused(shown + " points outside the destination");
  }
  if (!resolves_inside(root_fd, std::move(folder), std::move(pending))) {
    return refused(shown + " leaves the destination, or loops, through the symlinks already there");
  }
  return util::ok_status();
}

}  // namespace envsetup::install
