// SPDX-License-Identifier: Apache-2.0
// `envsetup verify` and the hidden `envsetup verify-gpu-worker` it runs (docs/verify.md).
#include <envsetup/app/verify_command.hpp>
#include <envsetup/cli/commands.hpp>
#include <envsetup/cli/exit_codes.hpp>
#include <envsetup/cli/output.hpp>
#include <envsetup/verify/gpu_matmul.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>

namespace envsetup::cli {

namespace {

struct VerifyFlags {
  std::string sysroot;
  std::string matrix_dir;
  std::string prefix;
  std::string venv;
  std::string gpu = "all";
  int size = app::k_verify_default_size;
  double timeout_s = 60.0;
  bool json = false;
};

util::Result<app::VerifyOptions> to_options(const VerifyFlags& flags)
{
  app::VerifyOptions options;
  if (!flags.sysroot.empty()) {
    options.sysroot = flags.sysroot;
  }
  if (!flags.matrix_dir.empty()) {
    options.matrix.directory = flags.matrix_dir;
  }
  if (!flags.prefix.empty()) {
    options.prefix = flags.prefix;
  }
  if (!flags.venv.empty()) {
    options.venv = flags.venv;
  }
  if (flags.gpu != "all") {
    const bool digits = !flags.gpu.empty() && flags.gpu.size() <= 4 &&
                        flags.gpu.find_first_not_of("0123456789") == std::string::npos;
    if (!digits) {
      return util::make_error(util::ErrorKind::usage, "`--gpu " + flags.gpu + "` is not a GPU index")
        .with_hint("pass an index such as `--gpu 0`, or `--gpu all`");
    }
    options.gpu = std::stoi(flags.gpu);
  }
  if (flags.size < 1 || flags.size > app::k_verify_max_size) {
    return util::make_error(util::ErrorKind::usage, "`--size " + std::to_string(flags.size) +
                                                      "` is out of range")
      .with_hint("pass 1.." + std::to_string(app::k_verify_max_size) + " (default " +
                 std::to_string(app::k_verify_default_size) + ")");
  }
  if (!(flags.timeout_s > 0.0 && flags.timeout_s <= 3600.0)) {
    return util::make_error(util::ErrorKind::usage, "`--timeout` must be in (0, 3600] seconds");
  }
  options.size = flags.size;
  options.timeout = std::chrono::milliseconds(static_cast<long long>(std::ceil(flags.timeout_s * 1000.0)));
  return options;
}

nlohmann::json report_json(const app::VerifyReport& report)
{
  auto checks = nlohmann::json::array();
  for (const auto& check : report.checks) {
    nlohmann::json entry = {{"name", check.name},
                            {"status", verify::status_name(check.status)},
                            {"detail", check.detail}};
    if (check.hint) {
      entry["hint"] = *check.hint;
    }
    if (!check.metrics.empty()) {
      auto& metrics = entry["metrics"] = nlohmann::json::object();
      for (const auto& metric : check.metrics) {
        metrics[metric.name] = std::isfinite(metric.value) ? nlohmann::json(metric.value) : nlohmann::json();
      }
    }
    checks.push_back(std::move(entry));
  }
  return {{"ok", verify::all_passed(report.checks)}, {"checks", checks}, {"warnings", report.warnings}};
}

void print_report(std::ostream& out, const app::VerifyReport& report)
{
  std::size_t width = 0;
  for (const auto& check : report.checks) {
    width = std::max(width, check.name.size());
  }
  for (const auto& check : report.checks) {
    out << verify::status_name(check.status) << "  " << check.name
        << std::string(width - check.name.size() + 2, ' ') << check.detail << '\n';
    if (check.hint && check.status == verify::CheckStatus::fail) {
      out << "      hint: " << *check.hint << '\n';
    }
  }
  for (const auto& warning : report.warnings) {
    out << "warning: " << warning << '\n';
  }
}

int execute(const VerifyFlags& flags)
{
  auto options = to_options(flags);
  if (!options) {
    return report_error(options.error(), flags.json);
  }
  auto report = app::run_verify(*options);
  if (!report) {
    return report_error(report.error(), flags.json);
  }
  if (flags.json) {
    std::cout << report_json(*report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  } else {
    print_report(std::cout, *report);
  }
  return verify::all_passed(report->checks) ? k_exit_ok : k_exit_verification;
}

// The hidden worker: prints one JSON line (worker_json.hpp); `--print-ptx` prints the
// embedded kernel instead (the tests compile it with ptxas).
void add_worker_command(CLI::App& app, CommandResult& result)
{
  auto options = std::make_shared<app::WorkerOptions>();
  auto print_ptx = std::make_shared<bool>(false);
  auto* command = app.add_subcommand("verify-gpu-worker", "internal: one GPU check of `verify`");
  command->group("");  // hidden from --help
  command->add_option("--library", options->library, "libcuda.so.1 to load");
  command->add_option("--gpu", options->gpu, "GPU ordinal; without it, probe the driver");
  command->add_option("--size", options->size, "matrix size")->check(CLI::Range(1, app::k_verify_max_size));
  command->add_flag("--print-ptx", *print_ptx, "print the embedded PTX kernel");
  command->callback([options, print_ptx, &result] {
    if (*print_ptx) {
      std::cout << verify::sgemm_ptx();
    } else if (options->library.empty()) {
      result.exit_code = report_error(
        util::make_error(util::ErrorKind::usage, "verify-gpu-worker needs --library"), false);
      return;
    } else {
      std::cout << app::run_verify_worker(*options) << '\n';
    }
    std::cout.flush();
    result.exit_code = k_exit_ok;
  });
}

}  // namespace

void add_verify_command(CLI::App& app, CommandResult& result)
{
  auto flags = std::make_shared<VerifyFlags>();
  auto* command = app.add_subcommand(
    "verify", "Check that the driver works and the GPUs compute correctly (no toolkit needed)");
  command->footer(
    "Examples:\n"
    "  envsetup verify\n"
    "  envsetup verify --gpu 0 --size 2048 --json\n"
    "  envsetup verify --sysroot /mnt/other-root --timeout 20\n"
    "Checks: driver (kernel module = libcuda.so.1, cuInit), gpu-matmul[N] (a PTX SGEMM on each\n"
    "GPU, compared with the CPU). Exit 0 when every check that ran passed, 6 otherwise\n"
    "(docs/verify.md).");
  command->add_option("--gpu", flags->gpu, "GPU index to check, or `all` (default: all)");
  command->add_option("--size", flags->size, "n of the n x n matmul (1.." +
                                               std::to_string(app::k_verify_max_size) + ", default " +
                                               std::to_string(app::k_verify_default_size) + ")");
  command->add_option("--timeout", flags->timeout_s,
                      "seconds each GPU step may take before it counts as hung (default 60)");
  command->add_option("--prefix", flags->prefix, "a toolkit prefix to check (envsetup install)");
  command->add_option("--venv", flags->venv, "a virtual environment whose frameworks to check");
  command->add_option("--sysroot", flags->sysroot,
                      "read every host file below this folder (default: ENVSETUP_SYSROOT or /)");
  command->add_option("--matrix", flags->matrix_dir,
                      "read the compatibility matrix from this folder instead of the built-in one");
  command->add_flag("--json", flags->json, "print the checks as JSON on stdout");
  command->callback([flags, &result] { result.exit_code = execute(*flags); });
  add_worker_command(app, result);
}

}  // namespace envsetup::cli
