// SPDX-License-Identifier: Apache-2.0
// `envsetup envs list|remove`: the venvs install --framework / --locked made.
#include <envsetup/app/envs_command.hpp>
#include <envsetup/cli/commands.hpp>
#include <envsetup/cli/exit_codes.hpp>
#include <envsetup/cli/output.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

namespace envsetup::cli {

namespace {

struct EnvsFlags {
  std::string store;
  std::string venv;
  bool json = false;
  bool forget = false;
};

std::optional<std::filesystem::path> optional_path(const std::string& text)
{
  return text.empty() ? std::nullopt : std::optional<std::filesystem::path>(text);
}

std::string build_of(const pyenv::VenvRecord& record)
{
  if (record.distribution.empty()) {
    return "";
  }
  return record.version.empty() ? record.distribution : record.distribution + " " + record.version;
}

int list(const EnvsFlags& flags)
{
  const auto envs = app::list_envs(optional_path(flags.store));
  if (flags.json) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& env : envs) {
      const auto& record = env.record;
      items.push_back({{"venv", record.venv.string()},
                       {"source", record.source},
                       {"distribution", record.distribution},
                       {"version", record.version},
                       {"python", record.python},
                       {"toolkit_prefix", record.toolkit_prefix ? record.toolkit_prefix->string() : ""},
                       {"lockfile", record.lockfile ? record.lockfile->string() : ""},
                       {"created_at", record.created_at},
                       {"health", app::health_name(env.health)},
                       {"healthy", env.health == app::EnvStatus::Health::ok},
                       {"detail", env.detail}});
    }
    std::cout << items.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    return k_exit_ok;
  }
  if (envs.empty()) {
    std::cout << "no venv made by envsetup (see `envsetup install --framework --help`)\n";
    return k_exit_ok;
  }
  Table table({"venv", "framework", "python", "toolkit prefix", "created", "health"});
  for (const auto& env : envs) {
    const auto& record = env.record;
    std::string health = app::health_name(env.health);
    if (!env.detail.empty()) {
      health += ": " + env.detail;
    }
    table.add({record.venv.string(), build_of(record), record.python,
               record.toolkit_prefix ? record.toolkit_prefix->string() : "", record.created_at, health});
  }
  table.print(std::cout);
  return k_exit_ok;
}

int remove(const EnvsFlags& flags)
{
  auto removal = app::remove_env(flags.venv, optional_path(flags.store), flags.forget);
  if (!removal) {
    return report_error(removal.error(), flags.json);
  }
  const auto venv = pyenv::registry_key(flags.venv).string();
  if (flags.json) {
    std::cout << nlohmann::json{{"ok", true}, {"venv", venv}, {"deleted", removal->existed}, {"forgotten", true}}.dump(
                   -1, ' ', false, nlohmann::json::error_handler_t::replace)
              << '\n';
    return k_exit_ok;
  }
  if (flags.forget) {
    std::cout << "forgot " << venv << " (the folder was not touched)\n";
  } else if (removal->existed) {
    std::cout << "removed " << venv << '\n';
  } else {
    std::cout << venv << " was already gone; dropped it from the registry\n";
  }
  return k_exit_ok;
}

}  // namespace

void add_envs_command(CLI::App& app, CommandResult& result)
{
  auto* envs = app.add_subcommand("envs", "The venvs envsetup made: list them, remove one");
  envs->require_subcommand(1);
  envs->footer("Examples:\n  envsetup envs list\n  envsetup envs list --json\n  envsetup envs remove ~/envs/torch");

  auto list_flags = std::make_shared<EnvsFlags>();
  auto* list_command = envs->add_subcommand(
    "list", "List the venvs install --framework/--locked made: framework build, Python, toolkit prefix, health");
  list_command->add_option("--store", list_flags->store,
                           "envsetup's store (default ENVSETUP_STORE or ~/.local/share/envsetup)");
  list_command->add_flag("--json", list_flags->json, "print JSON");
  list_command->callback([list_flags, &result] { result.exit_code = list(*list_flags); });

  auto remove_flags = std::make_shared<EnvsFlags>();
  auto* remove_command = envs->add_subcommand(
    "remove", "Delete a venv envsetup made (only one `envs list` shows) and drop it from the list");
  remove_command->add_option("venv", remove_flags->venv, "the venv's folder, as `envs list` shows it")->required();
  remove_command->add_option("--store", remove_flags->store, "envsetup's store");
  remove_command->add_flag("--forget", remove_flags->forget, "only drop the registry entry; delete nothing");
  remove_command->add_flag("--json", remove_flags->json, "print JSON");
  remove_command->callback([remove_flags, &result] { result.exit_code = remove(*remove_flags); });
}

}  // namespace envsetup::cli
