// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/app/resolve_command.hpp>
#include <envsetup/core/plan.hpp>

#include <string>
#include <vector>

namespace envsetup::cli {

// The `resolve --json` document (keys documented in docs/cli.md), pretty-printed; with
// `matrix`, its "matrix" key names the matrix in effect.
[[nodiscard]] std::string resolution_json(const core::Resolution& resolution,
                                          const std::vector<app::FactNote>& facts,
                                          const app::MatrixInfo* matrix = nullptr);
// The same for a whole outcome, "matrix" included.
[[nodiscard]] std::string resolution_json(const app::ResolveOutcome& outcome);

// The "matrix" value of every plan's JSON, as compact JSON text:
// {"source": "embedded"|"update"|"directory", "path": ...|null, "generated": ...|null, "sha256": ...}.
[[nodiscard]] std::string matrix_info_json(const app::MatrixInfo& info);

// "pip install torch==2.5.1 --index-url https://download.pytorch.org/whl/cu124"
[[nodiscard]] std::string install_command(const core::Plan& plan);

}  // namespace envsetup::cli
