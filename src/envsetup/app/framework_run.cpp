// SPDX-License-Identifier: Apache-2.0
// Carrying out `install --framework`: toolkit, venv, installer, check.
#include <envsetup/app/doctor.hpp>
#include <envsetup/app/envs_command.hpp>
#include <envsetup/app/framework_install.hpp>
#include <envsetup/app/kernel_checks.hpp>
#include <envsetup/core/platform.hpp>
#include <envsetup/pyenv/run_logged.hpp>
#include <envsetup/pyenv/venv.hpp>
#include <envsetup/util/strings.hpp>
#include <envsetup/util/template.hpp>

#include <algorithm>
#include <cstdlib>

namespace envsetup::app {

namespace {

using namespace std::chrono_literals;

constexpr auto k_venv_timeout = std::chrono::milliseconds(10min);
constexpr auto k_gpu_check_timeout = std::chrono::milliseconds(5min);  // the first CUDA call JIT-loads
constexpr std::size_t k_log_tail = 15;

util::Result<InstallOutcome> install_toolkit(const FrameworkInstallOptions& options,
                                             const FrameworkInstallPlan& plan, const ObserverFactory& observer)
{
  InstallOptions toolkit = options.toolkit;
  toolkit.fetch.cuda = plan.toolkit_cuda;
  toolkit.fetch.cudnn = plan.toolkit_cudnn;
  if (!toolkit.fetch.platform && plan.resolved.resolution.plan) {
    // The toolkit of the platform the plan was made for (NVIDIA's name: linux-sbsa).
    toolkit.fetch.platform = core::nvidia_platform(plan.resolved.resolution.plan->platform);
  }
  auto fetch_plan = plan_fetch(toolkit.fetch);
  if (!fetch_plan) {
    return std::move(fetch_plan).error().with_cause("while planning the CUDA toolkit: " + plan.toolkit_reason);
  }
  auto progress = observer ? observer(*fetch_plan) : nullptr;
  return run_install_toolkit(toolkit, *fetch_plan, progress.get());
}

util::Error installer_failed(const FrameworkInstallPlan& plan, const util::ProcessOutput& output,
                             const std::filesystem::path& log)
{
  const bool network = pyenv::output_shows_network_failure(output.out + output.err);
  const std::string name(pyenv::installer_name(plan.installer));
  auto error = util::make_error(network ? util::ErrorKind::network : util::ErrorKind::environment,
                                name + " could not install " + util::join(plan.pip.requirements, " ") +
                                  " (exit status " + std::to_string(output.exit_code) + ")");
  // One cause holding the output's tail as an indented block under it.
  std::string tail = network ? name + " could not reach a package index; its last lines:" : name + "'s last lines:";
  for (const auto& line : pyenv::last_lines(output.out + output.err, k_log_tail)) {
    tail += "\n    " + line;
  }
  error = std::move(error).with_cause(tail);
  error = std::move(error).with_cause("full log: " + log.string());
  if (network) {
    error.causes.insert(
      error.causes.begin(),
      "this machine could not reach " +
        (plan.pip.extra_index_url ? *plan.pip.extra_index_url + " (the wheel index) or " : std::string()) +
        "the default package index: no network, a proxy or firewall in the way, or DNS");
    error = std::move(error)
              .with_hint(
                "with a mirror of the wheel index on your network: --wheel-mirror URL (replaces "
                "https://download.pytorch.org/whl/) and PIP_INDEX_URL=URL for the default index")
              .with_hint(
                "for a machine with no network: where there is one, `envsetup lock` and `envsetup mirror "
                "--lock envsetup.lock DIR`; copy DIR here, then `envsetup install --locked "
                "DIR/envsetup.lock --bundle DIR` (docs/lockfile.md)")
              .with_hint("behind a proxy: set HTTPS_PROXY (pip reads it)");
  }
  return std::move(error).with_hint("run the same command again to retry; the venv is kept and reused");
}

util::Error installer_silent(const FrameworkInstallPlan& plan, const util::ProcessOutput& output,
                             const std::filesystem::path& log, std::chrono::milliseconds idle_timeout)
{
  const std::string name(pyenv::installer_name(plan.installer));
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(idle_timeout).count();
  std::string tail = name + "'s last lines:";
  for (const auto& line : pyenv::last_lines(output.out + output.err, k_log_tail)) {
    tail += "\n    " + line;
  }
  return util::make_error(util::ErrorKind::environment,
                          name + " printed nothing for " + std::to_string(seconds) + " s and was stopped")
    .with_cause(tail)
    .with_cause("full log: " + log.string())
    .with_hint(
      "a large wheel on a slow link can download silently: raise the limit with --idle-timeout "
      "(e.g. --idle-timeout 2h) or ENVSETUP_IDLE_TIMEOUT")
    .with_hint("run the same command again to retry; the venv is kept and reused");
}

util::Error check_failed(const FrameworkInstallPlan& plan, const pyenv::InstallCheck& check,
                         const std::filesystem::path& log)
{
  const bool cpu = check.outcome == pyenv::InstallCheck::Outcome::cpu_build;
  auto error = util::make_error(util::ErrorKind::verification,
                                cpu ? "a CPU-only " + plan.expected.distribution + " was installed, not the planned CUDA build " +
                                        plan.expected.version
                                    : plan.expected.distribution + " in " + plan.venv.string() + " is not the planned " +
                                        plan.expected.version)
                 .with_cause(check.explanation)
                 .with_cause("install log: " + log.string());
  if (cpu) {
    error = std::move(error)
              .with_hint("look for an index that offers CPU builds in PIP_INDEX_URL, PIP_EXTRA_INDEX_URL or pip.conf "
                         "(`pip config list`), and for a mirror that rewrote the CUDA wheels")
              .with_hint("then run again with `--force` to start from a fresh venv");
  }
  return error;
}

// True when detection (not --driver/--gpu, not a sysroot) found the GPUs the plan is for:
// then the framework can be run on them.
bool real_gpu_detected(const FrameworkInstallOptions& options, const FrameworkInstallPlan& plan)
{
  const char* sysroot = std::getenv("ENVSETUP_SYSROOT");
  if (options.resolve.sysroot || (sysroot != nullptr && *sysroot != '\0') || !plan.resolved.resolution.plan->cuda) {
    return false;
  }
  return std::any_of(plan.resolved.facts.begin(), plan.resolved.facts.end(), [](const FactNote& fact) {
    return fact.fact == "GPU" && fact.origin.starts_with("detected");
  });
}

// "framework:<name>:kernels": the installed framework's libraries read for the plan's GPUs.
verify::Check installed_kernels_check(const FrameworkInstallOptions& options, const FrameworkInstallPlan& plan)
{
  const std::string& framework = plan.resolved.resolution.plan->framework;
  auto matrix = load_matrix(with_environment(options.resolve.matrix));
  if (!matrix) {
    return {"framework:" + framework + ":kernels", verify::CheckStatus::fail, matrix.error().message, std::nullopt, {}};
  }
  InspectTargets targets;
  for (const auto& gpu : plan.resolved.host.gpus) {
    targets.gpus.push_back(gpu.capability);
  }
  targets.driver = plan.resolved.host.driver;
  if (targets.driver) {
    targets.driver_cuda = resolve::cuda_for_driver(*targets.driver, *matrix);
  }
  auto report = inspect_paths({plan.venv}, targets, *matrix);
  if (!report) {
    return {"framework:" + framework + ":kernels", verify::CheckStatus::fail,
            "cannot inspect `" + plan.venv.string() + "`: " + report.error().message, std::nullopt, {}};
  }
  return kernel_check(framework, *report, *matrix);
}

// What the installed binaries carry for the GPUs, then the framework check of `envsetup
// verify` in the new venv (a GPU matmul against the CPU); a failure is a verification error
// naming each failed check.
util::Status run_gpu_check(const FrameworkInstallOptions& options, const FrameworkInstallPlan& plan,
                           FrameworkInstallOutcome& outcome)
{
  outcome.gpu_checks.push_back(installed_kernels_check(options, plan));
  auto checks = run_framework_check(plan.venv / "bin" / "python", plan.resolved.resolution.plan->framework, true,
                                    k_gpu_check_timeout);
  if (!checks) {
    return std::move(checks).error();
  }
  for (auto& check : *checks) {
    outcome.gpu_checks.push_back(std::move(check));
  }
  std::string log = "envsetup: framework check on the GPU\n";
  auto error = util::make_error(util::ErrorKind::verification,
                                plan.expected.distribution + " " + outcome.installed_version +
                                  " is installed but does not work on this GPU");
  bool failed = false;
  for (const auto& check : outcome.gpu_checks) {
    log += std::string(verify::status_name(check.status)) + "  " + check.name + "  " + check.detail + "\n";
    if (check.status == verify::CheckStatus::fail) {
      failed = true;
      error.causes.push_back(check.name + ": " + check.detail);
      if (check.hint) {
        error.hints.push_back(*check.hint);
      }
    }
  }
  ENVSETUP_TRY(pyenv::append_log(outcome.log, log + "\n"));
  if (failed) {
    error.hints.push_back("see `envsetup doctor --venv " + plan.venv.string() + "`; full log: " +
                          outcome.log.string());
    return error;
  }
  return util::ok_status();
}

}  // namespace

util::Result<FrameworkInstallOutcome> run_framework_install(const FrameworkInstallOptions& options,
                                                            const FrameworkInstallPlan& plan,
                                                            const ObserverFactory& observer)
{
  FrameworkInstallOutcome outcome;
  outcome.log = pyenv::install_log_path(plan.venv);
  if (plan.toolkit_cuda) {
    auto toolkit = install_toolkit(options, plan, observer);
    if (!toolkit) {
      return std::move(toolkit).error();
    }
    outcome.toolkit_prefix = toolkit->prefix;
  }
  if (plan.venv_action == VenvAction::recreate) {
    ENVSETUP_TRY(pyenv::remove_venv(plan.venv));
  }
  if (plan.venv_action != VenvAction::reuse) {
    ENVSETUP_TRY(pyenv::create_venv(plan.python.path, plan.venv, k_venv_timeout));
  }
  auto output =
    pyenv::run_logged_streaming(plan.install_command, outcome.log, {options.idle_timeout, options.on_installer_line});
  if (!output) {
    return std::move(output).error().with_cause("full log: " + outcome.log.string());
  }
  if (output->idle_killed) {
    return installer_silent(plan, *output, outcome.log, options.idle_timeout);
  }
  if (output->exit_code != 0) {
    return installer_failed(plan, *output, outcome.log);
  }
  auto installed = pyenv::read_installed(pyenv::site_packages(plan.venv, plan.python.version),
                                         plan.expected.distribution);
  if (!installed) {
    return std::move(installed).error();
  }
  const auto check = pyenv::check_install(plan.expected, installed->framework, installed->names);
  ENVSETUP_TRY(pyenv::append_log(outcome.log, "envsetup: check " + plan.expected.distribution + " " +
                                                (check.installed_version.empty() ? "(missing)" : check.installed_version) +
                                                ": " + (check.explanation.empty() ? "as planned" : check.explanation) +
                                                "\n\n"));
  if (check.outcome != pyenv::InstallCheck::Outcome::expected) {
    return check_failed(plan, check, outcome.log);
  }
  outcome.installed_version = check.installed_version;
  if (real_gpu_detected(options, plan)) {
    ENVSETUP_TRY(run_gpu_check(options, plan, outcome));
  }
  outcome.activate.push_back("source " + util::shell_word((plan.venv / "bin" / "activate").string()));
  if (outcome.toolkit_prefix) {
    outcome.activate.push_back("source " + util::shell_word((*outcome.toolkit_prefix / "activate").string()));
  }
  // The venv is installed; a registry that cannot be written only hides it from `envs list`.
  static_cast<void>(record_framework_venv(options.toolkit.store, plan.venv, plan.expected.distribution,
                                          outcome.installed_version, plan.python.version.text(),
                                          outcome.toolkit_prefix));
  return outcome;
}

}  // namespace envsetup::app
