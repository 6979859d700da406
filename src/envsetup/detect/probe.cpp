// SPDX-License-Identifier: Apache-2.0
#include <envsetup/detect/probe.hpp>

#include <envsetup/util/strings.hpp>

#include <algorithm>
#include <fstream>

#include <sys/stat.h>
#include <unistd.h>

namespace envsetup::detect {

namespace fs = std::filesystem;

namespace {
constexpr int k_max_link_hops = 40;
}

SystemProbe::SystemProbe(fs::path sysroot, Environment environment)
  : m_sysroot(std::move(sysroot)), m_environment(std::move(environment))
{
}

fs::path SystemProbe::real_path(const fs::path& path) const
{
  if (m_sysroot.empty()) {
    return path;
  }
  return m_sysroot / path.relative_path();
}

std::optional<std::string> SystemProbe::read_file(const fs::path& path, std::size_t max_bytes) const
{
  std::error_code ec;
  const fs::path real = real_path(path);
  if (!fs::is_regular_file(real, ec)) {
    return std::nullopt;
  }
  std::ifstream stream(real, std::ios::binary);
  if (!stream) {
    return std::nullopt;
  }
  // Sized by the file, not by `max_bytes` (a 16 MiB limit must not cost 16 MiB of zeroed
  // pages); files of /proc and /sys report size 0 and are read in chunks up to the limit.
  std::string content;
  const auto size = fs::file_size(real, ec);
  std::size_t chunk = std::min<std::size_t>(!ec && size > 0 ? size + 1 : 65536, max_bytes);
  while (content.size() < max_bytes && stream) {
    const std::size_t at = content.size();
    content.resize(std::min(at + chunk, max_bytes));
    stream.read(content.data() + at, static_cast<std::streamsize>(content.size() - at));
    content.resize(at + static_cast<std::size_t>(stream.gcount()));
    chunk = std::min<std::size_t>(chunk * 2, 1 << 20);
  }
  return content;
}

std::vector<std::string> SystemProbe::list_dir(const fs::path& path) const
{
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(real_path(path), ec), end; !ec && it != end; it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool SystemProbe::is_dir(const fs::path& path) const
{
  const auto resolved = canonical(path);
  std::error_code ec;
  return resolved && fs::is_directory(real_path(*resolved), ec);
}

bool SystemProbe::is_file(const fs::path& path) const
{
  const auto resolved = canonical(path);
  std::error_code ec;
  return resolved && fs::is_regular_file(real_path(*resolved), ec);
}

bool SystemProbe::is_executable(const fs::path& path) const
{
  const auto resolved = canonical(path);
  return resolved && is_file(*resolved) && ::access(real_path(*resolved).c_str(), X_OK) == 0;
}

std::optional<fs::path> SystemProbe::canonical(const fs::path& path) const
{
  if (m_sysroot.empty()) {
    const std::string key = path.string();
    if (const auto known = m_canonical.find(key); known != m_canonical.end()) {
      return known->second;
    }
    std::error_code ec;
    auto resolved = fs::canonical(path, ec);
    return m_canonical.emplace(key, ec ? std::nullopt : std::optional(std::move(resolved))).first->second;
  }
  // Resolve component by component so that absolute link targets stay in the sysroot.
  std::vector<std::string> pending;
  for (const auto& part : path.lexically_normal().relative_path()) {
    pending.push_back(part.string());
  }
  std::reverse(pending.begin(), pending.end());
  fs::path resolved = "/";
  int hops = 0;
  while (!pending.empty()) {
    const std::string part = pending.back();
    pending.pop_back();
    if (part.empty() || part == ".") {
      continue;
    }
    if (part == "..") {
      resolved = resolved.has_relative_path() ? resolved.parent_path() : resolved;
      continue;
    }
    const fs::path candidate = resolved / part;
    std::error_code ec;
    const auto status = fs::symlink_status(real_path(candidate), ec);
    if (ec || !fs::exists(status)) {
      return std::nullopt;
    }
    if (!fs::is_symlink(status)) {
      resolved = candidate;
      continue;
    }
    if (++hops > k_max_link_hops) {
      return std::nullopt;
    }
    const fs::path target = fs::read_symlink(real_path(candidate), ec);
    if (ec) {
      return std::nullopt;
    }
    std::vector<std::string> parts;
    for (const auto& p : target.relative_path()) {
      parts.push_back(p.string());
    }
    pending.insert(pending.end(), parts.rbegin(), parts.rend());
    if (target.is_absolute()) {
      resolved = "/";
    }
  }
  return resolved;
}

std::optional<std::string> SystemProbe::env(const std::string& name) const
{
  const auto it = m_environment.find(name);
  if (it == m_environment.end() || it->second.empty()) {
    return std::nullopt;
  }
  return it->second;
}

std::vector<fs::path> SystemProbe::env_paths(const std::string& name) const
{
  std::vector<fs::path> paths;
  if (const auto value = env(name)) {
    for (const auto field : util::split(*value, ':')) {
      if (!field.empty()) {
        paths.emplace_back(field);
      }
    }
  }
  return paths;
}

std::optional<fs::path> SystemProbe::home() const
{
  if (auto value = env("HOME")) {
    return fs::path(*value);
  }
  return std::nullopt;
}

util::Result<util::ProcessOutput> SystemProbe::run(const fs::path& program,
                                                   const std::vector<std::string>& args,
                                                   std::chrono::milliseconds timeout) const
{
  return util::run_process(real_path(program), args, timeout);
}

}  // namespace envsetup::detect
