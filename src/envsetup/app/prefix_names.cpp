// SPDX-License-Identifier: Apache-2.0
// The names `envsetup list` shows for prefixes, and finding a prefix by one (`remove`, `env`).
#include <envsetup/app/install_command.hpp>

#include <envsetup/install/prefix.hpp>

namespace envsetup::app {

namespace fs = std::filesystem;

std::string prefix_name(const fs::path& prefix)
{
  return prefix.filename().string();
}

util::Result<fs::path> find_prefix(const std::string& name_or_path, const std::optional<fs::path>& store)
{
  if (name_or_path.empty() || name_or_path.find('/') != std::string::npos || name_or_path == "." ||
      name_or_path == "..") {
    return fs::path(name_or_path);
  }
  std::vector<fs::path> matches;
  for (const auto& installed : list_prefixes(store)) {
    if (prefix_name(installed.prefix) == name_or_path) {
      matches.push_back(installed.prefix);
    }
  }
  if (matches.empty()) {
    return fs::path(name_or_path);
  }
  if (matches.size() > 1) {
    std::string listed;
    for (const auto& match : matches) {
      listed += (listed.empty() ? "" : ", ") + match.string();
    }
    return util::make_error(util::ErrorKind::usage,
                            "`" + name_or_path + "` names " + std::to_string(matches.size()) + " installed prefixes")
      .with_cause(listed)
      .with_hint("pass the prefix's full path (see `envsetup list`)");
  }
  std::error_code ec;
  const auto here = install::normal_prefix_path(name_or_path);
  if (fs::exists(fs::symlink_status(name_or_path, ec)) && here && *here != matches.front()) {
    return util::make_error(util::ErrorKind::usage, "`" + name_or_path +
                                                      "` is both an installed prefix's name and a "
                                                      "folder here")
      .with_cause("the installed prefix: " + matches.front().string())
      .with_hint("write `./" + name_or_path + "` for the folder here, or the prefix's full path");
  }
  return matches.front();
}

}  // namespace envsetup::app
