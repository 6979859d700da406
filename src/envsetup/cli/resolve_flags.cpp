// SPDX-License-Identifier: Apache-2.0
#include <envsetup/cli/conflicts.hpp>
#include <envsetup/cli/output.hpp>
#include <envsetup/cli/resolve_flags.hpp>
#include <envsetup/app/index_check.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>

namespace envsetup::cli {

void add_resolve_flags(CLI::App& command, ResolveFlags& flags)
{
  command.add_option("-f,--framework", flags.options.framework,
                     "torch, tensorflow, jax or none, with an optional version specifier "
                     "(torch==2.5.1, 'torch>=2.4,<2.7')")
    ->required();
  command.add_option("--python", flags.options.python,
                     "Python X.Y, X.Y.Z or an interpreter path (default: VIRTUAL_ENV, conda, "
                     ".python-version, python3 on PATH; another of the host's only for a better plan)");
  command.add_option("--driver", flags.options.driver,
                     "NVIDIA driver version, e.g. 550.54.15, or `none` (default: detected)");
  command.add_option("--gpu", flags.options.gpus,
                     "a GPU: compute capability (8.9, 89, sm_89) or chip/product name (a100, h100, "
                     "\"RTX 3090\", gb10); repeat per GPU (default: detected)");
  command.add_option("--cuda", flags.options.cuda, "use only builds for this CUDA X[.Y[.Z]]");
  command.add_option("--platform", flags.options.platform,
                     "plan for this platform: linux-x86_64 or linux-aarch64 (linux-sbsa accepted) "
                     "(default: detected)");
  add_glibc_flag(command, flags.options.glibc);
  command.add_flag("--cpu", flags.options.cpu, "plan a CPU-only build (never chosen without this flag)");
  command.add_option("--matrix", flags.matrix_dir,
                     "read the compatibility matrix from this folder instead of the built-in one");
  command.add_option("--sysroot", flags.sysroot,
                     "detect the host below this folder (default: ENVSETUP_SYSROOT or /)");
}

void add_check_index_flags(CLI::App& command, ResolveFlags& flags)
{
  command.add_flag("--check-index", flags.check_index,
                   "ask the package index whether the chosen build has a wheel for this Python and platform; "
                   "pass over builds it has none for");
  command.add_option("--index", flags.index,
                     "with --check-index: index root replacing https://download.pytorch.org/whl/ and "
                     "https://pypi.org/simple/ (default: those, PIP_INDEX_URL for PyPI)");
}

void add_glibc_flag(CLI::App& command, std::optional<std::string>& glibc)
{
  command.add_option("--glibc", glibc,
                     "the host's glibc X.Y, e.g. 2.28 (default: read from libc.so.6; unknown with "
                     "another --platform)");
}

app::ResolveOptions resolve_options(const ResolveFlags& flags)
{
  app::ResolveOptions options = flags.options;
  if (!flags.matrix_dir.empty()) {
    options.matrix.directory = flags.matrix_dir;
  }
  if (!flags.sysroot.empty()) {
    options.sysroot = flags.sysroot;
  }
  return options;
}

util::Result<app::ResolveOutcome> resolve_with_flags(const ResolveFlags& flags)
{
  ENVSETUP_TRY(check_conflicts({flags.options.framework, flags.options.cpu, flags.options.cuda.has_value()}));
  if (!flags.check_index) {
    if (!flags.index.empty()) {
      return util::make_error(util::ErrorKind::usage, "`--index` needs `--check-index`")
        .with_hint("add --check-index to ask that index about the chosen build");
    }
    return app::run_resolve(resolve_options(flags));
  }
  app::PlanIndexOptions index;
  if (!flags.index.empty()) {
    index.wheel_mirror = flags.index;
    index.default_index = flags.index;
  }
  return app::resolve_checked(resolve_options(flags), index);
}

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

void print_refusal(const app::ResolveOutcome& outcome)
{
  auto error = util::make_error(util::ErrorKind::no_solution, outcome.resolution.failure)
                 .with_cause("request " + describe_request(outcome));
  for (const auto& hint : outcome.resolution.hints) {
    error = std::move(error).with_hint(hint);
  }
  print_error(std::cerr, error);
  print_rejected(std::cerr, outcome.resolution);
}

}  // namespace envsetup::cli
