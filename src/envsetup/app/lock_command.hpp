// SPDX-License-Identifier: Apache-2.0
// `envsetup lock`: resolve the plan as `install --framework` does, let the real installer's
// resolver choose the complete wheel set, and write the lockfile (docs/lockfile.md).
#pragma once

#include <envsetup/app/framework_install.hpp>
#include <envsetup/lock/lockfile.hpp>
#include <envsetup/util/error.hpp>

#include <filesystem>
#include <string>

namespace envsetup::app {

struct LockOptions {
  // resolve flags, --with, --wheel-mirror, --installer, toolkit (fetch flags, with_toolkit);
  // `venv` is ignored: the installer runs in a temporary venv that is removed afterwards.
  FrameworkInstallOptions install;
  std::filesystem::path output = "envsetup.lock";
  std::string envsetup_version;
};

struct LockOutcome {
  lock::Lockfile lockfile;
  std::filesystem::path written;  // absolute
};

// Plans (plan_framework_install), creates a temporary venv with the plan's Python, runs
// `pip install --dry-run --ignore-installed --report` with the plan's requirements and index,
// downloads every reported wheel once (`pip download --no-deps`) to record its size and
// sha256 (checked against the report's), lists the toolkit archives from NVIDIA's manifests
// when the plan has a toolkit, and writes the lock atomically. Errors: those of planning;
// usage (--installer uv: not supported yet); environment (the installer fails: its last
// lines are causes); input (the report: a source distribution, a local folder); integrity
// (a downloaded wheel whose sha256 is not the index's); io.
[[nodiscard]] util::Result<LockOutcome> run_lock(const LockOptions& options);

}  // namespace envsetup::app
