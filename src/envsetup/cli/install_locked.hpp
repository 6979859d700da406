// SPDX-License-Identifier: Apache-2.0
// `envsetup install --locked FILE`: the flags and the command, beside install --framework.
#pragma once

#include <envsetup/cli/fetch_flags.hpp>
#include <envsetup/cli/install_framework.hpp>

#include <string>

namespace CLI {
class App;
}

namespace envsetup::cli {

struct LockedFlags {
  std::string lockfile;  // empty: not a locked install
  std::string bundle;
};

// Adds --locked and --bundle to `command` (which has the download and framework flags).
void add_locked_flags(CLI::App& command, LockedFlags& flags);

// Runs the locked install; returns the exit code. Uses --venv, --wheel-mirror, --force and
// --sysroot of `framework`; refuses the flags that would change the plan (--framework, --with,
// --python, --driver, --gpu, --cpu, --dry-run, --with-toolkit, --cuda, --cudnn).
[[nodiscard]] int install_locked(const LockedFlags& flags, const FrameworkFlags& framework, const FetchFlags& download,
                                 const std::string& prefix, const std::string& store);

}  // namespace envsetup::cli
