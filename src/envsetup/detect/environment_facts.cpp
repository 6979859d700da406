// SPDX-License-Identifier: Apache-2.0
#include <envsetup/detect/environment_facts.hpp>

#include <envsetup/detect/detect.hpp>
#include <envsetup/detect/parsers.hpp>
#include <envsetup/util/strings.hpp>

#include <algorithm>
#include <set>

namespace envsetup::detect {

namespace {

namespace fs = std::filesystem;

constexpr const char* k_libraries[] = {"libcudart.so", "libcublas.so", "libcudnn.so"};

// True when `name` matches a glob made of literal text and at most one `*`.
bool glob_match(const std::string& pattern, const std::string& name)
{
  const auto star = pattern.find('*');
  if (star == std::string::npos) {
    return pattern == name;
  }
  const std::string head = pattern.substr(0, star);
  const std::string tail = pattern.substr(star + 1);
  return name.size() >= head.size() + tail.size() && name.starts_with(head) && name.ends_with(tail);
}

void read_ld_so_conf(const SystemProbe& probe, const fs::path& file, int depth,
                     std::vector<std::string>& dirs)
{
  const auto text = probe.read_file(file, 65536);
  if (!text || depth > 4) {
    return;
  }
  std::vector<std::string> includes;
  for (auto& dir : parse_ld_so_conf(*text, includes)) {
    dirs.push_back(std::move(dir));
  }
  for (const auto& include : includes) {
    fs::path pattern(include);
    if (pattern.is_relative()) {
      pattern = file.parent_path() / pattern;
    }
    for (const auto& name : probe.list_dir(pattern.parent_path())) {
      if (glob_match(pattern.filename().string(), name)) {
        read_ld_so_conf(probe, pattern.parent_path() / name, depth + 1, dirs);
      }
    }
  }
}

void add_copies(const SystemProbe& probe, const std::string& dir, const std::string& via,
                std::set<std::string>& seen, std::vector<LibraryCopy>& out)
{
  for (const auto& name : probe.list_dir(dir)) {
    for (const char* library : k_libraries) {
      auto version = parse_library_file_version(name, library);
      const std::string path = (fs::path(dir) / name).string();
      if (version && seen.insert(path).second) {
        out.push_back({library, *version, path, via});
      }
    }
  }
}

VenvFacts read_venv(const SystemProbe& probe, const std::string& venv)
{
  VenvFacts facts;
  facts.path = venv;
  facts.python = (fs::path(venv) / "bin" / "python").string();
  if (const auto config = probe.read_file(fs::path(venv) / "pyvenv.cfg", 65536)) {
    facts.has_config = true;
    for (const auto line : util::split(*config, '\n')) {
      const auto eq = line.find('=');
      if (eq != std::string_view::npos && util::trim(line.substr(0, eq)) == "home") {
        facts.home = std::string(util::trim(line.substr(eq + 1)));
      }
    }
  }
  facts.python_runs = probe.is_executable(facts.python);
  return facts;
}

}  // namespace

std::vector<std::string> parse_ld_so_conf(std::string_view text, std::vector<std::string>& includes)
{
  std::vector<std::string> dirs;
  for (auto line : util::split(text, '\n')) {
    line = util::trim(line.substr(0, line.find('#')));
    if (line.empty()) {
      continue;
    }
    if (line.starts_with("include") && line.size() > 7 && (line[7] == ' ' || line[7] == '\t')) {
      includes.emplace_back(util::trim(line.substr(8)));
    } else if (line.front() == '/') {
      dirs.emplace_back(line);
    }
  }
  return dirs;
}

EnvironmentFacts read_environment_facts(const SystemProbe& probe,
                                        const std::vector<std::string>& venvs,
                                        const std::vector<std::string>& toolkit_dirs)
{
  EnvironmentFacts facts;
  if (const auto modules = probe.read_file("/proc/modules")) {
    for (const auto line : util::split(*modules, '\n')) {
      facts.nouveau_loaded = facts.nouveau_loaded || line.starts_with("nouveau ");
    }
  }
  for (const auto& dir : probe.env_paths("LD_LIBRARY_PATH")) {
    facts.ld_library_path.push_back(dir.string());
  }
  read_ld_so_conf(probe, "/etc/ld.so.conf", 0, facts.ld_so_conf_dirs);

  std::set<std::string> seen;
  for (const auto& dir : facts.ld_library_path) {
    add_copies(probe, dir, "LD_LIBRARY_PATH", seen, facts.libraries);
  }
  for (const auto& dir : facts.ld_so_conf_dirs) {
    add_copies(probe, dir, "ld.so.conf", seen, facts.libraries);
  }
  for (const auto& dir : library_dirs()) {
    add_copies(probe, dir, "system", seen, facts.libraries);
  }
  for (const auto& prefix : toolkit_dirs) {
    for (const char* sub : {"lib64", "lib"}) {
      add_copies(probe, (fs::path(prefix) / sub).string(), "toolkit", seen, facts.libraries);
    }
  }

  for (const auto& dir : probe.env_paths("PATH")) {
    if (probe.is_executable(dir / "nvcc")) {
      const auto resolved = probe.canonical(dir / "nvcc");
      facts.nvcc_on_path = resolved ? resolved->string() : (dir / "nvcc").string();
      break;
    }
  }
  auto home = probe.env("CUDA_HOME");
  if (!home) {
    home = probe.env("CUDA_PATH");
  }
  if (home) {
    const auto resolved = probe.canonical(*home);
    facts.cuda_home = resolved ? resolved->string() : *home;
  }

  std::vector<std::string> all_venvs = venvs;
  if (const auto active = probe.env("VIRTUAL_ENV");
      active && std::find(all_venvs.begin(), all_venvs.end(), *active) == all_venvs.end()) {
    all_venvs.push_back(*active);
  }
  for (const auto& venv : all_venvs) {
    facts.venvs.push_back(read_venv(probe, venv));
  }
  facts.os = read_host_os(probe);
  return facts;
}

}  // namespace envsetup::detect
