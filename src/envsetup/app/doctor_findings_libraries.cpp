// SPDX-License-Identifier: Apache-2.0
// Doctor findings about which CUDA libraries and tools the linker and the shell pick, and
// about broken venvs (docs/doctor.md).
#include <envsetup/app/doctor.hpp>

#include <algorithm>
#include <map>

namespace envsetup::app {

namespace {

// True when two versions disagree on a component both have (9 vs 9.1.0 agree).
bool differ(const core::Version& a, const core::Version& b)
{
  const std::size_t n = std::min(a.parts().size(), b.parts().size());
  return a.prefix(n) != b.prefix(n);
}

std::string folder_of(const std::string& path)
{
  return std::filesystem::path(path).parent_path().string();
}

std::string unset_fix(const detect::LibraryCopy& copy)
{
  if (copy.via == "LD_LIBRARY_PATH") {
    return "remove `" + folder_of(copy.path) +
           "` from LD_LIBRARY_PATH (e.g. export LD_LIBRARY_PATH=...without it, in ~/.bashrc too)";
  }
  return "remove `" + folder_of(copy.path) + "` from /etc/ld.so.conf.d/*.conf, then sudo ldconfig";
}

void shadowing(const detect::HostReport& report, const detect::EnvironmentFacts& facts,
               std::vector<Finding>& out)
{
  const detect::ToolkitInfo* home = nullptr;
  for (const auto& toolkit : report.toolkits) {
    if (facts.cuda_home && toolkit.path == *facts.cuda_home) {
      home = &toolkit;
    }
  }
  for (const auto& copy : facts.libraries) {
    const bool linker_path = copy.via == "LD_LIBRARY_PATH" || copy.via == "ld.so.conf";
    if (!linker_path || copy.library == "libcudnn.so" ||
        (home != nullptr && copy.path.starts_with(home->path + "/"))) {
      continue;
    }
    if (home != nullptr && home->version && copy.version.major() != home->version->major()) {
      out.push_back({Severity::warning, "library-shadowing",
                     copy.via + " shadows the toolkit's " + copy.library,
                     "`" + copy.path + "` (" + copy.via + ") is CUDA " + std::to_string(copy.version.major()) +
                       ", CUDA_HOME `" + home->path + "` is CUDA " + home->version->text(),
                     unset_fix(copy)});
    }
    if (copy.via != "LD_LIBRARY_PATH") {
      continue;  // a framework's RUNPATH wins over ld.so.conf, not over LD_LIBRARY_PATH
    }
    for (const auto& python : report.pythons) {
      for (const auto& framework : python.frameworks) {
        if (!framework.cuda || framework.cuda->empty()) {
          continue;
        }
        const auto cuda = core::Version::parse(*framework.cuda);
        if (cuda && cuda->major() != copy.version.major()) {
          out.push_back({Severity::warning, "library-shadowing",
                         "LD_LIBRARY_PATH shadows the CUDA libraries of " + framework.name + " " + framework.version,
                         "`" + copy.path + "` is CUDA " + std::to_string(copy.version.major()) + "; " +
                           framework.name + " in " + python.path + " is built for CUDA " + *framework.cuda,
                         unset_fix(copy)});
        }
      }
    }
  }
}

void cudnn_copies(const detect::EnvironmentFacts& facts, std::vector<Finding>& out)
{
  std::map<std::string, core::Version> per_folder;  // the most precise version of each folder
  for (const auto& copy : facts.libraries) {
    if (copy.library != "libcudnn.so" || copy.via == "toolkit") {
      continue;
    }
    auto [it, inserted] = per_folder.emplace(folder_of(copy.path), copy.version);
    if (!inserted && copy.version.parts().size() > it->second.parts().size()) {
      it->second = copy.version;
    }
  }
  std::string evidence;
  bool conflict = false;
  for (auto a = per_folder.begin(); a != per_folder.end(); ++a) {
    evidence += (evidence.empty() ? "" : "; ") + a->second.text() + " in `" + a->first + "`";
    for (auto b = std::next(a); b != per_folder.end(); ++b) {
      conflict = conflict || differ(a->second, b->second);
    }
  }
  if (conflict) {
    out.push_back({Severity::warning, "cudnn-copies",
                   "several cuDNN copies of different versions are reachable by the linker", evidence,
                   "keep one: remove the others' folders from LD_LIBRARY_PATH or /etc/ld.so.conf.d "
                   "(then sudo ldconfig), or uninstall the extra package"});
  }
}

void nvcc_mismatch(const detect::EnvironmentFacts& facts, std::vector<Finding>& out)
{
  if (!facts.nvcc_on_path || !facts.cuda_home ||
      facts.nvcc_on_path->starts_with(*facts.cuda_home + "/")) {
    return;
  }
  out.push_back({Severity::warning, "nvcc-mismatch",
                 "nvcc on PATH is from another toolkit than CUDA_HOME",
                 "PATH finds `" + *facts.nvcc_on_path + "`, CUDA_HOME is `" + *facts.cuda_home + "`",
                 "export PATH=\"" + *facts.cuda_home + "/bin:$PATH\"   # or point CUDA_HOME at `" +
                   std::filesystem::path(*facts.nvcc_on_path).parent_path().parent_path().string() +
                   "`"});
}

void broken_venvs(const detect::EnvironmentFacts& facts, std::vector<Finding>& out)
{
  for (const auto& venv : facts.venvs) {
    if (venv.python_runs) {
      continue;
    }
    std::string evidence = "`" + venv.python + "` does not resolve to an executable";
    evidence += venv.has_config ? "; pyvenv.cfg says home = " + venv.home
                                : "; there is no pyvenv.cfg: not a venv";
    out.push_back({Severity::error, "venv-python-missing",
                   "the venv `" + venv.path + "` has no working Python", evidence,
                   "python3 -m venv --clear " + venv.path +
                     "   # recreates it with a Python that exists; then reinstall its packages"});
  }
}

}  // namespace

void library_findings(const detect::HostReport& report, const detect::EnvironmentFacts& facts,
                      std::vector<Finding>& out)
{
  shadowing(report, facts, out);
  cudnn_copies(facts, out);
  nvcc_mismatch(facts, out);
  broken_venvs(facts, out);
}

}  // namespace envsetup::app
