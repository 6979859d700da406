// SPDX-License-Identifier: Apache-2.0
#include <envsetup/binary/library_files.hpp>

#include <envsetup/util/beneath.hpp>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>

namespace envsetup::binary {

bool is_library_name(std::string_view name)
{
  if (name.ends_with(".o")) {
    return name.size() > 2;
  }
  const auto so = name.find(".so");
  if (so == std::string_view::npos || so == 0) {
    return false;
  }
  // `.so` at the end, or followed by `.N...`: libcudart.so.12.4.127, not libsomething.sources
  const std::string_view rest = name.substr(so + 3);
  return rest.empty() || rest.front() == '.';
}

namespace {

struct Walk {
  const LibraryWalkLimits& limits;
  const std::function<util::Status(FoundFile&)>& visit;
  dev_t device = 0;
  WalkSummary summary;
};

util::Status walk_folder(Walk& walk, int folder_fd, const std::string& prefix, int depth)
{
  if (depth > walk.limits.max_depth) {
    if (walk.summary.too_deep++ == 0) {
      walk.summary.first_too_deep = prefix;
    }
    return util::ok_status();
  }
  auto names = util::list_folder(folder_fd);
  if (!names) {
    return std::move(names).error().with_cause("in `" + (prefix.empty() ? std::string(".") : prefix) + "`");
  }
  for (const auto& name : *names) {
    if (++walk.summary.files_seen > walk.limits.max_files) {
      return util::make_error(util::ErrorKind::input,
                              "more than " + std::to_string(walk.limits.max_files) + " entries to look at")
        .with_hint("inspect a smaller folder, or the library files themselves");
    }
    struct stat status {};
    if (!util::stat_at(folder_fd, name, status)) {
      continue;  // vanished since it was listed
    }
    if (S_ISLNK(status.st_mode)) {
      ++walk.summary.links_skipped;
      continue;
    }
    if (status.st_dev != walk.device) {
      continue;  // another file system mounted below the root
    }
    const std::string relative = prefix + name;
    if (S_ISDIR(status.st_mode)) {
      util::UniqueFd child(::openat(folder_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!child.valid()) {
        if (errno == ENOENT || errno == ELOOP || errno == ENOTDIR) {
          continue;  // replaced since it was inspected
        }
        return util::make_error(util::ErrorKind::io, "cannot open the folder `" + relative + "`")
          .with_cause(std::strerror(errno));
      }
      ENVSETUP_TRY(walk_folder(walk, child.get(), relative + "/", depth + 1));
      continue;
    }
    if (!S_ISREG(status.st_mode) || !is_library_name(name)) {
      continue;
    }
    FoundFile found;
    found.relative = relative;
    found.fd = util::UniqueFd(::openat(folder_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    struct stat opened {};
    if (!found.fd.valid() || ::fstat(found.fd.get(), &opened) != 0 || !S_ISREG(opened.st_mode)) {
      continue;  // replaced by something else since it was inspected
    }
    found.size = static_cast<std::uint64_t>(opened.st_size);
    ENVSETUP_TRY(walk.visit(found));
  }
  return util::ok_status();
}

}  // namespace

util::Result<WalkSummary> walk_libraries(int root_fd, const LibraryWalkLimits& limits,
                                         const std::function<util::Status(FoundFile&)>& visit)
{
  struct stat root {};
  if (::fstat(root_fd, &root) != 0) {
    return util::make_error(util::ErrorKind::io, "cannot inspect the folder").with_cause(std::strerror(errno));
  }
  Walk walk{limits, visit, root.st_dev, {}};
  ENVSETUP_TRY(walk_folder(walk, root_fd, "", 0));
  return walk.summary;
}

}  // namespace envsetup::binary
