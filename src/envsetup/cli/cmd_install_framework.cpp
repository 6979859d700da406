// SPDX-License-Identifier: Apache-2.0
// `envsetup install --framework SPEC [--venv DIR] ...`: flags -> app::plan_framework_install
// -> (dry run: print) -> app::run_framework_install -> summary.
#include <envsetup/app/framework_install.hpp>
#include <envsetup/cli/conflicts.hpp>
#include <envsetup/cli/exit_codes.hpp>
#include <envsetup/cli/install_framework.hpp>
#include <envsetup/cli/output.hpp>
#include <envsetup/cli/plan_json.hpp>
#include <envsetup/cli/progress.hpp>
#include <envsetup/cli/resolve_flags.hpp>
#include <envsetup/util/strings.hpp>
#include <envsetup/util/template.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>

namespace envsetup::cli {

namespace {

std::string shell_line(const std::vector<std::string>& argv)
{
  std::vector<std::string> words;
  for (const auto& word : argv) {
    words.push_back(util::shell_word(word));
  }
  return util::join(words, " ");
}

// The toolkit step as `envsetup install` would be typed for it: the plan's versions plus every
// option the run passes on to that step (prefix, store, mirror, cache, ...), so that running
// the printed line does exactly what the install would.
std::string toolkit_line(const app::FrameworkInstallPlan& plan, const app::InstallOptions& toolkit)
{
  std::vector<std::string> argv{"envsetup", "install", "--cuda", *plan.toolkit_cuda};
  const auto add = [&argv](const char* flag, const std::string& value) {
    argv.emplace_back(flag);
    argv.push_back(value);
  };
  if (plan.toolkit_cudnn) {
    add("--cudnn", *plan.toolkit_cudnn);
  }
  const auto& fetch = toolkit.fetch;
  if (fetch.components != "devel") {
    add("--components", fetch.components);
  }
  if (toolkit.prefix) {
    add("--prefix", toolkit.prefix->string());
  }
  if (toolkit.store) {
    add("--store", toolkit.store->string());
  }
  if (fetch.mirror) {
    add("--mirror", *fetch.mirror);
  }
  if (fetch.cache_dir) {
    add("--cache", fetch.cache_dir->string());
  }
  if (fetch.cacert) {
    add("--cacert", fetch.cacert->string());
  }
  if (fetch.jobs != app::FetchOptions{}.jobs) {
    add("--jobs", std::to_string(fetch.jobs));
  }
  if (fetch.matrix.directory) {
    add("--matrix", fetch.matrix.directory->string());
  }
  if (fetch.offline) {
    argv.emplace_back("--offline");
  }
  return shell_line(argv);
}

// Every command the install runs, in order, as the user could type them.
std::vector<std::string> command_lines(const app::FrameworkInstallPlan& plan, const app::InstallOptions& toolkit)
{
  std::vector<std::string> lines;
  if (plan.toolkit_cuda) {
    lines.push_back(toolkit_line(plan, toolkit));
  }
  if (plan.venv_action == app::VenvAction::recreate) {
    std::vector<std::string> parts;
    for (const auto& part : plan.venv_parts) {
      parts.push_back((plan.venv / part).string());
    }
    lines.push_back("rm -rf " + shell_line(parts));
  }
  if (!plan.venv_command.empty()) {
    lines.push_back(shell_line(plan.venv_command));
  }
  lines.push_back(shell_line(plan.install_command));
  return lines;
}

const char* venv_action_name(app::VenvAction action)
{
  switch (action) {
    case app::VenvAction::create:
      return "create";
    case app::VenvAction::reuse:
      return "reuse";
    case app::VenvAction::recreate:
      return "recreate";
  }
  return "create";
}

void print_plan(const app::FrameworkInstallPlan& plan)
{
  const auto& p = *plan.resolved.resolution.plan;
  std::vector<std::string> facts;
  for (const auto& fact : plan.resolved.facts) {
    facts.push_back(fact.fact + " " + fact.value + " (" + fact.origin + ")");
  }
  std::cout << "plan for " << plan.resolved.request.framework << plan.resolved.request.version.text()
            << (facts.empty() ? "" : ": " + util::join(facts, ", ")) << "\n\n";
  Table table({"", ""});
  table.add({"framework", p.display_name + " " + p.version->text() + " (" + p.variant + ")"});
  table.add({"CUDA", p.cuda ? p.cuda->text() : "none (CPU-only build)"});
  table.add({"cuDNN", p.cudnn ? p.cudnn->text() : "-"});
  table.add(
    {"Python", plan.python.version.text() + " from " + plan.python.path.string() + " (" + plan.python.origin + ")"});
  table.add({"venv", plan.venv.string() + " (" + venv_action_name(plan.venv_action) + ")"});
  table.add({"installer", std::string(pyenv::installer_name(plan.installer))});
  table.add({"packages", util::join(plan.pip.requirements, " ")});
  if (plan.pip.extra_index_url) {
    table.add({"extra index", *plan.pip.extra_index_url});
  }
  if (plan.toolkit_cuda) {
    table.add({"toolkit", "CUDA " + *plan.toolkit_cuda + (plan.toolkit_cudnn ? " + cuDNN " + *plan.toolkit_cudnn : "") +
                            ": " + plan.toolkit_reason});
  }
  for (const auto& note : plan.notes) {
    table.add({"note", note});
  }
  table.add({"check", plan.expected.distribution + " " + plan.expected.version +
                        (plan.expected.extra.empty() ? "" : " with its [" + plan.expected.extra + "] packages")});
  table.print(std::cout, "  ");
}

int dry_run(const app::FrameworkInstallPlan& plan, const app::InstallOptions& toolkit, bool json)
{
  const auto lines = command_lines(plan, toolkit);
  if (json) {
    std::cout << nlohmann::json{{"event", "plan"},
                                {"dry_run", true},
                                {"venv", plan.venv.string()},
                                {"venv_action", venv_action_name(plan.venv_action)},
                                {"python", plan.python.path.string()},
                                {"requirements", plan.pip.requirements},
                                {"expected", plan.expected.distribution + " " + plan.expected.version},
                                {"commands", lines},
                                {"matrix", nlohmann::json::parse(matrix_info_json(plan.resolved.matrix))}}
                   .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
              << '\n';
    return k_exit_ok;
  }
  print_plan(plan);
  std::cout << "\ncommands (dry run: nothing was run or created):\n";
  for (const auto& line : lines) {
    std::cout << "  " << line << '\n';
  }
  return k_exit_ok;
}

std::optional<std::string> non_empty(const std::string& text)
{
  return text.empty() ? std::nullopt : std::optional<std::string>(text);
}

}  // namespace

void add_framework_flags(CLI::App& command, FrameworkFlags& flags)
{
  command.add_option("-f,--framework", flags.framework,
                     "install this framework into a venv: torch, tensorflow or jax, with an optional "
                     "version specifier (torch==2.5.1)");
  command.add_option("--venv", flags.venv, "the virtual environment to create or reuse (default ./.venv)");
  command.add_option("--python", flags.python,
                     "Python X.Y, X.Y.Z or an interpreter path (default: VIRTUAL_ENV, conda, .python-version, "
                     "python3 on PATH)");
  command.add_option("--driver", flags.driver, "NVIDIA driver version or `none` (default: detected)");
  command.add_option("--gpu", flags.gpus, "a GPU: compute capability (8.9, sm_89) or name (a100, \"RTX 3090\"); repeat per GPU");
  add_glibc_flag(command, flags.glibc);
  command.add_flag("--cpu", flags.cpu, "install a CPU-only build");
  command.add_option("--with", flags.with, "companion packages: torchvision,torchaudio")->delimiter(',');
  command.add_option("--wheel-mirror", flags.wheel_mirror,
                     "replaces https://download.pytorch.org/whl/ (the index becomes URL/cu124/ ...)");
  command.add_option("--installer", flags.installer, "pip, uv or auto (uv when on PATH); default pip")
    ->check(CLI::IsMember({"pip", "uv", "auto"}));
  command.add_flag("--force", flags.force, "delete and recreate an existing venv");
  command.add_flag("--dry-run", flags.dry_run, "print the plan and the exact commands; change nothing");
  command.add_flag("--with-toolkit", flags.with_toolkit, "also install the plan's CUDA toolkit and cuDNN (nvcc)");
  command.add_option("--sysroot", flags.sysroot, "detect the host below this folder (default: ENVSETUP_SYSROOT or /)");
  command.add_option("--idle-timeout", flags.idle_timeout,
                     "stop the installer after this long without output: 90s, 45m, 2h (default: "
                     "ENVSETUP_IDLE_TIMEOUT or 30m)");
}

app::FrameworkInstallOptions framework_install_options(const FrameworkFlags& flags, const FetchFlags& download)
{
  app::FrameworkInstallOptions options;
  options.resolve.framework = flags.framework;
  options.resolve.python = flags.python;
  options.resolve.driver = flags.driver;
  options.resolve.gpus = flags.gpus;
  options.resolve.cuda = download.options.cuda;
  options.resolve.platform = download.options.platform;
  options.resolve.glibc = flags.glibc;
  options.resolve.install_here = true;
  options.resolve.cpu = flags.cpu;
  options.resolve.matrix = download.options.matrix;
  if (!flags.sysroot.empty()) {
    options.resolve.sysroot = flags.sysroot;
  }
  options.with = flags.with;
  options.wheel_mirror = non_empty(flags.wheel_mirror);
  options.installer = flags.installer;
  options.with_toolkit = flags.with_toolkit;
  options.toolkit.fetch = download.options;
  // A toolkit is asked for: the resolver must then pick one `install` can lay out.
  options.resolve.with_toolkit = flags.with_toolkit || download.options.cudnn.has_value();
  options.toolkit.fetch.cuda.reset();
  options.toolkit.fetch.platform.reset();  // this machine's: check_platform_here allows no other
  return options;
}

int install_framework(const FrameworkFlags& flags, const FetchFlags& download, const std::string& prefix,
                      const std::string& store)
{
  if (auto status =
        check_conflicts({flags.framework, flags.cpu, download.options.cuda.has_value(),
                         download.options.cudnn.has_value(), flags.with_toolkit, !flags.wheel_mirror.empty()});
      !status) {
    return report_error(status.error(), download.json);
  }
  app::FrameworkInstallOptions options = framework_install_options(flags, download);
  options.venv = flags.venv;
  options.force = flags.force;
  options.toolkit.prefix = non_empty(prefix);
  options.toolkit.store = non_empty(store);
  options.toolkit.envsetup_version = ENVSETUP_VERSION;
  // The idle timeout: the flag, else ENVSETUP_IDLE_TIMEOUT, else the default.
  auto idle = idle_timeout(flags.idle_timeout);
  if (!idle) {
    return report_error(idle.error(), download.json);
  }
  if (*idle) {
    options.idle_timeout = **idle;
  }
  // Before anything else: another platform's wheels cannot be installed here.
  if (auto here = app::check_platform_here(options.resolve); !here) {
    return report_error(here.error(), download.json);
  }
  auto plan = app::plan_framework_install(options);
  if (!plan) {
    return report_error(plan.error(), download.json);
  }
  if (flags.dry_run) {
    return dry_run(*plan, options.toolkit, download.json);
  }
  if (!download.quiet && !download.json) {
    std::cerr << "envsetup: installing " << util::join(plan->pip.requirements, " ") << " into " << plan->venv.string()
              << " (log: " << plan->venv.string() << "/.envsetup/install.log)\n";
  }
  // One live line on a terminal: the installer's latest output line (all of it is in the log).
  StatusLine status;
  if (!download.quiet && !download.json && default_progress_style() == ProgressStyle::terminal) {
    const std::string name(pyenv::installer_name(plan->installer));
    options.on_installer_line = [&status, name](std::string_view line) {
      status.show(name + ": " + std::string(util::trim(line)));
    };
  }
  auto outcome = app::run_framework_install(
    options, *plan, [&download](const app::FetchPlan& fetch_plan) { return progress_for(download, fetch_plan); });
  status.clear();
  if (!outcome) {
    return report_error(outcome.error(), download.json);
  }
  if (download.json) {
    nlohmann::json result{{"event", "result"},
                          {"ok", true},
                          {"venv", plan->venv.string()},
                          {"installed", plan->expected.distribution + " " + outcome->installed_version},
                          {"log", outcome->log.string()},
                          {"activate", outcome->activate}};
    if (outcome->toolkit_prefix) {
      result["toolkit_prefix"] = outcome->toolkit_prefix->string();
    }
    result["gpu_checks"] = nlohmann::json::array();
    for (const auto& check : outcome->gpu_checks) {
      result["gpu_checks"].push_back(
        {{"name", check.name}, {"status", verify::status_name(check.status)}, {"detail", check.detail}});
    }
    std::cout << result.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    return k_exit_ok;
  }
  const auto& p = *plan->resolved.resolution.plan;
  std::cout << "installed " << plan->expected.distribution << ' ' << outcome->installed_version << " ("
            << p.display_name << ' ' << p.version->text() << ", "
            << (p.cuda ? "CUDA " + p.cuda->text() : std::string("CPU-only")) << ") with Python "
            << plan->python.version.text() << " in " << plan->venv.string() << '\n';
  if (outcome->toolkit_prefix) {
    std::cout << "CUDA toolkit in " << outcome->toolkit_prefix->string() << '\n';
  }
  for (const auto& check : outcome->gpu_checks) {
    std::cout << verify::status_name(check.status) << "  " << check.name << "  " << check.detail << '\n';
  }
  std::cout << "log: " << outcome->log.string() << '\n';
  std::cout << "to use it:  " << util::join(outcome->activate, " && ") << '\n';
  return k_exit_ok;
}

}  // namespace envsetup::cli
