// SPDX-License-Identifier: Apache-2.0
// Python interpreters and the frameworks installed in them, read from package metadata on
// disk: no interpreter is started and nothing is imported.
#include <envsetup/detect/detect.hpp>
#include <envsetup/detect/parsers.hpp>
#include <envsetup/util/strings.hpp>

#include <algorithm>
#include <set>

namespace envsetup::detect {

namespace {

namespace fs = std::filesystem;

struct Candidate {
  fs::path path;
  std::string origin;
};

bool is_interpreter_name(const std::string& name)
{
  if (name == "python" || name == "python3") {
    return true;
  }
  if (!name.starts_with("python3.")) {
    return false;
  }
  int minor = 0;
  return util::parse_non_negative(std::string_view(name).substr(8), minor);
}

std::vector<Candidate> candidates(const SystemProbe& probe)
{
  std::vector<Candidate> found;
  if (auto venv = probe.env("VIRTUAL_ENV")) {
    found.push_back({fs::path(*venv) / "bin" / "python", "venv"});
  }
  if (auto conda = probe.env("CONDA_PREFIX")) {
    found.push_back({fs::path(*conda) / "bin" / "python", "conda"});
  }
  for (const auto& dir : probe.env_paths("PATH")) {
    if (dir.string().find("/shims") != std::string::npos) {
      continue;  // pyenv shims are shell scripts that dispatch; the versions follow below
    }
    for (const auto& name : probe.list_dir(dir)) {
      if (is_interpreter_name(name)) {
        found.push_back({dir / name, "PATH"});
      }
    }
  }
  std::optional<fs::path> pyenv;
  if (auto root = probe.env("PYENV_ROOT")) {
    pyenv = fs::path(*root);
  } else if (auto home = probe.home()) {
    pyenv = *home / ".pyenv";
  }
  if (pyenv) {
    for (const auto& version : probe.list_dir(*pyenv / "versions")) {
      found.push_back({*pyenv / "versions" / version / "bin" / "python3", "pyenv"});
    }
  }
  // uv's managed interpreters: $UV_PYTHON_INSTALL_DIR, else $XDG_DATA_HOME/uv/python, else
  // ~/.local/share/uv/python; one folder per interpreter (cpython-3.12.7-linux-x86_64-gnu).
  std::optional<fs::path> uv;
  if (auto dir = probe.env("UV_PYTHON_INSTALL_DIR")) {
    uv = fs::path(*dir);
  } else if (auto data = probe.env("XDG_DATA_HOME")) {
    uv = fs::path(*data) / "uv" / "python";
  } else if (auto home = probe.home()) {
    uv = *home / ".local" / "share" / "uv" / "python";
  }
  if (uv) {
    for (const auto& install : probe.list_dir(*uv)) {
      found.push_back({*uv / install / "bin" / "python3", "uv"});
    }
  }
  if (auto home = probe.home()) {
    for (const char* name : {"miniconda3", "anaconda3", "mambaforge", "miniforge3"}) {
      const fs::path base = *home / name;
      found.push_back({base / "bin" / "python", "conda"});
      for (const auto& env : probe.list_dir(base / "envs")) {
        found.push_back({base / "envs" / env / "bin" / "python", "conda"});
      }
    }
  }
  return found;
}

// X.Y from, in order: the interpreter's resolved file name (python3.11), the venv's
// pyvenv.cfg, the single lib/pythonX.Y folder of its prefix.
std::optional<core::Version> interpreter_version(const SystemProbe& probe, const fs::path& path,
                                                 const fs::path& resolved)
{
  const std::string name = resolved.filename().string();
  if (name.starts_with("python3.")) {
    if (auto version = core::Version::parse(name.substr(6)); version && version->parts().size() == 2) {
      return *version;
    }
  }
  if (auto config = probe.read_file(path.parent_path().parent_path() / "pyvenv.cfg", 65536)) {
    for (const auto line : util::split(*config, '\n')) {
      const auto eq = line.find('=');
      if (eq == std::string_view::npos) {
        continue;
      }
      const auto key = util::trim(line.substr(0, eq));
      if (key == "version" || key == "version_info") {
        const auto fields = util::split(util::trim(line.substr(eq + 1)), '.');
        if (fields.size() >= 2) {
          auto version = core::Version::parse(std::string(fields[0]) + "." + std::string(fields[1]));
          if (version) {
            return *version;
          }
        }
      }
    }
  }
  std::optional<core::Version> found;
  for (const auto& entry : probe.list_dir(resolved.parent_path().parent_path() / "lib")) {
    if (entry.starts_with("python3.")) {
      auto version = core::Version::parse(entry.substr(6));
      if (version && found) {
        return std::nullopt;  // several: ambiguous
      }
      if (version) {
        found = *version;
      }
    }
  }
  return found;
}

std::vector<fs::path> site_dirs(const SystemProbe& probe, const fs::path& path,
                                const fs::path& resolved, const core::Version& version)
{
  const std::string python = "python" + version.text();
  const fs::path env_prefix = path.parent_path().parent_path();
  if (probe.is_file(env_prefix / "pyvenv.cfg")) {
    return {env_prefix / "lib" / python / "site-packages"};
  }
  const fs::path prefix = resolved.parent_path().parent_path();
  std::vector<fs::path> dirs = {prefix / "lib" / python / "site-packages",
                                prefix / "lib" / python / "dist-packages",
                                prefix / "lib" / "python3" / "dist-packages",
                                prefix / "local" / "lib" / python / "dist-packages"};
  if (auto home = probe.home()) {
    dirs.push_back(*home / ".local" / "lib" / python / "site-packages");
  }
  return dirs;
}

// "cu124" -> "12.4", "cu118" -> "11.8"; nullopt for anything else.
std::optional<std::string> cuda_from_local_tag(const std::string& local)
{
  if (!local.starts_with("cu") || local.size() < 5) {
    return std::nullopt;
  }
  const std::string digits = local.substr(2, 3);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return digits.substr(0, 2) + "." + digits.substr(2);
}

void read_frameworks(const SystemProbe& probe, const fs::path& site, PythonInfo& python)
{
  const auto entries = probe.list_dir(site);
  std::set<std::string> names;
  std::vector<DistributionName> distributions;
  for (const auto& entry : entries) {
    if (auto parsed = parse_distribution_dir(entry)) {
      names.insert(parsed->name);
      distributions.push_back(std::move(*parsed));
    }
  }
  for (const auto& dist : distributions) {
    FrameworkInfo framework{dist.name, dist.version, std::nullopt};
    if (dist.name == "torch") {
      if (auto text = probe.read_file(site / "torch" / "version.py", 65536)) {
        framework.cuda = parse_torch_version_py(*text);
      }
      if (!framework.cuda) {
        framework.cuda = dist.local == "cpu" ? std::optional<std::string>("")
                                              : cuda_from_local_tag(dist.local);
      }
    } else if (dist.name == "tensorflow" || dist.name == "tensorflow_cpu") {
      framework.name = "tensorflow";
      if (auto text = probe.read_file(site / "tensorflow" / "python" / "platform" / "build_info.py",
                                      65536)) {
        framework.cuda = parse_tensorflow_build_info(*text);
      }
    } else if (dist.name == "jax") {
      framework.cuda = names.count("jax_cuda13_plugin") != 0   ? "13"
                       : names.count("jax_cuda12_plugin") != 0 ? "12"
                                                                : "";
    } else if (dist.name != "numpy") {
      continue;
    }
    python.frameworks.push_back(std::move(framework));
  }
}

}  // namespace

std::vector<PythonInfo> detect_pythons(const SystemProbe& probe)
{
  std::vector<PythonInfo> pythons;
  std::set<fs::path> seen_interpreters;
  for (const auto& candidate : candidates(probe)) {
    if (!probe.is_executable(candidate.path)) {
      continue;
    }
    const auto resolved = probe.canonical(candidate.path);
    // A venv's python links to its base interpreter: keep both, but each venv once.
    const bool venv = probe.is_file(candidate.path.parent_path().parent_path() / "pyvenv.cfg");
    const fs::path identity = venv ? candidate.path.parent_path().parent_path() : *resolved;
    if (!seen_interpreters.insert(identity).second) {
      continue;
    }
    PythonInfo python;
    python.path = candidate.path.string();
    python.origin = venv && candidate.origin == "PATH" ? "venv" : candidate.origin;
    python.version = interpreter_version(probe, candidate.path, *resolved);
    if (python.version) {
      std::set<fs::path> seen_sites;
      for (const auto& site : site_dirs(probe, candidate.path, *resolved, *python.version)) {
        const auto canonical_site = probe.canonical(site);
        if (canonical_site && seen_sites.insert(*canonical_site).second) {
          read_frameworks(probe, *canonical_site, python);
        }
      }
    }
    pythons.push_back(std::move(python));
  }
  return pythons;
}

}  // namespace envsetup::detect
