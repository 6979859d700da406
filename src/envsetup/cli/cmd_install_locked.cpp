// SPDX-License-Identifier: Apache-2.0
// `envsetup install --locked FILE [--venv DIR] [--bundle DIR] ...`: flags -> app::run_locked_install
// -> summary.
#include <envsetup/app/locked_install.hpp>
#include <envsetup/cli/exit_codes.hpp>
#include <envsetup/cli/install_locked.hpp>
#include <envsetup/cli/output.hpp>
#include <envsetup/cli/progress.hpp>
#include <envsetup/util/strings.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>

namespace envsetup::cli {

namespace {

std::optional<std::string> non_empty(const std::string& text)
{
  return text.empty() ? std::nullopt : std::optional<std::string>(text);
}

// The flags that choose a plan: a lock has one already.
std::vector<std::string> plan_flags(const FrameworkFlags& framework, const FetchFlags& download)
{
  std::vector<std::string> given;
  const auto add = [&given](bool set, const char* flag) {
    if (set) {
      given.emplace_back(flag);
    }
  };
  add(!framework.framework.empty(), "--framework");
  add(!framework.with.empty(), "--with");
  add(framework.python.has_value(), "--python");
  add(framework.driver.has_value(), "--driver");
  add(!framework.gpus.empty(), "--gpu");
  add(framework.glibc.has_value(), "--glibc");
  add(framework.cpu, "--cpu");
  add(framework.dry_run, "--dry-run");
  add(framework.with_toolkit, "--with-toolkit");
  add(download.options.cuda.has_value(), "--cuda");
  add(download.options.cudnn.has_value(), "--cudnn");
  return given;
}

}  // namespace

void add_locked_flags(CLI::App& command, LockedFlags& flags)
{
  command.add_option("--locked", flags.lockfile,
                     "install exactly the wheels (and toolkit archives) of this lock, written by `envsetup lock`");
  command.add_option("--bundle", flags.bundle,
                     "with --locked: read every file from this bundle folder (`envsetup mirror --lock`), no network");
}

int install_locked(const LockedFlags& flags, const FrameworkFlags& framework, const FetchFlags& download,
                   const std::string& prefix, const std::string& store)
{
  if (const auto given = plan_flags(framework, download); !given.empty()) {
    return report_error(util::make_error(util::ErrorKind::usage, "--locked installs the lock's plan: " +
                                                                   util::join(given, ", ") + " cannot change it")
                          .with_hint("drop them, or make a new lock with `envsetup lock` and those flags"),
                        download.json);
  }
  app::LockedInstallOptions options;
  options.lockfile = flags.lockfile;
  options.venv = framework.venv;
  options.wheel_mirror = non_empty(framework.wheel_mirror);
  if (!flags.bundle.empty()) {
    options.bundle = flags.bundle;
  }
  options.force = framework.force;
  options.toolkit.fetch = download.options;
  options.toolkit.prefix = non_empty(prefix);
  options.toolkit.store = non_empty(store);
  options.toolkit.envsetup_version = ENVSETUP_VERSION;
  if (!framework.sysroot.empty()) {
    options.sysroot = framework.sysroot;
  }
  auto idle = idle_timeout(framework.idle_timeout);
  if (!idle) {
    return report_error(idle.error(), download.json);
  }
  if (*idle) {
    options.idle_timeout = **idle;
  }
  const ProgressStyle style = progress_style(download);
  auto outcome = app::run_locked_install(
    options, [style](std::uint64_t total) { return make_progress(style, total); },
    [&download](const app::FetchPlan& plan) { return progress_for(download, plan); });
  if (!outcome) {
    return report_error(outcome.error(), download.json);
  }
  if (download.json) {
    nlohmann::json result{{"event", "result"},
                          {"ok", true},
                          {"venv", outcome->venv.string()},
                          {"already_satisfied", outcome->already_satisfied},
                          {"changed", !outcome->already_satisfied},
                          {"wheels", outcome->wheels},
                          {"downloaded", outcome->downloaded},
                          {"bytes_transferred", outcome->bytes_transferred},
                          {"not_locked", outcome->not_locked},
                          {"log", outcome->log.string()},
                          {"activate", outcome->activate}};
    if (outcome->toolkit_prefix) {
      result["toolkit_prefix"] = outcome->toolkit_prefix->string();
    }
    std::cout << result.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    return k_exit_ok;
  }
  if (outcome->already_satisfied) {
    std::cout << "the lock is already installed in " << outcome->venv.string() << " (" << outcome->wheels
              << " wheels; nothing to do)\n";
  } else {
    std::cout << "installed " << outcome->wheels << " locked wheel(s) in " << outcome->venv.string() << " ("
              << outcome->downloaded << " downloaded, " << human_bytes(outcome->bytes_transferred) << ")\n";
    if (outcome->toolkit_prefix) {
      std::cout << "CUDA toolkit in " << outcome->toolkit_prefix->string() << '\n';
    }
    std::cout << "log: " << outcome->log.string() << '\n';
  }
  if (!outcome->not_locked.empty()) {
    std::cout << "not in the lock (left as they are): " << util::join(outcome->not_locked, ", ") << '\n';
  }
  std::cout << "to use it:  " << util::join(outcome->activate, " && ") << '\n';
  return k_exit_ok;
}

}  // namespace envsetup::cli
