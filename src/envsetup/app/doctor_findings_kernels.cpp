// SPDX-License-Identifier: Apache-2.0
// Doctor findings from the binaries of a venv: "no-kernel-image", "ptx-jit-driver-too-old",
// "unreadable-library" (docs/doctor.md).
#include <envsetup/app/inspect_sources.hpp>
#include <envsetup/app/kernel_checks.hpp>
#include <envsetup/util/strings.hpp>

#include <algorithm>
#include <map>

namespace envsetup::app {

namespace fs = std::filesystem;

namespace {

struct Trouble {
  std::vector<std::string> gpus;       // "sm_120"
  std::vector<std::string> libraries;  // "libflash.so (sm_80 sm_90)"
  bool jit_only = true;                // every GPU has PTX the driver is too old for
  std::optional<core::Version> needs_cuda;
};

void add_unique(std::vector<std::string>& items, const std::string& item)
{
  if (std::find(items.begin(), items.end(), item) == items.end()) {
    items.push_back(item);
  }
}

// "8.6;9.0": the GPUs in TORCH_CUDA_ARCH_LIST notation.
std::string arch_list(const std::vector<core::ComputeCapability>& gpus)
{
  std::string text;
  for (const auto& gpu : gpus) {
    text += (text.empty() ? "" : ";") + gpu.text();
  }
  return text;
}

}  // namespace

void kernel_findings(const InspectReport& report, const matrix::Matrix& matrix, const fs::path& venv,
                     const std::function<std::string(const std::string& framework, const std::string& installed)>& install_line,
                     std::vector<Finding>& out)
{
  // Per distribution ("" for files no RECORD names), what cannot run where.
  std::map<std::string, Trouble> troubles;
  std::map<std::string, std::string> versions;
  for (const auto& package : report.packages) {
    versions[package.name] = package.version;
  }
  for (const auto& library : report.libraries) {
    for (const auto& coverage : library.coverage) {
      const auto& run = coverage.run;
      const bool blocked = run.how == resolve::RunKind::ptx_jit && run.driver_can_jit == false;
      if (run.how != resolve::RunKind::none && !blocked) {
        continue;
      }
      auto& trouble = troubles[library.package];
      add_unique(trouble.gpus, run.gpu.sm_name());
      std::string targets;
      for (const auto& target : library.code.targets()) {
        targets += (targets.empty() ? "" : " ") + target.target.text();
      }
      add_unique(trouble.libraries, library.file_name() + " (" + targets + ")");
      trouble.jit_only = trouble.jit_only && blocked;
      if (blocked && run.jit_needs_cuda && (!trouble.needs_cuda || *trouble.needs_cuda < *run.jit_needs_cuda)) {
        trouble.needs_cuda = run.jit_needs_cuda;
      }
    }
  }
  for (const auto& [package, trouble] : troubles) {
    const std::string who = package.empty() ? "a library in " + venv.string()
                                            : package + " " + versions[package];
    const std::string evidence = util::join(trouble.libraries, "; ") + " (read from the binaries)";
    if (trouble.jit_only) {
      out.push_back({Severity::error, "ptx-jit-driver-too-old",
                     who + " reaches GPU " + util::join(trouble.gpus, ", ") + " only through PTX the driver is too old to JIT",
                     evidence, "upgrade the NVIDIA driver to one for CUDA " +
                                 (trouble.needs_cuda ? trouble.needs_cuda->text() : std::string("newer")) +
                                 " or later, or install a build with SASS for " + util::join(trouble.gpus, ", ")});
      continue;
    }
    std::string fix;
    const auto* framework = package.empty() ? nullptr : framework_of_distribution(matrix, package);
    if (framework != nullptr) {
      const std::string line = install_line(framework->name, versions[package]);
      fix = line.empty() ? "envsetup resolve --framework " + framework->name + "   # explains why no build fits"
                         : line + "   # the build the resolver picks for these GPUs";
    } else {
      std::vector<core::ComputeCapability> gpus;
      for (const auto& name : trouble.gpus) {
        if (auto gpu = core::ComputeCapability::parse(name)) {
          gpus.push_back(*gpu);
        }
      }
      fix = "rebuild it for these GPUs, e.g. TORCH_CUDA_ARCH_LIST=\"" + arch_list(gpus) + "\" " +
            (venv / "bin" / "python").string() + " -m pip install --no-build-isolation --no-binary :all: " +
            "--force-reinstall " + (package.empty() ? std::string("<its package>") : package) +
            "   # or ask its publisher for a build with " + util::join(trouble.gpus, ", ");
    }
    out.push_back({Severity::error, "no-kernel-image",
                   who + " has no code GPU " + util::join(trouble.gpus, ", ") + " can run (\"no kernel image is available\")",
                   evidence, fix});
  }
  for (const auto& problem : report.problems) {
    out.push_back({Severity::warning, "unreadable-library", "cannot read the CUDA code of " + problem.path,
                   problem.error.message + (problem.error.causes.empty() ? "" : ": " + problem.error.causes.front()),
                   "reinstall the package that owns it"});
  }
}

}  // namespace envsetup::app
