// SPDX-License-Identifier: Apache-2.0
#include <envsetup/cli/run.hpp>

#include <envsetup/cli/colour.hpp>
#include <envsetup/cli/commands.hpp>
#include <envsetup/cli/config_edge.hpp>
#include <envsetup/cli/exit_codes.hpp>
#include <envsetup/cli/install_framework.hpp>
#include <envsetup/cli/output.hpp>
#include <envsetup/cli/parse_errors.hpp>
#include <envsetup/cli/version.hpp>
#include <envsetup/detect/detect.hpp>
#include <envsetup/util/strings.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <exception>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#ifndef ENVSETUP_VERSION
#error "ENVSETUP_VERSION must be defined by the build"
#endif

namespace envsetup::cli {

namespace {

// The edge: every flag and environment variable that carries a path, a URL or a host fact is
// checked here, once, before any command runs, so that nothing below sees a newline in a
// path (which would end a line of `activate` or requirements.txt) or garbage that the same
// value as a flag would refuse. A failed check is a usage error naming the flag or variable.

// Options (long flags and positionals, by name) whose value is a path ("python": the hidden
// check-framework's interpreter; elsewhere an X.Y, which has no control character either).
constexpr std::array<std::string_view, 17> k_path_options = {
  "prefix", "store",  "cache", "venv",   "matrix", "sysroot", "cacert", "output", "library",
  "dir",    "outdir", "python", "key",   "PATH",   "lock",    "locked", "bundle"};

// Options whose value is a folder or a URL, checked like --mirror: `matrix update --from`,
// `matrix check-index --index` and `resolve --index`.
constexpr std::array<std::string_view, 3> k_source_options = {"mirror", "from", "index"};

// Environment variables that carry a path envsetup reads or writes under.
constexpr std::array<std::string_view, 9> k_path_variables = {
  "ENVSETUP_STORE", "ENVSETUP_CACHE_DIR", "ENVSETUP_MATRIX", "ENVSETUP_SYSROOT", "XDG_DATA_HOME", "XDG_CACHE_HOME",
  "XDG_CONFIG_HOME", "HOME",  // HOME: the default cache, store, keys and updates are under it
  "ENVSETUP_SYSTEM_CONFIG"};  // the system config file (docs/config.md)

// The first problem found, kept for `run` to print as envsetup prints every error; CLI11 only
// sees that a check failed.
using ProblemSlot = std::shared_ptr<std::optional<util::Error>>;

util::Status check_path(std::string_view name, std::string_view value)
{
  return util::require_no_control_characters(name, value);
}

// --mirror, --from, --index, ENVSETUP_MIRROR, ENVSETUP_MATRIX_URL: a folder, or a URL
// (anything with `://`).
util::Status check_mirror(std::string_view name, std::string_view value)
{
  ENVSETUP_TRY(check_path(name, value));
  if (value.find("://") == std::string_view::npos) {
    return util::ok_status();
  }
  if (auto problem = util::mirror_url_problem(value)) {
    return util::make_error(util::ErrorKind::usage, std::string(name) + " `" + util::escape_control_characters(value) +
                                                      "` is not a mirror URL")
      .with_cause(*problem)
      .with_hint("give an http://, https:// or file:/// URL, or a folder, e.g. http://mirror.lab/nvidia/");
  }
  return util::ok_status();
}

util::Status check_wheel_mirror(std::string_view name, std::string_view value)
{
  if (auto problem = util::mirror_url_problem(value)) {
    return util::make_error(util::ErrorKind::usage, std::string(name) + " `" + util::escape_control_characters(value) +
                                                      "` is not a wheel index URL")
      .with_cause(*problem)
      .with_hint("give the root that holds cu124/, cpu/, ... e.g. http://mirror.lab/pytorch/whl/");
  }
  return util::ok_status();
}

using Check = std::function<util::Status(std::string_view, std::string_view)>;

std::optional<Check> check_for(const CLI::Option& option, std::string& flag)
{
  const auto& long_names = option.get_lnames();
  const std::string name = long_names.empty() ? option.get_name(true) : long_names.front();
  flag = long_names.empty() ? name : "--" + name;
  if (name == "wheel-mirror") {
    return check_wheel_mirror;
  }
  if (std::find(k_source_options.begin(), k_source_options.end(), name) != k_source_options.end()) {
    return check_mirror;
  }
  if (std::find(k_path_options.begin(), k_path_options.end(), name) != k_path_options.end()) {
    return check_path;
  }
  return std::nullopt;
}

// Adds the edge checks to every path and URL option of `app` and its subcommands.
void add_option_checks(CLI::App& app, const ProblemSlot& problem)
{
  for (auto* option : app.get_options()) {
    std::string flag;
    if (auto check = check_for(*option, flag)) {
      option->check(CLI::Validator(
        [check = std::move(*check), flag, problem](std::string& value) -> std::string {
          auto status = check(flag, value);
          if (status) {
            return {};
          }
          if (!problem->has_value()) {
            *problem = status.error();
          }
          return status.error().message;
        },
        ""));
    }
  }
  for (auto* command : app.get_subcommands([](CLI::App*) { return true; })) {
    add_option_checks(*command, problem);
  }
}

std::optional<std::string> variable(std::string_view name)
{
  const char* value = std::getenv(std::string(name).c_str());
  return value == nullptr || *value == '\0' ? std::nullopt : std::optional<std::string>(value);
}

// The environment variables envsetup reads, checked as strictly as the flags they stand for.
util::Status check_environment()
{
  for (const auto name : k_path_variables) {
    if (const auto value = variable(name)) {
      ENVSETUP_TRY(check_path(name, *value));
    }
  }
  for (const std::string_view name : {"ENVSETUP_MIRROR", "ENVSETUP_MATRIX_URL"}) {
    if (const auto value = variable(name)) {
      ENVSETUP_TRY(check_mirror(name, *value));
    }
  }
  if (const auto value = variable("ENVSETUP_MATRIX_MAX_AGE_DAYS")) {
    int days = 0;
    if (!util::parse_non_negative(*value, days)) {
      return util::make_error(util::ErrorKind::usage, "ENVSETUP_MATRIX_MAX_AGE_DAYS `" +
                                                        util::escape_control_characters(*value) + "` is not a number of days")
        .with_hint("give whole days, e.g. 365, or 0 to never call the matrix old");
    }
  }
  if (const auto value = variable("ENVSETUP_IDLE_TIMEOUT"); value && !parse_idle_timeout(*value)) {
    return util::make_error(util::ErrorKind::usage,
                            "ENVSETUP_IDLE_TIMEOUT `" + util::escape_control_characters(*value) + "` is not a duration")
      .with_hint("a whole number with s, m or h, from 1s to 7 days: 90s, 45m, 2h (no unit: minutes)");
  }
  if (const auto value = variable(detect::k_driver_override)) {
    ENVSETUP_TRY(detect::parse_driver_override(*value));
  }
  if (const auto value = variable(detect::k_gpus_override)) {
    ENVSETUP_TRY(detect::parse_gpus_override(*value));
  }
  return util::ok_status();
}

// Whether the command line asks for JSON (--json, or --events: JSON Lines); for errors found
// before the flags are known.
bool json_requested(int argc, char** argv)
{
  return std::any_of(argv + std::min(argc, 1), argv + argc, [](const char* arg) {
    return std::string_view(arg) == "--json" || std::string_view(arg) == "--events";
  });
}

}  // namespace

int run(int argc, char** argv)
{
  const ControlCharacterFilter filter;  // nothing from outside drives the terminal
  try {
    const bool json = json_requested(argc, argv);
    std::vector<char*> args(argv, argv + argc);
    auto colour = take_colour_flag(args);
    set_colour(colour ? *colour : ColourMode::automatic, json);
    if (!colour) {
      return report_error(colour.error(), json);
    }
    CLI::App app{"envsetup: from \"I have an NVIDIA GPU\" to a verified PyTorch, TensorFlow or "
                 "JAX setup"};
    app.name("envsetup");
    // The version, the build's commit and the matrix in effect; `--version --json`: as JSON.
    app.set_version_flag(
      "-V,--version", [argc, argv] { return version_text(json_requested(argc, argv)); },
      "print the version, the build's git commit and the matrix in effect (with --json: as JSON)");
    app.require_subcommand(1);
    // Documented here for --help; take_colour_flag has already taken it out of the arguments.
    std::string colour_flag;
    app.add_option("--color", colour_flag, "colour errors on a terminal: auto (default; off with NO_COLOR or into a "
                                           "pipe), always or never; may stand anywhere; never under --json")
      ->check(CLI::IsMember(colour_mode_names()));
    app.footer("Run `envsetup COMMAND --help` for a command's flags and examples.\n"
               "Exit codes: docs/cli.md.");
    CommandResult result;
    add_detect_command(app, result);
    add_resolve_command(app, result);
    add_spec_command(app, result);
    add_fetch_command(app, result);
    add_install_commands(app, result);
    add_lock_command(app, result);
    add_cache_command(app, result);
    add_matrix_command(app, result);
    add_doctor_command(app, result);
    add_inspect_command(app, result);
    add_verify_command(app, result);
    add_config_command(app, result);
    add_envs_command(app, result);
    add_gc_command(app, result);
    add_reference_commands(app, result);  // last: it describes the commands above
    const auto problem = std::make_shared<std::optional<util::Error>>();
    add_option_checks(app, problem);
    // Runs after the flags parsed and before any command's callback.
    app.parse_complete_callback([problem, &app] {
      if (auto status = check_environment(); !status) {
        *problem = status.error();
        throw CLI::ValidationError("environment", status.error().message);
      }
      // The config files (docs/config.md): values from a file become the flags not given.
      if (auto status = apply_config(app); !status) {
        *problem = status.error();
        throw CLI::ValidationError("config", status.error().message);
      }
    });
    try {
      app.parse(static_cast<int>(args.size()), args.data());
    } catch (const CLI::ParseError& e) {
      if (problem->has_value()) {
        return report_error(**problem, json);
      }
      if (e.get_exit_code() == 0) {  // --help, --version
        return app.exit(e) == 0 ? k_exit_ok : k_exit_usage;
      }
      // A malformed command line is reported like every other error (and as JSON on stdout
      // with --json), with the closest correct word and the command's help as the way out.
      return report_error(describe_parse_error(app, e), json);
    }
    return result.exit_code;
  } catch (const std::exception& e) {
    std::cerr << "envsetup: error: internal error: " << e.what() << '\n'
              << "  hint: this is a bug in envsetup; please report it with the command line\n";
    return k_exit_internal;
  }
}

}  // namespace envsetup::cli
