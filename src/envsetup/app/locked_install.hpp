// SPDX-License-Identifier: Apache-2.0
// `envsetup install --locked FILE`: check the host against the lock, bring every locked wheel
// into the cache through the download engine, then install exactly those files with pip
// (--no-index --no-deps --require-hashes), and the lock's toolkit archives (docs/lockfile.md).
#pragma once

#include <envsetup/app/framework_install.hpp>
#include <envsetup/app/install_command.hpp>
#include <envsetup/fetch/downloader.hpp>
#include <envsetup/lock/lockfile.hpp>
#include <envsetup/util/error.hpp>

#include <cstdint>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace envsetup::app {

struct LockedInstallOptions {
  std::filesystem::path lockfile;
  std::filesystem::path venv = ".venv";
  // Replaces https://download.pytorch.org/whl/ in the lock's index roots (as install --framework).
  std::optional<std::string> wheel_mirror;
  // A bundle folder (`envsetup mirror --lock`): wheels from DIR/simple/<project>/, archives from
  // DIR in NVIDIA's layout; nothing is asked of the network.
  std::optional<std::filesystem::path> bundle;
  bool force = false;  // recreate an existing venv
  // Download flags (cache, cacert, jobs, offline, mirror, matrix) and the toolkit's prefix/store.
  InstallOptions toolkit;
  std::optional<std::filesystem::path> sysroot;  // where detection looks (ENVSETUP_SYSROOT)
  // pip is stopped when it prints nothing for this long (--idle-timeout, ENVSETUP_IDLE_TIMEOUT);
  // its output reaches the log as it comes, as with install --framework.
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(30)};
};

struct LockedInstallOutcome {
  std::filesystem::path venv;      // absolute
  bool already_satisfied = false;  // the venv held exactly the locked versions: nothing was done
  std::size_t wheels = 0;
  std::size_t downloaded = 0;  // wheels transferred (the others were in the cache)
  std::uint64_t bytes_transferred = 0;
  std::vector<std::string> not_locked;  // distributions in the venv the lock does not name
  std::optional<std::filesystem::path> toolkit_prefix;
  std::filesystem::path log;
  std::vector<std::string> activate;
};

// Where one wheel is downloaded from: the lock's index root for it (with --wheel-mirror
// applied) joined with its relative URL, or its absolute URL; with a bundle,
// file://DIR/simple/<project>/<filename>. Errors (input): the wheel's index is not listed. Pure.
[[nodiscard]] util::Result<std::string> locked_wheel_url(const lock::Lockfile& lockfile, const lock::LockedWheel& wheel,
                                                         const LockedInstallOptions& options);

// The distributions (normalized name -> version) of `site_packages`, from its dist-info folders.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> installed_versions(
  const std::filesystem::path& site_packages);

// The parts of run_locked_install (locked_install_steps.cpp).
// What to do with the venv folder: create it (absent), reuse it (a venv with the lock's
// Python), recreate it (`force`). Errors (environment): a folder that is not a venv, a venv
// with another Python without `force`; as pyenv::venv_parts with `force`.
[[nodiscard]] util::Result<VenvAction> decide_locked_venv(const LockedInstallOptions& options,
                                                          const lock::Lockfile& lockfile,
                                                          const std::filesystem::path& venv);
// The lock's toolkit prefix through the toolkit install (plan_fetch + run_install_toolkit), from
// the bundle's NVIDIA layout with a bundle; every planned archive must be the locked one (same
// relative path, sha256 and size) and every locked archive planned. Returns the toolkit
// install's outcome (the prefix; already_installed when its receipt already matched).
// Errors: integrity (an archive that differs from the lock), those of the toolkit install.
[[nodiscard]] util::Result<InstallOutcome> install_locked_toolkit(const LockedInstallOptions& options,
                                                                  const lock::Lockfile& lockfile,
                                                                  const ObserverFactory& observer);

// Makes the download progress renderer for the wheels, given their total size.
using WheelProgressFactory = std::function<std::unique_ptr<fetch::DownloadObserver>(std::uint64_t total_bytes)>;

// Reads and parses the lock, checks the host (platform, Python, glibc, driver floor, every
// GPU covered: the reasons of lock::host_mismatches are causes of a no_solution error),
// and does nothing more when the venv already holds exactly the locked versions. Otherwise:
// every wheel into the cache (parallel, sha256 checked in the stream; an archive that does
// not match is an integrity error naming the file, raised before the venv is touched), the
// toolkit archives (their sha256 compared with the lock), the venv created (or recreated with
// `force`), and pip run on the local files only. Errors: input (lock), no_solution (host),
// network, integrity, environment (venv, pip; the log's tail as causes), io.
[[nodiscard]] util::Result<LockedInstallOutcome> run_locked_install(const LockedInstallOptions& options,
                                                                    const WheelProgressFactory& wheel_progress,
                                                                    const ObserverFactory& toolkit_observer);

}  // namespace envsetup::app
