// SPDX-License-Identifier: Apache-2.0
// The request and host flags shared by `resolve` and `spec` (never copy-pasted), and the
// refusal report both print.
#pragma once

#include <envsetup/app/resolve_command.hpp>

#include <optional>
#include <ostream>
#include <string>

namespace CLI {
class App;
}

namespace envsetup::cli {

struct ResolveFlags {
  app::ResolveOptions options;
  std::string matrix_dir;
  std::string sysroot;
  bool check_index = false;  // --check-index: ask the package index about the chosen build
  std::string index;         // --index ROOT: replaces https://download.pytorch.org/whl/ and PyPI
};

// Adds -f/--framework (required), --python, --driver, --gpu, --cuda, --platform, --glibc,
// --cpu, --matrix and --sysroot to `command`.
void add_resolve_flags(CLI::App& command, ResolveFlags& flags);

// Adds --check-index and --index (`resolve`; run it through resolve_with_flags).
void add_check_index_flags(CLI::App& command, ResolveFlags& flags);

// Adds --glibc (also used by `install --framework`, whose --platform is the download flag).
void add_glibc_flag(CLI::App& command, std::optional<std::string>& glibc);

// `flags.options` with --matrix and --sysroot applied.
[[nodiscard]] app::ResolveOptions resolve_options(const ResolveFlags& flags);

// app::run_resolve of the flags, or with --check-index app::resolve_checked (builds the
// index has no wheel for are passed over; the plan's notes say what was checked).
[[nodiscard]] util::Result<app::ResolveOutcome> resolve_with_flags(const ResolveFlags& flags);

// "torch, driver 550.54.15 (--driver), ...": the request and where each fact came from.
[[nodiscard]] std::string describe_request(const app::ResolveOutcome& outcome);

// The candidates not chosen, as a table under "not chosen (N):"; nothing when there are none.
void print_rejected(std::ostream& out, const core::Resolution& resolution);

// A resolution without a plan on stderr: error, cause, hints and the rejected candidates.
void print_refusal(const app::ResolveOutcome& outcome);

}  // namespace envsetup::cli
