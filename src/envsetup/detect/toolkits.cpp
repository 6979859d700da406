// SPDX-License-Identifier: Apache-2.0
// CUDA toolkits on disk and the cuDNN inside them.
#include <envsetup/detect/detect.hpp>
#include <envsetup/detect/parsers.hpp>

#include <algorithm>
#include <set>

namespace envsetup::detect {

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

struct Root {
  fs::path path;
  std::string origin;
};

std::vector<std::string> include_dirs(const SystemProbe& probe, const fs::path& root)
{
  std::vector<std::string> dirs = {(root / "include").string()};
  for (const auto& target : probe.list_dir(root / "targets")) {
    dirs.push_back((root / "targets" / target / "include").string());
  }
  return dirs;
}

std::vector<std::string> lib_dirs(const SystemProbe& probe, const fs::path& root)
{
  std::vector<std::string> dirs = {(root / "lib64").string(), (root / "lib").string()};
  for (const auto& target : probe.list_dir(root / "targets")) {
    dirs.push_back((root / "targets" / target / "lib").string());
  }
  return dirs;
}

// A toolkit has headers or a version file; an nvcc alone (a wrapper script in
// /usr/local/bin, say) does not make its parent folder a toolkit.
bool looks_like_toolkit(const SystemProbe& probe, const fs::path& root)
{
  if (probe.is_file(root / "version.json") || probe.is_file(root / "version.txt")) {
    return true;
  }
  for (const auto& dir : include_dirs(probe, root)) {
    if (probe.is_file(dir + "/cuda_runtime_api.h")) {
      return true;
    }
  }
  return false;
}

// A version from the `*.dist-info` folders a pip-wheel layout keeps, e.g.
// nvidia_cuda_runtime-13.0.96.dist-info -> 13.0.96.
std::optional<core::Version> dist_info_version(const SystemProbe& probe, const fs::path& root,
                                               const std::vector<std::string>& names)
{
  for (const auto& folder : {root / "dist-info", root}) {
    for (const auto& entry : probe.list_dir(folder)) {
      const auto parsed = parse_distribution_dir(entry);
      if (parsed && std::find(names.begin(), names.end(), parsed->name) != names.end()) {
        return parsed->release;
      }
    }
  }
  return std::nullopt;
}

void read_toolkit_version(const SystemProbe& probe, const fs::path& root, ToolkitInfo& toolkit)
{
  if (auto text = probe.read_file(root / "version.json", 1 << 20)) {
    if ((toolkit.version = parse_cuda_version_json(*text))) {
      toolkit.version_source = "version.json";
      return;
    }
  }
  if (auto text = probe.read_file(root / "version.txt", 4096)) {
    if ((toolkit.version = parse_cuda_version_txt(*text))) {
      toolkit.version_source = "version.txt";
      return;
    }
  }
  if (probe.is_executable(root / "bin" / "nvcc")) {
    if (auto output = probe.run(root / "bin" / "nvcc", {"--version"}, 10s);
        output && output->exit_code == 0) {
      if ((toolkit.version = parse_nvcc_version(output->out))) {
        toolkit.version_source = "nvcc --version";
        return;
      }
    }
  }
  for (const auto& dir : include_dirs(probe, root)) {
    if (auto text = probe.read_file(dir + "/cuda_runtime_api.h", 4 << 20)) {
      if ((toolkit.version = parse_cudart_header(*text))) {
        toolkit.version_source = "cuda_runtime_api.h";
        return;
      }
    }
  }
  if (auto version = dist_info_version(probe, root, {"nvidia_cuda_runtime", "nvidia_cuda_runtime_cu12",
                                                     "nvidia_cuda_runtime_cu11", "nvidia_cuda_nvcc"})) {
    toolkit.version = version->prefix(2);
    toolkit.version_source = "dist-info";
  }
}

void read_cudnn_version(const SystemProbe& probe, const fs::path& root, ToolkitInfo& toolkit)
{
  for (const auto& dir : include_dirs(probe, root)) {
    for (const char* header : {"cudnn_version.h", "cudnn.h"}) {
      if (auto text = probe.read_file(dir + "/" + header, 4 << 20)) {
        if ((toolkit.cudnn_version = parse_cudnn_header(*text))) {
          toolkit.cudnn_source = header;
          return;
        }
      }
    }
  }
  for (const auto& dir : lib_dirs(probe, root)) {
    for (const auto& name : probe.list_dir(dir)) {
      auto version = parse_library_file_version(name, "libcudnn.so");
      if (version && version->parts().size() >= 3) {
        toolkit.cudnn_version = version;
        toolkit.cudnn_source = "library name";
        return;
      }
    }
  }
  if (auto version = dist_info_version(probe, root, {"nvidia_cudnn_cu13", "nvidia_cudnn_cu12",
                                                     "nvidia_cudnn_cu11"})) {
    toolkit.cudnn_version = version;
    toolkit.cudnn_source = "dist-info";
  }
}

std::vector<Root> candidate_roots(const SystemProbe& probe)
{
  std::vector<Root> roots;
  for (const char* base : {"/usr/local", "/opt"}) {
    for (const auto& name : probe.list_dir(base)) {
      if (name == "cuda" || name.starts_with("cuda-")) {
        roots.push_back({fs::path(base) / name, base});
      }
    }
  }
  for (const char* variable : {"CUDA_HOME", "CUDA_PATH", "CUDA_ROOT"}) {
    if (auto value = probe.env(variable)) {
      roots.push_back({*value, variable});
    }
  }
  for (const auto& dir : probe.env_paths("PATH")) {
    // nvcc is often a link (/usr/local/bin/nvcc -> /usr/local/cuda-12.4/bin/nvcc).
    if (auto nvcc = probe.canonical(dir / "nvcc"); nvcc && probe.is_file(*nvcc)) {
      roots.push_back({nvcc->parent_path().parent_path(), "PATH"});
    }
  }
  std::vector<fs::path> conda_bases;
  if (auto prefix = probe.env("CONDA_PREFIX")) {
    conda_bases.emplace_back(*prefix);
  }
  if (auto home = probe.home()) {
    for (const char* name : {"miniconda3", "anaconda3", "mambaforge", "miniforge3", "micromamba"}) {
      conda_bases.push_back(*home / name);
    }
  }
  conda_bases.emplace_back("/opt/conda");
  for (const auto& base : conda_bases) {
    roots.push_back({base, "conda"});
    for (const auto& env : probe.list_dir(base / "envs")) {
      roots.push_back({base / "envs" / env, "conda"});
    }
  }
  std::optional<fs::path> store;
  if (auto value = probe.env("ENVSETUP_STORE")) {
    store = fs::path(*value) / "toolkits";
  } else if (auto data = probe.env("XDG_DATA_HOME")) {
    store = fs::path(*data) / "envsetup" / "toolkits";
  } else if (auto home = probe.home()) {
    store = *home / ".local" / "share" / "envsetup" / "toolkits";
  }
  if (store) {
    for (const auto& name : probe.list_dir(*store)) {
      roots.push_back({*store / name, "envsetup"});
    }
  }
  return roots;
}

}  // namespace

std::vector<ToolkitInfo> detect_toolkits(const SystemProbe& probe)
{
  std::vector<ToolkitInfo> toolkits;
  std::set<fs::path> seen;
  for (const auto& root : candidate_roots(probe)) {
    const auto canonical = probe.canonical(root.path);
    if (!canonical || !seen.insert(*canonical).second || !looks_like_toolkit(probe, *canonical)) {
      continue;
    }
    ToolkitInfo toolkit;
    toolkit.path = canonical->string();
    toolkit.origin = root.origin;
    read_toolkit_version(probe, *canonical, toolkit);
    read_cudnn_version(probe, *canonical, toolkit);
    toolkits.push_back(std::move(toolkit));
  }
  return toolkits;
}

}  // namespace envsetup::detect
