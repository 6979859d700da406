// SPDX-License-Identifier: Apache-2.0
#include <envsetup/cli/config_edge.hpp>

#include <envsetup/app/install_command.hpp>
#include <envsetup/fetch/cache.hpp>
#include <envsetup/fetch/sources.hpp>

#include <CLI/CLI.hpp>

#include <optional>
#include <vector>

namespace envsetup::cli {

namespace {

std::optional<config::Settings>& stored()
{
  static std::optional<config::Settings> settings;
  return settings;
}

// The defaults the commands use when nothing else gives a value; keys without one stay unset
// (no wheel mirror: the framework's own index; no CA bundle: the system's; no Python: the
// best plan's).
std::map<config::Key, std::string> defaults()
{
  return {{config::Key::mirror, fetch::k_nvidia_redist_root},
          {config::Key::cache, fetch::Cache::default_root().string()},
          {config::Key::store, app::store_root(std::nullopt).string()},
          {config::Key::installer, "pip"},
          {config::Key::jobs, "4"}};
}

// The subcommands that were invoked, outermost first.
void invoked(CLI::App& app, std::vector<CLI::App*>& out)
{
  for (CLI::App* sub : app.get_subcommands()) {
    out.push_back(sub);
    invoked(*sub, out);
  }
}

CLI::Option* option_named(CLI::App& command, std::string_view name)
{
  for (CLI::Option* option : command.get_options()) {
    for (const std::string& long_name : option->get_lnames()) {
      if (long_name == name) {
        return option;
      }
    }
  }
  return nullptr;
}

// Whether a flag on the command line takes the choice `key` would make, so that a configured
// value must not reach the command: `install --locked` takes its Python from the lock (and
// refuses --python).
bool replaced_on_command_line(config::Key key, const std::vector<CLI::App*>& commands)
{
  if (key != config::Key::python) {
    return false;
  }
  for (CLI::App* command : commands) {
    if (const CLI::Option* locked = option_named(*command, "locked"); locked != nullptr && locked->count() > 0) {
      return true;
    }
  }
  return false;
}

util::Result<config::Sources> read_sources(const config::Environment& environment, const config::ConfigPaths& paths)
{
  config::Sources sources;
  sources.environment = environment;
  sources.defaults = defaults();
  const std::string home = environment("HOME").value_or("");
  auto user = config::read_config(paths.user, home);
  if (!user) {
    return std::move(user).error();
  }
  auto system = config::read_config(paths.system, home);
  if (!system) {
    return std::move(system).error();
  }
  sources.user = std::move(*user);
  sources.system = std::move(*system);
  return sources;
}

}  // namespace

util::Status apply_config(CLI::App& app)
{
  const config::Environment environment = config::process_environment();
  const config::ConfigPaths paths = config::config_paths(environment);
  std::vector<CLI::App*> commands;
  invoked(app, commands);
  // `config path` says where the files are, even when one of them is broken; the generated
  // reference (`completions`, the build's `man-pages`) depends on no machine's config.
  const std::string first = commands.empty() ? std::string() : commands[0]->get_name();
  const bool config_path = first == "config" && commands.size() == 2 && commands[1]->get_name() == "path";
  if (config_path || first == "completions" || first == "man-pages") {
    return util::ok_status();
  }
  auto sources = read_sources(environment, paths);
  if (!sources) {
    return std::move(sources).error();
  }
  std::vector<std::pair<config::Key, CLI::Option*>> unset;
  for (CLI::App* command : commands) {
    for (const config::KeyInfo& key : config::all_keys()) {
      CLI::Option* option = option_named(*command, key.option);
      if (option == nullptr) {
        continue;
      }
      if (option->count() > 0 && !option->results().empty()) {
        sources->flags[key.key] = option->results().back();
      } else if (!replaced_on_command_line(key.key, commands)) {
        unset.emplace_back(key.key, option);
      }
    }
  }
  config::Settings settings = config::resolve(*sources);
  settings.paths = paths;
  for (auto [key, option] : unset) {
    const config::Value& value = settings.get(key);
    const bool from_file = value.source == config::Source::user_file || value.source == config::Source::system_file;
    // ENVSETUP_MIRROR is read here only (app no longer reads it); ENVSETUP_CACHE_DIR and
    // ENVSETUP_STORE are still read by fetch::Cache::default_root and app::store_root, which
    // commands without a --cache/--store flag rely on.
    const bool edge_variable = value.source == config::Source::environment && key == config::Key::mirror;
    if ((from_file || edge_variable) && value.text) {
      option->add_result(*value.text);
      try {
        option->run_callback();  // the option's validators (and the edge checks) run as for a flag
      } catch (const CLI::ParseError& error) {
        if (!from_file) {
          throw;
        }
        // A value the flag refuses is the file's error: it names the file, the line and the key.
        return util::make_error(util::ErrorKind::input, "invalid config file " + value.origin + ": `" +
                                                          std::string(config::info(key).name) + "`: " + error.what())
          .with_hint("fix or remove the line; docs/config.md lists the keys and their values");
      }
    }
  }
  stored() = std::move(settings);
  return util::ok_status();
}

const config::Settings& effective_settings()
{
  if (!stored()) {
    const config::Environment environment = config::process_environment();
    config::Sources sources;
    sources.environment = environment;
    sources.defaults = defaults();
    stored() = config::resolve(sources);
    stored()->paths = config::config_paths(environment);
  }
  return *stored();
}

bool configured_in_file(config::Key key)
{
  const config::Source source = effective_settings().get(key).source;
  return source == config::Source::user_file || source == config::Source::system_file;
}

}  // namespace envsetup::cli
