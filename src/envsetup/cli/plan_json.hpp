// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/app/resolve_command.hpp>
#include <envsetup/core/plan.hpp>

#include <string>
#include <vector>

namespace envsetup::cli {

// The `resolve --json` document (keys documented in docs/cli.md), pretty-printed.
[[nodiscard]] std::string resolution_json(const core::Resolution& resolution,
                                          const std::vector<app::FactNote>& facts);

// "pip install torch==2.5.1 --index-url https://download.pytorch.org/whl/cu124"
[[nodiscard]] std::string install_command(const core::Plan& plan);

}  // namespace envsetup::cli
