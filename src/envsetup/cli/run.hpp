// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace envsetup::cli {

// The whole program: parses `argv`, runs one subcommand, prints, and returns the exit code
// (docs/cli.md). Never throws.
[[nodiscard]] int run(int argc, char** argv);

}  // namespace envsetup::cli
