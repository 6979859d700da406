// SPDX-License-Identifier: Apache-2.0
// `envsetup resolve`: flags -> app::run_resolve -> text or JSON.
#include <envsetup/app/resolve_command.hpp>
#include <envsetup/cli/commands.hpp>
#include <envsetup/cli/exit_codes.hpp>
#include <envsetup/cli/output.hpp>
#include <envsetup/cli/plan_json.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <memory>
#include <ostream>

namespace envsetup::cli {

namespace {

struct ResolveFlags {
  app::ResolveOptions options;
  std::string matrix_dir;
  std::string sysroot;
  bool json = false;
};

std::string describe_request(const app::ResolveOutcome& outcome)
{
  std::string text = outcome.request.framework + outcome.request.version.text();
  for (const auto& fact : outcome.facts) {
    text += ", " + fact.fact + " " + fact.value + " (" + fact.origin + ")";
  }
  const bool python_is_a_fact = std::any_of(outcome.facts.begin(), outcome.facts.end(),
                                            [](const app::FactNote& fact) { return fact.fact == "Python"; });
  if (outcome.request.python && !python_is_a_fact) {
    text += ", Python " + outcome.request.python->text() + " (--python)";
  }
  if (outcome.request.cuda_pin) {
    text += ", CUDA " + outcome.request.cuda_pin->text() + " (--cuda)";
  }
  return text;
}

void print_rejected(std::ostream& out, const core::Resolution& resolution)
{
  if (resolution.rejected.empty()) {
    return;
  }
  out << "\nnot chosen (" << resolution.rejected.size() << "):\n";
  Table table({"candidate", "reason"});
  for (const auto& rejection : resolution.rejected) {
    table.add({rejection.candidate, rejection.reason});
  }
  table.print(out, "  ");
}

void print_plan(const app::ResolveOutcome& outcome)
{
  const auto& plan = *outcome.resolution.plan;
  std::cout << "resolved " << describe_request(outcome) << "\n\n";
  Table table({"", ""});
  if (plan.version) {
    table.add({"framework", plan.display_name + " " + plan.version->text() + " (" + plan.variant + ")"});
  } else {
    table.add({"framework", plan.display_name});
  }
  table.add({"CUDA", plan.cuda ? plan.cuda->text() : "none (CPU-only build)"});
  table.add({"cuDNN", plan.cudnn ? plan.cudnn->text() : "-"});
  table.add({"Python", plan.python ? plan.python->text() +
                                       (outcome.request.python ? "" : " (newest supported)")
                                   : "-"});
  if (!plan.packages.empty()) {
    table.add({"install", install_command(plan)});
  }
  if (plan.system_toolkit) {
    table.add({"toolkit", "needs CUDA " + plan.cuda->text() + " and cuDNN " +
                            (plan.cudnn ? plan.cudnn->text() : "") + " installed on the system"});
  }
  if (plan.min_driver) {
    table.add({"driver", ">= " + plan.min_driver->text() + ": " + plan.driver_rule});
  }
  for (const auto& coverage : plan.coverage) {
    table.add({"GPU " + coverage.gpu.sm_name(),
               (coverage.ptx ? "PTX JIT from " : "SASS ") + coverage.target});
  }
  table.print(std::cout, "  ");
  print_rejected(std::cout, outcome.resolution);
}

void print_refusal(const app::ResolveOutcome& outcome)
{
  std::cerr << "envsetup: error: " << outcome.resolution.failure << '\n';
  std::cerr << "  caused by: request " << describe_request(outcome) << '\n';
  for (const auto& hint : outcome.resolution.hints) {
    std::cerr << "  hint: " << hint << '\n';
  }
  print_rejected(std::cerr, outcome.resolution);
}

int execute(ResolveFlags& flags)
{
  if (!flags.matrix_dir.empty()) {
    flags.options.matrix.directory = flags.matrix_dir;
  }
  if (!flags.sysroot.empty()) {
    flags.options.sysroot = flags.sysroot;
  }
  auto outcome = app::run_resolve(flags.options);
  if (!outcome) {
    return report_error(outcome.error(), flags.json);
  }
  const bool ok = outcome->resolution.plan.has_value();
  if (flags.json) {
    std::cout << resolution_json(outcome->resolution, outcome->facts) << '\n';
  } else if (ok) {
    print_plan(*outcome);
  } else {
    print_refusal(*outcome);
  }
  return ok ? k_exit_ok : k_exit_no_solution;
}

}  // namespace

void add_resolve_command(CLI::App& app, CommandResult& result)
{
  auto flags = std::make_shared<ResolveFlags>();
  auto* command = app.add_subcommand(
    "resolve", "Choose the framework version, CUDA, cuDNN and Python that work on a host");
  command->footer(
    "Examples:\n"
    "  envsetup resolve --framework torch                 # driver, GPUs and Python detected\n"
    "  envsetup resolve --framework torch --driver 550.54.15 --gpu 8.9\n"
    "  envsetup resolve --framework 'torch>=2.4,<2.7' --python 3.11 --driver 535.104.05 --gpu 86 --gpu 8.0\n"
    "  envsetup resolve --framework tensorflow --driver 525.60.13 --gpu sm_75 --json\n"
    "  envsetup resolve --framework none --cuda 12.4 --driver 550.54.15 --gpu 9.0\n"
    "  envsetup resolve --framework jax --cpu\n"
    "Exit codes: 0 plan found, 2 usage error, 3 no combination works (see docs/cli.md).");
  command->add_option("-f,--framework", flags->options.framework,
                      "torch, tensorflow, jax or none, with an optional version specifier "
                      "(torch==2.5.1, 'torch>=2.4,<2.7')")
    ->required();
  command->add_option("--python", flags->options.python,
                      "Python X.Y to use (default: the host's Python that gives the best plan, "
                      "else the newest the framework supports)");
  command->add_option("--driver", flags->options.driver,
                      "NVIDIA driver version, e.g. 550.54.15, or `none` (default: detected)");
  command->add_option("--gpu", flags->options.gpus,
                      "compute capability of a GPU (8.9, 89 or sm_89); repeat per GPU "
                      "(default: detected)");
  command->add_option("--cuda", flags->options.cuda, "use only builds for this CUDA X[.Y[.Z]]");
  command->add_flag("--cpu", flags->options.cpu,
                    "plan a CPU-only build (never chosen without this flag)");
  command->add_option("--matrix", flags->matrix_dir,
                      "read the compatibility matrix from this folder instead of the built-in one");
  command->add_option("--sysroot", flags->sysroot,
                      "detect the host below this folder (default: ENVSETUP_SYSROOT or /)");
  command->add_flag("--json", flags->json, "print the result as JSON on stdout");
  command->callback([flags, &result] { result.exit_code = execute(*flags); });
}

}  // namespace envsetup::cli
