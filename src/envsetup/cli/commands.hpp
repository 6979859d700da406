// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace CLI {
class App;
}

namespace envsetup::cli {

// Set by the subcommand that ran; `run` returns it.
struct CommandResult {
  int exit_code = 0;
};

// Each adds one subcommand to `app` whose callback stores its exit code in `result`.
void add_cache_command(CLI::App& app, CommandResult& result);
// `config show` and `config path` (cmd_config.cpp; the files are read by config_edge.cpp).
void add_config_command(CLI::App& app, CommandResult& result);
void add_detect_command(CLI::App& app, CommandResult& result);
void add_doctor_command(CLI::App& app, CommandResult& result);
void add_fetch_command(CLI::App& app, CommandResult& result);
void add_inspect_command(CLI::App& app, CommandResult& result);
void add_install_commands(CLI::App& app, CommandResult& result);
void add_lock_command(CLI::App& app, CommandResult& result);
void add_resolve_command(CLI::App& app, CommandResult& result);
void add_spec_command(CLI::App& app, CommandResult& result);
void add_matrix_command(CLI::App& app, CommandResult& result);
// `matrix check-index`, added to the `matrix` subcommand (cmd_matrix_index.cpp).
void add_matrix_check_index(CLI::App& matrix, CommandResult& result);
// `verify` and its hidden worker `verify-gpu-worker`.
void add_verify_command(CLI::App& app, CommandResult& result);
// `envs list|remove` (cmd_envs.cpp) and `gc` (cmd_gc.cpp).
void add_envs_command(CLI::App& app, CommandResult& result);
void add_gc_command(CLI::App& app, CommandResult& result);
// `completions`, and the hidden `__complete` and `man-pages` (cmd_completions.cpp); add it last:
// it describes the commands added before it.
void add_reference_commands(CLI::App& app, CommandResult& result);

}  // namespace envsetup::cli
