// SPDX-License-Identifier: Apache-2.0
#include <envsetup/install/layout.hpp>

#include <envsetup/install/safe_path.hpp>
#include <envsetup/util/beneath.hpp>
#include <envsetup/util/strings.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

namespace envsetup::install {

namespace fs = std::filesystem;

namespace {

constexpr int k_max_depth = 256;
constexpr int k_open_folder = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

bool is_license_file(const std::string& name)
{
  return name.starts_with("LICENSE") || name.starts_with("EULA") || name == "CHANGELOG" || name.starts_with("README");
}

util::Error io_error(const std::string& what, int saved)
{
  return util::make_error(util::ErrorKind::io, what).with_cause(std::strerror(saved));
}

// Whether the regular files `a` and `b` hold the same bytes.
bool same_bytes(int a, int b)
{
  struct stat sa {};
  struct stat sb {};
  if (::fstat(a, &sa) != 0 || ::fstat(b, &sb) != 0 || sa.st_size != sb.st_size) {
    return false;
  }
  if (sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino) {
    return true;
  }
  std::vector<char> x(1 << 16);
  std::vector<char> y(1 << 16);
  for (off_t offset = 0;;) {
    const ssize_t got_a = ::pread(a, x.data(), x.size(), offset);
    const ssize_t got_b = ::pread(b, y.data(), y.size(), offset);
    if (got_a != got_b || got_a < 0) {
      return false;
    }
    if (got_a == 0) {
      return true;
    }
    if (!std::equal(x.begin(), x.begin() + got_a, y.begin())) {
      return false;
    }
    offset += got_a;
  }
}

std::string read_link_at(int folder_fd, const std::string& name)
{
  std::string target(4096, '\0');
  const ssize_t length = ::readlinkat(folder_fd, name.c_str(), target.data(), target.size());
  target.resize(length > 0 ? static_cast<std::size_t>(length) : 0);
  return target;
}

// Copies the file `name` from `from_fd` to `to_fd` (a new file) when a hard link is impossible.
util::Status copy_file_at(int from_fd, int to_fd, const std::string& name, mode_t mode)
{
  util::UniqueFd in(::openat(from_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  util::UniqueFd out(::openat(to_fd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 0755));
  if (!in.valid() || !out.valid()) {
    return io_error("cannot copy `" + name + "`", errno);
  }
  for (;;) {
    const ssize_t sent = ::sendfile(out.get(), in.get(), nullptr, 1 << 30);
    if (sent < 0) {
      return io_error("cannot copy `" + name + "`", errno);
    }
    if (sent == 0) {
      return out.close() ? util::ok_status() : io_error("cannot copy `" + name + "`", errno);
    }
  }
}

struct Merge {
  int root_fd;
  const std::set<std::string>& harmless;
  std::map<std::string, std::string> owner;  // relative path -> component that placed it
  std::vector<std::string> created;
  std::size_t visited = 0;                   // entries of the current tree seen

  util::Error clash(const std::string& key, const std::string& component, const std::string& why)
  {
    const auto found = owner.find(key);
    const std::string first = found != owner.end() ? "`" + found->second + "`" : "an earlier component";
    return util::make_error(util::ErrorKind::integrity,
                            "`" + key + "` is shipped " + why + " by " + first + " and `" + component + "`")
      .with_hint("install these components into separate prefixes, or report the clash");
  }

  // Places the entry `name` of `from_fd` as `name` in `to_fd`, at `key` under the root.
  util::Status place(int from_fd, int to_fd, const std::string& name, const std::string& key,
                     const std::string& component, int depth)
  {
    struct stat source {};
    if (!util::stat_at(from_fd, name, source)) {
      return io_error("cannot read `" + key + "` of " + component, errno);
    }
    struct stat existing {};
    const bool present = util::stat_at(to_fd, name, existing);
    if (S_ISDIR(source.st_mode)) {
      if (present && !S_ISDIR(existing.st_mode)) {
        return clash(key, component, "as a folder and as a file or symlink");
      }
      if (!present && ::mkdirat(to_fd, name.c_str(), 0755) != 0) {
        return io_error("cannot create `" + key + "`", errno);
      }
      util::UniqueFd from(::openat(from_fd, name.c_str(), k_open_folder));
      util::UniqueFd to(::openat(to_fd, name.c_str(), k_open_folder));
      if (!from.valid() || !to.valid()) {
        return io_error("cannot open `" + key + "`", errno);
      }
      return merge_folder(from.get(), to.get(), key + "/", component, depth + 1, false);
    }
    if (S_ISLNK(source.st_mode)) {
      const std::string target = read_link_at(from_fd, name);
      if (present) {
        if (S_ISLNK(existing.st_mode) && read_link_at(to_fd, name) == target) {
          return util::ok_status();
        }
        return harmless.contains(key) ? util::ok_status() : clash(key, component, "with different contents");
      }
      auto parts = util::split_relative_path(key);
      if (!parts) {
        return std::move(parts).error();
      }
      if (auto safe = check_symlink_target(root_fd, *parts, target); !safe) {
        return util::make_error(util::ErrorKind::integrity, "unsafe symlink `" + key + "` in " + component)
          .with_cause(safe.error().message);
      }
      if (::symlinkat(target.c_str(), to_fd, name.c_str()) != 0) {
        return io_error("cannot create the symlink `" + key + "`", errno);
      }
    } else if (S_ISREG(source.st_mode)) {
      if (present) {
        util::UniqueFd a(::openat(from_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
        util::UniqueFd b(::openat(to_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
        const bool same = S_ISREG(existing.st_mode) && a.valid() && b.valid() && same_bytes(a.get(), b.get());
        return same || harmless.contains(key) ? util::ok_status() : clash(key, component, "with different contents");
      }
      if (::linkat(from_fd, name.c_str(), to_fd, name.c_str(), 0) != 0) {
        ENVSETUP_TRY(copy_file_at(from_fd, to_fd, name, source.st_mode));
      }
    } else {
      return util::make_error(util::ErrorKind::integrity,
                              "`" + key + "` in " + component + " is not a file, folder or symlink");
    }
    owner[key] = component;
    created.push_back(key);
    return util::ok_status();
  }

  util::Status merge_folder(int from_fd, int to_fd, const std::string& prefix, const std::string& component,
                            int depth, bool top)
  {
    if (depth > k_max_depth) {
      return util::make_error(util::ErrorKind::integrity, "folders nested too deeply in " + component);
    }
    auto names = util::list_folder(from_fd);
    if (!names) {
      return std::move(names).error().with_cause("while reading " + component);
    }
    for (const auto& name : *names) {
      ++visited;
      struct stat status {};
      if (top && is_license_file(name) && util::stat_at(from_fd, name, status) && !S_ISDIR(status.st_mode)) {
        auto licenses = util::open_folder_beneath(root_fd, {"share", "licenses", component}, 3, true);
        if (!licenses) {
          return std::move(licenses).error().with_cause("while placing the license files of " + component);
        }
        ENVSETUP_TRY(place(from_fd, licenses->get(), name, "share/licenses/" + component + "/" + name, component, depth));
        continue;
      }
      ENVSETUP_TRY(place(from_fd, to_fd, name, prefix + name, component, depth));
    }
    return util::ok_status();
  }
};

}  // namespace

bool is_safe_component_name(std::string_view name)
{
  return util::is_plain_name(name);
}

std::string target_dir_for(const std::string& platform)
{
  return platform == "linux-sbsa" ? "sbsa-linux" : platform == "linux-aarch64" ? "aarch64-linux" : "x86_64-linux";
}

util::Result<std::vector<std::string>> merge_components(const std::vector<ComponentTree>& trees, int root_fd,
                                                        const std::set<std::string>& harmless)
{
  Merge merge{root_fd, harmless, {}, {}};
  for (const auto& tree : trees) {
    if (!is_safe_component_name(tree.component)) {
      return util::make_error(util::ErrorKind::integrity, "unsafe component name in the manifest")
        .with_cause("component names may hold letters, digits, `._+-` and may not start with `.` or `-`")
        .with_hint("use NVIDIA's manifests, or a mirror that serves them unchanged");
    }
    util::UniqueFd from(::open(tree.root.c_str(), k_open_folder));
    if (!from.valid()) {
      return io_error("cannot open the extracted files of " + tree.component + " `" + tree.root.string() + "`", errno);
    }
    merge.visited = 0;
    ENVSETUP_TRY(merge.merge_folder(from.get(), root_fd, "", tree.component, 0, true));
    if (tree.entries != 0 && merge.visited != tree.entries) {
      return util::make_error(util::ErrorKind::io, "the extracted files of " + tree.component + " changed during the install")
        .with_cause("the store's record lists " + std::to_string(tree.entries) + " entries; " +
                    std::to_string(merge.visited) + " were there")
        .with_hint("run the install again: the store extracts that archive anew");
    }
  }
  return std::move(merge.created);
}

util::Result<std::vector<std::string>> add_runfile_links(int root_fd, const std::string& target)
{
  std::vector<std::string> created;
  auto is_real_folder = [&](const std::string& name) {
    struct stat status {};
    return util::stat_at(root_fd, name, status) && S_ISDIR(status.st_mode);
  };
  auto link = [&](const util::PathParts& where, const std::string& points_to) -> util::Status {
    auto folder = util::open_folder_beneath(root_fd, where, where.size() - 1, true);
    if (!folder) {
      return std::move(folder).error();
    }
    struct stat status {};
    if (util::stat_at(folder->get(), where.back(), status)) {
      return util::ok_status();  // the archives ship it already
    }
    if (::symlinkat(points_to.c_str(), folder->get(), where.back().c_str()) != 0) {
      return io_error("cannot create the link `" + util::join_parts(where) + "`", errno);
    }
    created.push_back(util::join_parts(where));
    return util::ok_status();
  };
  if (is_real_folder("lib")) {
    ENVSETUP_TRY(link({"lib64"}, "lib"));
  }
  for (const char* dir : {"include", "lib"}) {
    if (is_real_folder(dir)) {
      ENVSETUP_TRY(link({"targets", target, dir}, std::string("../../") + dir));
    }
  }
  return created;
}

}  // namespace envsetup::install
