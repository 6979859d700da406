// SPDX-License-Identifier: Apache-2.0
// `envsetup resolve`: flags -> app::run_resolve -> text or JSON.
#include <envsetup/app/resolve_command.hpp>
#include <envsetup/cli/commands.hpp>
#include <envsetup/cli/exit_codes.hpp>
#include <envsetup/cli/output.hpp>
#include <envsetup/cli/plan_json.hpp>
#include <envsetup/cli/resolve_flags.hpp>
#include <envsetup/core/platform.hpp>

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <ostream>

namespace envsetup::cli {

namespace {

struct ResolveCommandFlags {
  ResolveFlags resolve;
  bool json = false;
};

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
  table.add({"platform", core::platform_name(plan.platform)});
  if (plan.glibc) {
    table.add({"glibc", ">= " + plan.glibc->text() + " (manylinux wheels)"});
  }
  if (plan.toolkit_cuda) {
    const std::string cudnn = plan.toolkit_cudnn ? " --cudnn " + plan.toolkit_cudnn->text() : "";
    table.add({"toolkit", std::string(plan.system_toolkit ? "loaded from the system: " : "") +
                            "envsetup install --cuda " + plan.toolkit_cuda->text() + cudnn});
  }
  if (plan.min_driver) {
    table.add({"driver", ">= " + plan.min_driver->text() + ": " + plan.driver_rule});
  }
  for (const auto& coverage : plan.coverage) {
    table.add({"GPU " + coverage.gpu.sm_name(),
               (coverage.ptx ? "PTX JIT from " : "SASS ") + coverage.target});
  }
  table.print(std::cout, "  ");
  if (!plan.notes.empty()) {
    std::cout << "\nnotes:\n";
    for (const auto& note : plan.notes) {
      std::cout << "  - " << note << "\n";
    }
  }
  print_rejected(std::cout, outcome.resolution);
}

int execute(const ResolveCommandFlags& flags)
{
  auto outcome = resolve_with_flags(flags.resolve);
  if (!outcome) {
    return report_error(outcome.error(), flags.json);
  }
  const bool ok = outcome->resolution.plan.has_value();
  if (flags.json) {
    std::cout << resolution_json(*outcome) << '\n';
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
  auto flags = std::make_shared<ResolveCommandFlags>();
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
  add_resolve_flags(*command, flags->resolve);
  add_check_index_flags(*command, flags->resolve);
  command->add_flag("--json", flags->json, "print the result as JSON on stdout");
  command->callback([flags, &result] { result.exit_code = execute(*flags); });
}

}  // namespace envsetup::cli
