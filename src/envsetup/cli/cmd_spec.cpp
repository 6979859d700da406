// SPDX-License-Identifier: Apache-2.0
// `envsetup spec`: resolve flags + format -> app::run_spec -> the spec on stdout or in a file.
#include <envsetup/app/lock_spec.hpp>
#include <envsetup/app/spec_command.hpp>
#include <envsetup/cli/commands.hpp>
#include <envsetup/cli/conflicts.hpp>
#include <envsetup/cli/exit_codes.hpp>
#include <envsetup/cli/output.hpp>
#include <envsetup/cli/resolve_flags.hpp>
#include <envsetup/util/strings.hpp>

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>

namespace envsetup::cli {

namespace {

struct SpecFlags {
  ResolveFlags resolve;
  app::SpecOptions options;
  std::string wheel_mirror;
  std::string output;
  std::string lock;
  bool force = false;  // --force: -o may replace an existing file
};

// `-o FILE` replaces nothing without --force: a usage error (exit 2) when FILE exists, a
// dangling link included (the spec would be written in its place).
util::Status check_output(const SpecFlags& flags)
{
  if (flags.output.empty() || flags.force) {
    return util::ok_status();
  }
  std::error_code error;
  const auto status = std::filesystem::symlink_status(flags.output, error);
  if (error || !std::filesystem::exists(status)) {
    return util::ok_status();
  }
  return util::make_error(util::ErrorKind::usage,
                          "`" + util::escape_control_characters(flags.output) + "` already exists")
    .with_cause("spec -o does not replace a file unless asked to")
    .with_hint("pass --force to replace it, or choose another -o path");
}

// `spec --lock FILE`: the locked set, not a fresh resolve.
int execute_locked(const SpecFlags& flags)
{
  if (!flags.options.with.empty() || !flags.wheel_mirror.empty() || !flags.resolve.options.framework.empty()) {
    return report_error(util::make_error(util::ErrorKind::usage, "--lock writes the locked set as it is")
                          .with_hint("drop --framework, --with and --wheel-mirror (lock again to change the set)"),
                        false);
  }
  app::LockSpecOptions options{flags.lock, flags.options.format, std::nullopt, ENVSETUP_VERSION};
  if (!flags.output.empty()) {
    options.output = flags.output;
  }
  auto outcome = app::run_lock_spec(options);
  if (!outcome) {
    return report_error(outcome.error(), false);
  }
  if (outcome->written) {
    std::cerr << "wrote " << outcome->written->string() << " (" << options.format << " spec of the lock, "
              << outcome->description << ")\n";
  } else {
    std::cout << outcome->text;
  }
  return k_exit_ok;
}

int execute(SpecFlags& flags)
{
  if (auto status = check_output(flags); !status) {
    return report_error(status.error(), false);
  }
  if (!flags.lock.empty()) {
    return execute_locked(flags);
  }
  if (flags.resolve.options.framework.empty()) {
    return report_error(util::make_error(util::ErrorKind::usage, "--framework is required")
                          .with_hint("run `envsetup spec --help` for its flags (or pass --lock FILE)"),
                        false);
  }
  const auto& resolve = flags.resolve.options;
  if (auto status = check_conflicts(
        {resolve.framework, resolve.cpu, resolve.cuda.has_value(), false, false, !flags.wheel_mirror.empty()});
      !status) {
    return report_error(status.error(), false);
  }
  auto options = flags.options;
  options.resolve = resolve_options(flags.resolve);
  if (!flags.wheel_mirror.empty()) {
    options.wheel_mirror = flags.wheel_mirror;
  }
  if (!flags.output.empty()) {
    options.output = flags.output;
  }
  options.envsetup_version = ENVSETUP_VERSION;
  auto outcome = app::run_spec(options);
  if (!outcome) {
    return report_error(outcome.error(), false);
  }
  if (!outcome->resolve.resolution.plan) {
    print_refusal(outcome->resolve);
    return k_exit_no_solution;
  }
  if (outcome->written) {
    std::cerr << "wrote " << outcome->written->string() << " (" << options.format << " spec for "
              << describe_request(outcome->resolve) << ")\n";
  } else {
    std::cout << outcome->text;
  }
  return k_exit_ok;
}

}  // namespace

void add_spec_command(CLI::App& app, CommandResult& result)
{
  auto flags = std::make_shared<SpecFlags>();
  auto* command = app.add_subcommand(
    "spec", "Write a resolved plan as requirements.txt, environment.yml, pixi.toml, Dockerfile or apptainer.def");
  command->footer(
    "Examples:\n"
    "  envsetup spec --format pip -f torch                # driver, GPUs and Python detected\n"
    "  envsetup spec --format pip -f torch==2.5.1 --with torchvision,torchaudio -o requirements.txt\n"
    "  envsetup spec --format conda -f tensorflow --driver 550.54.15 --gpu 8.6 -o environment.yml\n"
    "  envsetup spec --format pixi -f jax --python 3.12\n"
    "  envsetup spec --format docker -f torch --driver 550.54.15 --gpu 9.0 -o Dockerfile\n"
    "  envsetup spec --format apptainer -f torch --wheel-mirror http://mirror.lab/pytorch/whl/\n"
    "  envsetup spec --format pip --lock envsetup.lock -o requirements.txt   # --hash lines, no resolve\n"
    "Exit codes: 0 written, 2 usage error, 3 no combination works (see docs/cli.md and docs/specs.md).");
  command->add_option("--format", flags->options.format,
                      "what to write: " + util::join(app::spec_format_names(), ", "))
    ->required()
    ->check(CLI::IsMember(app::spec_format_names()));
  add_resolve_flags(*command, flags->resolve);
  command->get_option("--framework")->required(false);  // --lock needs none: checked in execute
  command->add_option("--with", flags->options.with,
                      "companion packages released with the framework, e.g. torchvision,torchaudio "
                      "(comma list or repeated)")
    ->delimiter(',');
  command->add_option("--wheel-mirror", flags->wheel_mirror,
                      "URL that replaces https://download.pytorch.org/whl/ (holds cu124/, cpu/, ...)");
  command->add_option("--lock", flags->lock,
                      "write the locked set of this lockfile (pip, docker, apptainer): every wheel pinned by "
                      "sha256, installed with --require-hashes --no-deps; resolve flags are not used");
  command->add_option("-o,--output", flags->output,
                      "write the spec to this file (atomically) instead of stdout; an existing file only with --force");
  command->add_flag("--force", flags->force, "let -o replace an existing file");
  command->callback([flags, &result] { result.exit_code = execute(*flags); });
}

}  // namespace envsetup::cli
