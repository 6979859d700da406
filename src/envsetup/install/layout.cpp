// SPDX-License-Identifier: Apache-2.0
#include <envsetup/install/layout.hpp>

#include <fstream>

namespace envsetup::install {

namespace fs = std::filesystem;

namespace {

bool is_license_file(const fs::path& relative)
{
  if (relative.has_parent_path()) {
    return false;
  }
  const auto name = relative.filename().string();
  return name.starts_with("LICENSE") || name.starts_with("EULA") || name == "CHANGELOG" ||
         name.starts_with("README");
}

bool same_content(const fs::path& a, const fs::path& b)
{
  std::error_code ec;
  if (fs::equivalent(a, b, ec)) {
    return true;
  }
  if (fs::file_size(a, ec) != fs::file_size(b, ec)) {
    return false;
  }
  std::ifstream first(a, std::ios::binary);
  std::ifstream second(b, std::ios::binary);
  std::vector<char> x(1 << 16);
  std::vector<char> y(1 << 16);
  while (first && second) {
    first.read(x.data(), static_cast<std::streamsize>(x.size()));
    second.read(y.data(), static_cast<std::streamsize>(y.size()));
    if (first.gcount() != second.gcount() ||
        !std::equal(x.begin(), x.begin() + first.gcount(), y.begin())) {
      return false;
    }
  }
  return true;
}

util::Error io_error(const std::string& what, const fs::path& path, const std::error_code& ec)
{
  return util::make_error(util::ErrorKind::io, what + " `" + path.string() + "`").with_cause(ec.message());
}

// Places one entry of a component tree at `target`.
util::Status place(const fs::directory_entry& entry, const fs::path& target)
{
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (entry.is_symlink()) {
    fs::create_symlink(fs::read_symlink(entry.path(), ec), target, ec);
  } else {
    fs::create_hard_link(entry.path(), target, ec);
    if (ec) {
      ec.clear();
      fs::copy_file(entry.path(), target, ec);
    }
  }
  if (ec) {
    return io_error("cannot create", target, ec);
  }
  return util::ok_status();
}

}  // namespace

std::string target_dir_for(const std::string& platform)
{
  return platform == "linux-sbsa" ? "sbsa-linux" : platform == "linux-aarch64" ? "aarch64-linux" : "x86_64-linux";
}

util::Result<std::vector<std::string>> merge_components(const std::vector<ComponentTree>& trees,
                                                        const fs::path& prefix_root,
                                                        const std::set<std::string>& harmless)
{
  std::vector<std::string> created;
  std::map<std::string, std::string> owner;  // relative path -> component
  for (const auto& tree : trees) {
    std::error_code ec;
    fs::recursive_directory_iterator it(tree.root, fs::directory_options::none, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const auto& entry = *it;
      if (entry.is_directory() && !entry.is_symlink()) {
        continue;
      }
      const fs::path relative = entry.path().lexically_relative(tree.root);
      fs::path target_relative = relative;
      if (is_license_file(relative)) {
        target_relative = fs::path("share") / "licenses" / tree.component / relative;
      }
      const fs::path target = prefix_root / target_relative;
      const std::string key = target_relative.string();
      if (fs::exists(fs::symlink_status(target, ec))) {
        const bool identical = entry.is_symlink()
                                 ? fs::is_symlink(fs::symlink_status(target, ec)) &&
                                     fs::read_symlink(target, ec) == fs::read_symlink(entry.path(), ec)
                                 : same_content(entry.path(), target);
        if (!identical && harmless.count(key) == 0) {
          return util::make_error(util::ErrorKind::integrity,
                                  "`" + key + "` is shipped with different contents by `" + owner[key] +
                                    "` and `" + tree.component + "`")
            .with_hint("install these components into separate prefixes, or report the clash");
        }
        continue;
      }
      ENVSETUP_TRY(place(entry, target));
      owner[key] = tree.component;
      created.push_back(key);
    }
    if (ec) {
      return io_error("cannot read", tree.root, ec);
    }
  }
  return created;
}

util::Result<std::vector<std::string>> add_runfile_links(const fs::path& prefix_root, const std::string& target)
{
  std::vector<std::string> created;
  std::error_code ec;
  auto link = [&](const fs::path& relative, const fs::path& points_to) -> util::Status {
    const fs::path path = prefix_root / relative;
    if (fs::exists(fs::symlink_status(path, ec))) {
      return util::ok_status();
    }
    fs::create_directories(path.parent_path(), ec);
    fs::create_symlink(points_to, path, ec);
    if (ec) {
      return io_error("cannot create the link", path, ec);
    }
    created.push_back(relative.string());
    return util::ok_status();
  };
  if (fs::is_directory(prefix_root / "lib", ec)) {
    ENVSETUP_TRY(link("lib64", "lib"));
  }
  for (const char* dir : {"include", "lib"}) {
    if (fs::is_directory(prefix_root / dir, ec)) {
      ENVSETUP_TRY(link(fs::path("targets") / target / dir, fs::path("..") / ".." / dir));
    }
  }
  return created;
}

}  // namespace envsetup::install
