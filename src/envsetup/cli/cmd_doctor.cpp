// SPDX-License-Identifier: Apache-2.0
// `envsetup doctor`, and the hidden `envsetup check-framework` (check 4 alone, for tests and
// scripts).
#include <envsetup/app/doctor.hpp>
#include <envsetup/cli/commands.hpp>
#include <envsetup/cli/doctor_output.hpp>
#include <envsetup/cli/exit_codes.hpp>
#include <envsetup/cli/output.hpp>

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

namespace envsetup::cli {

namespace {

struct DoctorFlags {
  std::string sysroot;
  std::string matrix_dir;
  std::string venv;
  std::string prefix;
  int timeout_s = 180;
  bool json = false;
};

struct FrameworkFlags {
  std::string python;
  std::string framework;
  int timeout_s = 180;
  bool expect_gpu = false;
  bool json = false;
};

int execute(const DoctorFlags& flags)
{
  app::DoctorOptions options;
  if (!flags.sysroot.empty()) {
    options.sysroot = flags.sysroot;
  }
  if (!flags.matrix_dir.empty()) {
    options.matrix.directory = flags.matrix_dir;
  }
  if (!flags.venv.empty()) {
    options.venv = flags.venv;
  }
  if (!flags.prefix.empty()) {
    options.prefix = flags.prefix;
  }
  options.timeout = std::chrono::seconds(flags.timeout_s);
  auto report = app::run_doctor(options);
  if (!report) {
    return report_error(report.error(), flags.json);
  }
  if (flags.json) {
    std::cout << doctor_json(*report) << '\n';
  } else {
    print_doctor_report(std::cout, *report);
  }
  return report->ok() ? k_exit_ok : k_exit_verification;
}

int execute(const FrameworkFlags& flags)
{
  auto checks = app::run_framework_check(flags.python, flags.framework, flags.expect_gpu,
                                         std::chrono::seconds(flags.timeout_s));
  if (!checks) {
    return report_error(checks.error(), flags.json);
  }
  if (flags.json) {
    std::cout << checks_json(*checks) << '\n';
  } else {
    print_checks(std::cout, *checks);
  }
  return verify::all_passed(*checks) ? k_exit_ok : k_exit_verification;
}

}  // namespace

void add_doctor_command(CLI::App& app, CommandResult& result)
{
  auto flags = std::make_shared<DoctorFlags>();
  auto* command = app.add_subcommand(
    "doctor", "Find what stands between this host and a working GPU framework, and how to fix it");
  command->footer(
    "Examples:\n"
    "  envsetup doctor\n"
    "  envsetup doctor --venv ~/venvs/torch --json      # also runs the framework checks there\n"
    "  envsetup doctor --prefix /usr/local/cuda-12.4     # also checks that toolkit\n"
    "Exit 0 when no finding is an error, 6 otherwise (docs/doctor.md lists every finding).");
  command->add_option("--venv", flags->venv,
                      "a virtual environment: detect it and run the torch/tensorflow/jax checks in it");
  command->add_option("--prefix", flags->prefix, "a CUDA toolkit prefix to check (nvcc, libraries, SGEMM)");
  command->add_option("--sysroot", flags->sysroot,
                      "read every host file below this folder (default: ENVSETUP_SYSROOT or /)");
  command->add_option("--matrix", flags->matrix_dir,
                      "read the compatibility matrix from this folder instead of the built-in one");
  command->add_option("--timeout", flags->timeout_s, "seconds each framework check may take (default 180)")
    ->check(CLI::PositiveNumber);
  command->add_flag("--json", flags->json, "print {ok, findings, checks} as JSON on stdout");
  command->callback([flags, &result] { result.exit_code = execute(*flags); });

  auto framework_flags = std::make_shared<FrameworkFlags>();
  auto* hidden = app.add_subcommand("check-framework", "Run one framework check script in an interpreter");
  hidden->group("");  // hidden: for tests and scripts; `envsetup verify` is the user's command
  hidden->add_option("--python", framework_flags->python, "the interpreter")->required();
  hidden->add_option("--framework", framework_flags->framework, "torch, tensorflow or jax")->required();
  hidden->add_option("--timeout", framework_flags->timeout_s, "seconds the script may take")
    ->check(CLI::PositiveNumber);
  hidden->add_flag("--expect-gpu", framework_flags->expect_gpu, "a GPU-less answer is a failure");
  hidden->add_flag("--json", framework_flags->json, "print {ok, checks} as JSON on stdout");
  hidden->callback([framework_flags, &result] { result.exit_code = execute(*framework_flags); });
}

}  // namespace envsetup::cli
