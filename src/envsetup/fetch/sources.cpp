// SPDX-License-Identifier: Apache-2.0
#include <envsetup/fetch/sources.hpp>

#include <filesystem>

namespace envsetup::fetch {

std::string redist_root(const std::optional<std::string>& mirror)
{
  std::string root = mirror && !mirror->empty() ? *mirror : k_nvidia_redist_root;
  if (root.find("://") == std::string::npos) {
    std::error_code ec;
    root = "file://" + std::filesystem::absolute(root, ec).lexically_normal().string();
  }
  while (root.ends_with('/')) {
    root.pop_back();
  }
  return root + "/";
}

std::string manifest_url(const std::string& root, const std::string& product, const std::string& version)
{
  return root + product + "/redist/redistrib_" + version + ".json";
}

std::string archive_url(const std::string& root, const std::string& product,
                        const std::string& relative_path)
{
  return root + product + "/redist/" + relative_path;
}

}  // namespace envsetup::fetch
