// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/inspect_command.hpp>

#include <envsetup/app/detect_command.hpp>
#include <envsetup/app/inspect_sources.hpp>
#include <envsetup/detect/detect.hpp>

#include <algorithm>

namespace envsetup::app {

namespace fs = std::filesystem;

bool InspectedLibrary::runs_everywhere() const
{
  return std::all_of(coverage.begin(), coverage.end(), [](const LibraryCoverage& c) {
    return c.run.how == resolve::RunKind::sass ||
           (c.run.how == resolve::RunKind::ptx_jit && c.run.driver_can_jit.value_or(true));
  });
}

std::string InspectedLibrary::file_name() const
{
  const auto slash = path.find_last_of("/!");
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool InspectReport::ok() const
{
  return problems.empty() && std::all_of(libraries.begin(), libraries.end(),
                                         [](const InspectedLibrary& l) { return l.runs_everywhere(); });
}

namespace {

// How `library` runs on each GPU: the union of its targets decides (the driver picks any unit
// that has code); units without code are counted per GPU.
void add_coverage(InspectedLibrary& library, const InspectTargets& targets, const matrix::Matrix& matrix)
{
  const auto all = library.code.targets();
  for (const auto& gpu : targets.gpus) {
    LibraryCoverage coverage{resolve::run_on(all, gpu, targets.driver_cuda, matrix), 0};
    for (const auto& fatbin : library.code.fatbins) {
      std::vector<core::CodeTarget> unit;
      unit.reserve(fatbin.entries.size());
      for (const auto& entry : fatbin.entries) {
        unit.push_back(entry.code);
      }
      if (!core::best_match(unit, gpu)) {
        ++coverage.units_without_code;
      }
    }
    library.coverage.push_back(std::move(coverage));
  }
}

}  // namespace

util::Result<InspectReport> inspect_paths(const std::vector<fs::path>& paths, const InspectTargets& targets,
                                          const matrix::Matrix& matrix)
{
  InspectReport report;
  report.targets = targets;
  SeenFiles seen;
  for (const auto& path : paths) {
    ENVSETUP_TRY(collect_path(path, report, seen));
  }
  for (auto& library : report.libraries) {
    add_coverage(library, targets, matrix);
  }
  add_matrix_checks(report, matrix);
  return report;
}

util::Result<InspectReport> run_inspect(const InspectOptions& options)
{
  auto matrix = load_matrix(with_environment(options.matrix));
  if (!matrix) {
    return std::move(matrix).error();
  }
  InspectTargets targets;
  std::string gpu_source = "--gpu";
  targets.gpus = options.gpus;
  if (options.gpus.empty() || !options.driver) {
    auto probe = make_probe(options.sysroot);
    if (!probe) {
      return std::move(probe).error();
    }
    detect::HostReport host;
    detect::detect_driver_and_gpus(*probe, *matrix, host);
    if (options.gpus.empty()) {
      gpu_source = "detected";
      for (const auto& gpu : host.gpus) {
        if (gpu.compute_capability &&
            std::find(targets.gpus.begin(), targets.gpus.end(), *gpu.compute_capability) == targets.gpus.end()) {
          targets.gpus.push_back(*gpu.compute_capability);
        }
      }
    }
    if (!options.driver && host.driver) {
      targets.driver = host.driver->version;
      targets.driver_cuda = host.driver->cuda_version;
    }
  }
  if (options.driver) {
    targets.driver = options.driver;
    targets.driver_cuda = resolve::cuda_for_driver(*options.driver, *matrix);
    if (!targets.driver_cuda) {
      return util::make_error(util::ErrorKind::usage,
                              "driver " + options.driver->text() + " is older than every CUDA release the matrix knows")
        .with_hint("give the driver version as `nvidia-smi` prints it, e.g. --driver 535.104.05");
    }
  }
  auto report = inspect_paths(options.paths, targets, *matrix);
  if (!report) {
    return report;
  }
  report->gpu_source = targets.gpus.empty() ? "none" : gpu_source;
  if (targets.gpus.empty()) {
    report->warnings.push_back({"no-gpu", "",
                                "no GPU was given (--gpu) or detected: the targets are listed without coverage"});
  }
  return report;
}

}  // namespace envsetup::app
