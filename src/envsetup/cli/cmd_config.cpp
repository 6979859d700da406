// SPDX-License-Identifier: Apache-2.0
// `envsetup config show [--json]` and `envsetup config path [--json]` (docs/config.md).
#include <envsetup/cli/commands.hpp>
#include <envsetup/cli/config_edge.hpp>
#include <envsetup/cli/exit_codes.hpp>
#include <envsetup/cli/output.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <map>
#include <memory>
#include <string>

#include <sys/stat.h>

namespace envsetup::cli {

namespace {

struct ConfigFlags {
  std::map<std::string, std::string> values;  // the key flags `show` takes, to show their effect
  bool json = false;
};

constexpr int k_json_indent = 2;

// What an unset value means, in words.
std::string unset_meaning(config::Key key)
{
  switch (key) {
    case config::Key::wheel_mirror:
      return "(none: the framework's own index)";
    case config::Key::cacert:
      return "(none: the system's CA certificates)";
    case config::Key::python:
      return "(none: the active venv, .python-version, python3 on PATH)";
    default:
      return "(none)";
  }
}

bool file_exists(const std::filesystem::path& path)
{
  struct stat status {};
  return ::lstat(path.c_str(), &status) == 0;
}

nlohmann::json files_json(const config::Settings& settings)
{
  return {{"user", {{"path", settings.paths.user.string()}, {"exists", file_exists(settings.paths.user)}}},
          {"system", {{"path", settings.paths.system.string()}, {"exists", file_exists(settings.paths.system)}}}};
}

int show(const ConfigFlags& flags)
{
  const config::Settings& settings = effective_settings();
  if (flags.json) {
    nlohmann::json values = nlohmann::json::object();
    for (const config::KeyInfo& key : config::all_keys()) {
      const config::Value& value = settings.get(key.key);
      values[std::string(key.name)] = {
        {"value", value.text ? nlohmann::json(*value.text) : nlohmann::json(nullptr)},
        {"source", std::string(config::source_name(value.source))},
        {"origin", value.origin},
        {"flag", "--" + std::string(key.option)},
        {"variable", key.variable.empty() ? nlohmann::json(nullptr) : nlohmann::json(std::string(key.variable))}};
    }
    std::cout << nlohmann::json{{"ok", true}, {"files", files_json(settings)}, {"settings", values}}.dump(
                   k_json_indent, ' ', false, nlohmann::json::error_handler_t::replace)
              << '\n';
    return k_exit_ok;
  }
  for (const auto& [name, path] :
       {std::pair{"user file:  ", settings.paths.user}, std::pair{"system file:", settings.paths.system}}) {
    std::cout << name << ' ' << path.string() << (file_exists(path) ? "" : " (absent)") << '\n';
  }
  std::cout << '\n';
  Table table({"key", "value", "from"});
  for (const config::KeyInfo& key : config::all_keys()) {
    const config::Value& value = settings.get(key.key);
    table.add({std::string(key.name), value.text ? *value.text : unset_meaning(key.key), value.origin});
  }
  table.print(std::cout);
  return k_exit_ok;
}

int path(const ConfigFlags& flags)
{
  const config::Settings& settings = effective_settings();
  if (flags.json) {
    std::cout << nlohmann::json{{"ok", true}, {"files", files_json(settings)}}.dump(
                   k_json_indent, ' ', false, nlohmann::json::error_handler_t::replace)
              << '\n';
    return k_exit_ok;
  }
  std::cout << settings.paths.user.string() << '\n' << settings.paths.system.string() << '\n';
  return k_exit_ok;
}

}  // namespace

void add_config_command(CLI::App& app, CommandResult& result)
{
  auto* command = app.add_subcommand("config", "Show the settings in effect and the config files they come from");
  command->require_subcommand(1);
  auto flags = std::make_shared<ConfigFlags>();
  auto* show_command = command->add_subcommand(
    "show", "Every setting's value and where it came from (flag > environment > user file > system file > default)");
  for (const config::KeyInfo& key : config::all_keys()) {
    show_command->add_option("--" + std::string(key.option), flags->values[std::string(key.name)],
                             std::string(key.help));
  }
  show_command->add_flag("--json", flags->json, "JSON on stdout");
  show_command->callback([flags, &result] { result.exit_code = show(*flags); });
  auto* path_command =
    command->add_subcommand("path", "The user's and the system's config file paths (user first), read or not");
  path_command->add_flag("--json", flags->json, "JSON on stdout");
  path_command->callback([flags, &result] { result.exit_code = path(*flags); });
}

}  // namespace envsetup::cli
