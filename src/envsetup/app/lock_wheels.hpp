// SPDX-License-Identifier: Apache-2.0
// `envsetup lock`'s wheel step (lock_command.cpp): pip's resolution, every wheel hashed.
#pragma once

#include <envsetup/app/framework_install.hpp>
#include <envsetup/lock/lockfile.hpp>

#include <filesystem>
#include <vector>

namespace envsetup::app {

// Runs `pip install --dry-run --ignore-installed --only-binary=:all: --report` in plan.venv
// (created) with the plan's requirements, then `pip download --no-deps` of every reported URL
// into `work`, and returns each wheel with its index key, URL (relative to that index's root
// when below it), size and sha256 (checked against the report's when it has one).
[[nodiscard]] util::Result<std::vector<lock::LockedWheel>> resolve_wheels(const FrameworkInstallPlan& plan,
                                                                          const std::vector<lock::LockedIndex>& indexes,
                                                                          const std::filesystem::path& work);

}  // namespace envsetup::app
