// SPDX-License-Identifier: Apache-2.0
// `envsetup detect`.
#include <envsetup/app/detect_command.hpp>
#include <envsetup/cli/commands.hpp>
#include <envsetup/cli/detect_output.hpp>
#include <envsetup/cli/exit_codes.hpp>
#include <envsetup/cli/output.hpp>

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

namespace envsetup::cli {

namespace {

struct DetectFlags {
  std::string sysroot;
  std::string matrix_dir;
  bool json = false;
};

int execute(const DetectFlags& flags)
{
  app::DetectOptions options;
  if (!flags.sysroot.empty()) {
    options.sysroot = flags.sysroot;
  }
  if (!flags.matrix_dir.empty()) {
    options.matrix.directory = flags.matrix_dir;
  }
  auto report = app::run_detect(options);
  if (!report) {
    return report_error(report.error(), flags.json);
  }
  if (flags.json) {
    std::cout << host_report_json(*report) << '\n';
  } else {
    print_host_report(std::cout, *report);
  }
  return k_exit_ok;
}

}  // namespace

void add_detect_command(CLI::App& app, CommandResult& result)
{
  auto flags = std::make_shared<DetectFlags>();
  auto* command = app.add_subcommand(
    "detect", "Report the driver, GPUs, CUDA toolkits, cuDNN, Pythons and frameworks of this host");
  command->footer(
    "Examples:\n"
    "  envsetup detect\n"
    "  envsetup detect --json\n"
    "  envsetup detect --sysroot /mnt/other-root     # inspect another root file system\n"
    "  ENVSETUP_GPUS=8.6,8.9 ENVSETUP_DRIVER_VERSION=550.54.15 envsetup detect   # overrides\n"
    "A missing or unreadable source is a warning, never a failure (exit 0).");
  command->add_option("--sysroot", flags->sysroot,
                      "read every host file below this folder (default: ENVSETUP_SYSROOT or /)");
  command->add_option("--matrix", flags->matrix_dir,
                      "read the compatibility matrix from this folder instead of the built-in one");
  command->add_flag("--json", flags->json, "print the report as JSON on stdout");
  command->callback([flags, &result] { result.exit_code = execute(*flags); });
}

}  // namespace envsetup::cli
