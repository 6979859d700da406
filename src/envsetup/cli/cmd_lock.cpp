// SPDX-License-Identifier: Apache-2.0
// `envsetup lock --framework SPEC [resolve flags] [--with ...] [--wheel-mirror URL] [-o FILE]`
// (docs/lockfile.md).
#include <envsetup/app/lock_command.hpp>
#include <envsetup/cli/commands.hpp>
#include <envsetup/cli/conflicts.hpp>
#include <envsetup/cli/exit_codes.hpp>
#include <envsetup/cli/fetch_flags.hpp>
#include <envsetup/cli/install_framework.hpp>
#include <envsetup/cli/output.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

namespace envsetup::cli {

namespace {

struct LockFlags {
  FetchFlags download;
  FrameworkFlags framework;
  std::string output = "envsetup.lock";
};

int lock(LockFlags& flags)
{
  auto& download = flags.download;
  finish_options(download);
  const FrameworkFlags& f = flags.framework;
  if (f.framework.empty() || f.dry_run || f.force) {
    return report_error(
      util::make_error(util::ErrorKind::usage, f.framework.empty() ? "`envsetup lock` needs --framework"
                                                                   : "--dry-run and --force do not apply to lock")
        .with_hint("e.g. `envsetup lock --framework torch==2.5.1 --python 3.11 -o envsetup.lock`"),
      download.json);
  }
  if (auto status = check_conflicts({f.framework, f.cpu, download.options.cuda.has_value(),
                                     download.options.cudnn.has_value(), f.with_toolkit, !f.wheel_mirror.empty()});
      !status) {
    return report_error(status.error(), download.json);
  }
  app::LockOptions options;
  options.install = framework_install_options(f, download);
  options.output = flags.output;
  options.envsetup_version = ENVSETUP_VERSION;
  if (auto here = app::check_platform_here(options.install.resolve); !here) {
    return report_error(here.error(), download.json);
  }
  auto outcome = app::run_lock(options);
  if (!outcome) {
    return report_error(outcome.error(), download.json);
  }
  const auto& locked = outcome->lockfile;
  if (download.json) {
    std::cout << nlohmann::json{{"event", "result"},
                                {"ok", true},
                                {"lockfile", outcome->written.string()},
                                {"framework", locked.framework + " " + locked.version.text() + " " + locked.variant},
                                {"python", locked.host.python.text()},
                                {"wheels", locked.wheels.size()},
                                {"archives", locked.archives.size()}}
                   .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
              << '\n';
    return k_exit_ok;
  }
  std::cout << "locked " << locked.display_name << ' ' << locked.version.text() << " (" << locked.variant
            << ") for Python " << locked.host.python.text() << ": " << locked.wheels.size() << " wheel(s)";
  if (!locked.archives.empty()) {
    std::cout << ", " << locked.archives.size() << " NVIDIA archive(s)";
  }
  std::cout << " in " << outcome->written.string() << '\n';
  return k_exit_ok;
}

}  // namespace

void add_lock_command(CLI::App& app, CommandResult& result)
{
  auto flags = std::make_shared<LockFlags>();
  auto* command = app.add_subcommand("lock", "Resolve a framework install to every wheel and archive, with hashes");
  command->footer(
    "Examples:\n"
    "  envsetup lock --framework torch==2.5.1 --python 3.11 --with torchvision -o envsetup.lock\n"
    "  envsetup lock --framework torch --gpu 9.0 --driver 560.35.03 --wheel-mirror http://mirror.lab/whl/\n"
    "The lock records the host requirements, the plan, every wheel (sha256, size) and, with a toolkit,\n"
    "every NVIDIA archive. Install it with `envsetup install --locked FILE`. Format: docs/lockfile.md.");
  add_download_flags(*command, flags->download);
  add_framework_flags(*command, flags->framework);
  command->add_option("-o,--output", flags->output, "the lockfile to write (default ./envsetup.lock)");
  command->callback([flags, &result] { result.exit_code = lock(*flags); });
}

}  // namespace envsetup::cli
