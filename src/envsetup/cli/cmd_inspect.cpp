// SPDX-License-Identifier: Apache-2.0
// `envsetup inspect PATH... [--gpu CC ...] [--driver V] [--json]`.
#include <envsetup/app/inspect_command.hpp>
#include <envsetup/cli/commands.hpp>
#include <envsetup/cli/exit_codes.hpp>
#include <envsetup/cli/inspect_output.hpp>
#include <envsetup/cli/output.hpp>
#include <envsetup/matrix/gpu_names.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>

namespace envsetup::cli {

namespace {

struct InspectFlags {
  std::vector<std::string> paths;
  std::vector<std::string> gpus;
  std::string driver;
  std::string sysroot;
  std::string matrix_dir;
  bool json = false;
};

util::Result<app::InspectOptions> options_of(const InspectFlags& flags)
{
  app::InspectOptions options;
  for (const auto& path : flags.paths) {
    options.paths.emplace_back(path);
  }
  if (!flags.matrix_dir.empty()) {
    options.matrix.directory = flags.matrix_dir;
  }
  // A name (`--gpu a100`) needs the matrix's chip table: loaded only then.
  std::optional<matrix::Matrix> chips;
  for (const auto& text : flags.gpus) {
    if (!chips && !core::ComputeCapability::parse(text)) {
      auto loaded = app::load_matrix_for(app::with_environment(options.matrix), "none");
      if (!loaded) {
        return std::move(loaded).error();
      }
      chips = std::move(loaded).value();
    }
    auto gpu = chips ? matrix::parse_gpu(*chips, text) : matrix::parse_gpu(matrix::Matrix{}, text);
    if (!gpu) {
      return std::move(gpu).error();
    }
    if (std::find(options.gpus.begin(), options.gpus.end(), gpu->capability) == options.gpus.end()) {
      options.gpus.push_back(gpu->capability);
    }
  }
  if (!flags.driver.empty()) {
    auto driver = core::Version::parse(flags.driver);
    if (!driver) {
      return util::make_error(util::ErrorKind::usage, "--driver " + flags.driver + ": not a driver version")
        .with_hint("give the version `nvidia-smi` prints, e.g. --driver 550.54.15");
    }
    options.driver = *driver;
  }
  if (!flags.sysroot.empty()) {
    options.sysroot = flags.sysroot;
  }
  return options;
}

int execute(const InspectFlags& flags)
{
  auto options = options_of(flags);
  if (!options) {
    return report_error(options.error(), flags.json);
  }
  auto report = app::run_inspect(*options);
  if (!report) {
    return report_error(report.error(), flags.json);
  }
  if (flags.json) {
    std::cout << inspect_json(*report) << '\n';
  } else {
    print_inspect_report(std::cout, *report);
  }
  return inspect_exit_code(*report);
}

}  // namespace

void add_inspect_command(CLI::App& app, CommandResult& result)
{
  auto flags = std::make_shared<InspectFlags>();
  auto* command = app.add_subcommand(
    "inspect", "Read the GPU code CUDA libraries carry (SASS, PTX) and say how each runs on the GPUs");
  command->footer(
    "PATH is a shared library or object, a folder (walked for *.so* and *.o), a venv (its\n"
    "site-packages, grouped by the installed distributions) or a .whl (read without extracting).\n"
    "Examples:\n"
    "  envsetup inspect ~/venvs/torch\n"
    "  envsetup inspect torch-2.5.1+cu124-cp311-cp311-linux_x86_64.whl --gpu 12.0 --driver 550.54.15\n"
    "  envsetup inspect build/lib/my_ext.so --gpu 8.6 --gpu 9.0 --json\n"
    "Exit 0 when every library runs on every GPU, 6 when one cannot (\"no kernel image\"),\n"
    "5 or 1 when a file could not be read (docs/inspect.md).");
  command->add_option("PATH", flags->paths, "libraries, objects, folders, venvs or wheels")->required();
  command
    ->add_option("--gpu", flags->gpus,
                 "a GPU to check: compute capability (8.6, sm_90, 120) or name (a100, \"RTX 3090\"); repeatable; "
                 "default: the detected GPUs")
    ->delimiter(',');
  command->add_option("--driver", flags->driver,
                      "the driver version to check PTX JIT against (550.54.15); default: the detected driver");
  command->add_option("--sysroot", flags->sysroot,
                      "detect the GPUs and driver below this folder (default: ENVSETUP_SYSROOT or /)");
  command->add_option("--matrix", flags->matrix_dir,
                      "read the compatibility matrix from this folder instead of the built-in one");
  command->add_flag("--json", flags->json, "print the report as JSON on stdout");
  command->callback([flags, &result] { result.exit_code = execute(*flags); });
}

}  // namespace envsetup::cli
