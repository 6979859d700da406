// SPDX-License-Identifier: Apache-2.0
#include <envsetup/cli/run.hpp>

#include <envsetup/cli/commands.hpp>
#include <envsetup/cli/exit_codes.hpp>

#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

#ifndef ENVSETUP_VERSION
#error "ENVSETUP_VERSION must be defined by the build"
#endif

namespace envsetup::cli {

int run(int argc, char** argv)
{
  try {
    CLI::App app{"envsetup: from \"I have an NVIDIA GPU\" to a verified PyTorch, TensorFlow or "
                 "JAX setup"};
    app.name("envsetup");
    app.set_version_flag("-V,--version", "envsetup " ENVSETUP_VERSION);
    app.require_subcommand(1);
    app.footer("Run `envsetup COMMAND --help` for a command's flags and examples.\n"
               "Exit codes: docs/cli.md.");
    CommandResult result;
    add_detect_command(app, result);
    add_resolve_command(app, result);
    add_spec_command(app, result);
    add_fetch_command(app, result);
    add_install_commands(app, result);
    add_cache_command(app, result);
    add_matrix_command(app, result);
    add_doctor_command(app, result);
    add_verify_command(app, result);
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      const int code = app.exit(e);
      return code == 0 ? k_exit_ok : k_exit_usage;
    }
    return result.exit_code;
  } catch (const std::exception& e) {
    std::cerr << "envsetup: error: internal error: " << e.what() << '\n'
              << "  hint: this is a bug in envsetup; please report it with the command line\n";
    return k_exit_internal;
  }
}

}  // namespace envsetup::cli
