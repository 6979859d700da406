// SPDX-License-Identifier: Apache-2.0
// `envsetup install --framework SPEC`: detect -> resolve -> (toolkit) -> venv -> pip -> check.
#pragma once

#include <envsetup/app/install_command.hpp>
#include <envsetup/app/resolve_command.hpp>
#include <envsetup/pyenv/installer.hpp>
#include <envsetup/pyenv/metadata.hpp>
#include <envsetup/specgen/pip_requirements.hpp>
#include <envsetup/util/error.hpp>
#include <envsetup/verify/check.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace envsetup::app {

struct FrameworkInstallOptions {
  ResolveOptions resolve;                    // framework, python, driver, GPUs, CUDA pin, cpu, matrix, sysroot
  std::filesystem::path venv = ".venv";
  std::vector<std::string> with;             // companions: "torchvision", "torchaudio"
  std::optional<std::string> wheel_mirror;   // replaces https://download.pytorch.org/whl/
  std::string installer = "pip";             // pip, uv or auto
  bool force = false;                        // recreate an existing venv
  bool with_toolkit = false;                 // also install the plan's CUDA toolkit + cuDNN
  InstallOptions toolkit;                    // download flags and store for the toolkit step
  // Ask the package index whether the chosen build has a wheel before anything is created
  // (app::resolve_checked); not asked with toolkit.fetch.offline (--offline) or when false.
  bool check_index = true;
  // The installer (pip/uv) is killed when it prints nothing for this long (--idle-timeout,
  // ENVSETUP_IDLE_TIMEOUT); there is no limit on its total time.
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(30)};
  // Each line the installer prints, as it prints it (the cli's progress line); may be empty.
  std::function<void(std::string_view)> on_installer_line;
};

// A host interpreter the venv is created from.
struct Interpreter {
  std::filesystem::path path;
  core::Version version;  // X.Y
  std::string origin;     // "PATH", "pyenv", "conda", "venv"
};

enum class VenvAction { create, reuse, recreate };

// Everything the install will do, decided before anything is changed (a dry run prints it).
struct FrameworkInstallPlan {
  ResolveOutcome resolved;  // resolved.resolution.plan is set
  Interpreter python;
  std::filesystem::path venv;  // absolute
  VenvAction venv_action = VenvAction::create;
  std::vector<std::string> venv_parts;  // recreate: the venv's entries that are deleted (pyenv::venv_parts)
  std::optional<std::string> toolkit_cuda;   // set when a toolkit prefix is installed first
  std::optional<std::string> toolkit_cudnn;
  std::string toolkit_reason;                // "TensorFlow 2.13 needs a system CUDA", "--with-toolkit"
  // The plan's notes (a toolkit or cuDNN substituted within its major, a cuDNN wheel pinned),
  // one sentence each, for the user to read with the plan.
  std::vector<std::string> notes;
  specgen::PipRequirements pip;
  pyenv::Installer installer = pyenv::Installer::pip;
  std::vector<std::string> venv_command;     // empty when the venv is reused
  std::vector<std::string> install_command;
  pyenv::ExpectedInstall expected;
};

// Decides the plan without side effects (no GPU needed when --driver/--gpu are given). The
// only network use is the package index asked about the chosen build (resolve_checked): a
// build without a wheel is passed over for the next one; offline, or when the index cannot be
// reached, a plan note says it was not checked. Errors: usage (flags), no_solution (the resolver refuses; its hints are kept),
// environment (no host Python of the needed version, listing those found; an existing venv
// with another Python; a folder that is not a venv), io.
[[nodiscard]] util::Result<FrameworkInstallPlan> plan_framework_install(const FrameworkInstallOptions& options);

struct FrameworkInstallOutcome {
  std::string installed_version;                      // "2.5.1+cu124"
  std::optional<std::filesystem::path> toolkit_prefix;
  std::filesystem::path log;                           // VENV/.envsetup/install.log
  std::vector<std::string> activate;                   // shell lines, venv first then toolkit
  std::vector<verify::Check> gpu_checks;               // the framework check, run when a GPU was detected
};

// Makes the download progress renderer for the toolkit step.
using ObserverFactory = std::function<std::unique_ptr<fetch::DownloadObserver>(const FetchPlan&)>;

// Carries `plan` out: the toolkit prefix (when planned), the venv (created, or recreated
// with --force; a venv that fails to be created is removed), the installer (its command
// lines and output appended to VENV/.envsetup/install.log as they are printed; killed after
// options.idle_timeout without output), then the check of the installed
// framework's metadata against the plan, and, when detection found a real GPU, the framework
// check of `envsetup verify` in the venv (docs/verify-checks.md). Errors: those of the toolkit install; environment
// (venv creation, installer failure or silence past the idle timeout; the last log lines and
// the log path are causes), network (the installer could not reach an index; the hints say
// how to use a mirror), verification (a CPU-only build or
// another version was installed, or the framework fails on the GPU; the error explains how).
[[nodiscard]] util::Result<FrameworkInstallOutcome> run_framework_install(const FrameworkInstallOptions& options,
                                                                          const FrameworkInstallPlan& plan,
                                                                          const ObserverFactory& observer);

}  // namespace envsetup::app
