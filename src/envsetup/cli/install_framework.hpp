// SPDX-License-Identifier: Apache-2.0
// `envsetup install --framework SPEC`: the flags and the command, beside the toolkit install.
#pragma once

#include <envsetup/app/framework_install.hpp>
#include <envsetup/cli/fetch_flags.hpp>
#include <envsetup/util/error.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}

namespace envsetup::cli {

struct FrameworkFlags {
  std::string framework;  // empty: the toolkit install (--cuda/--cudnn)
  std::string venv = ".venv";
  std::optional<std::string> python;
  std::optional<std::string> driver;
  std::vector<std::string> gpus;
  std::optional<std::string> glibc;
  std::vector<std::string> with;
  std::string wheel_mirror;
  std::string installer = "pip";
  std::string sysroot;
  std::string idle_timeout;  // empty: ENVSETUP_IDLE_TIMEOUT, else 30 minutes
  bool cpu = false;
  bool force = false;
  bool dry_run = false;
  bool with_toolkit = false;
};

// Adds --framework, --venv, --python, --driver, --gpu, --glibc, --cpu, --with, --wheel-mirror,
// --installer, --force, --dry-run, --with-toolkit, --sysroot, --idle-timeout to `command` (which has the
// download flags already: --cuda is the CUDA pin, --cudnn asks for a toolkit prefix,
// --platform must name this host's platform: the wheels are installed here).
void add_framework_flags(CLI::App& command, FrameworkFlags& flags);

// A duration for --idle-timeout / ENVSETUP_IDLE_TIMEOUT: a whole number with an optional unit
// s, m or h (no unit: minutes), from 1 s to 7 days. nullopt for anything else. Pure.
[[nodiscard]] std::optional<std::chrono::seconds> parse_idle_timeout(std::string_view text);

// The idle timeout asked for: `flag` (--idle-timeout) when not empty, else
// ENVSETUP_IDLE_TIMEOUT when set, else nullopt (the default). Errors: usage, naming the flag or
// the variable, when that text is not a duration.
[[nodiscard]] util::Result<std::optional<std::chrono::seconds>> idle_timeout(const std::string& flag);

// The request, host, wheel and toolkit-download parts of FrameworkInstallOptions that
// `install --framework` and `lock` both take from the same flags (not the venv, --force, the
// toolkit's prefix and store, or the idle timeout).
[[nodiscard]] app::FrameworkInstallOptions framework_install_options(const FrameworkFlags& flags,
                                                                     const FetchFlags& download);

// Runs the framework install; returns the exit code. `download` holds the shared download
// flags (finish_options already applied), `prefix`/`store` the toolkit location flags.
[[nodiscard]] int install_framework(const FrameworkFlags& flags, const FetchFlags& download,
                                    const std::string& prefix, const std::string& store);

}  // namespace envsetup::cli
