// SPDX-License-Identifier: Apache-2.0
#pragma once
// `envsetup matrix update` and `envsetup matrix bundle` (cmd_matrix_update.cpp), added to the
// `matrix` subcommand by cmd_matrix.cpp.

#include <envsetup/cli/commands.hpp>

namespace envsetup::cli {

void add_matrix_update_commands(CLI::App& matrix, CommandResult& result);

}  // namespace envsetup::cli
