// SPDX-License-Identifier: Apache-2.0
#include <envsetup/cli/cli_model.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <array>
#include <string_view>

namespace envsetup::cli {

namespace {

// Options whose value is a file or folder (by long name or positional name); "mirror" and
// "from" also take URLs, but a folder is what a completion can help with.
constexpr std::array<std::string_view, 22> k_path_values = {
  "prefix", "store", "cache",  "venv",   "matrix", "sysroot", "cacert", "output",      "library", "dir",    "outdir",
  "key",    "PATH",  "locked", "bundle", "out",    "OUTDIR",  "FILE",   "python-path", "lock",    "mirror", "from"};

bool is_path_name(std::string_view name)
{
  return std::find(k_path_values.begin(), k_path_values.end(), name) != k_path_values.end();
}

// Whether a help text names the value `none` ("torch, tensorflow, jax or none").
bool names_none(std::string_view text)
{
  for (auto at = text.find("none"); at != std::string_view::npos; at = text.find("none", at + 1)) {
    const bool starts = at == 0 || text[at - 1] == ' ' || text[at - 1] == '`';
    const auto after = at + 4;
    const bool ends = after == text.size() || text[after] == ' ' || text[after] == ',' || text[after] == '`' ||
                      text[after] == ')' || text[after] == '.' || text[after] == ';';
    if (starts && ends) {
      return true;
    }
  }
  return false;
}

// CLI11 writes an IsMember check into the type name as ":{a,b,c}"; the choices are read back
// from there, so they are exactly what the parser accepts.
std::vector<std::string> choices_in(const std::string& type_name)
{
  const auto open = type_name.find(":{");
  if (open == std::string::npos) {
    return {};
  }
  const auto close = type_name.find('}', open);
  if (close == std::string::npos) {
    return {};
  }
  std::vector<std::string> choices;
  std::string current;
  for (auto i = open + 2; i < close; ++i) {
    if (type_name[i] == ',') {
      choices.push_back(current);
      current.clear();
    } else {
      current += type_name[i];
    }
  }
  if (!current.empty()) {
    choices.push_back(current);
  }
  return choices;
}

OptionModel describe_option(const CLI::Option& option, const std::vector<std::string>& path)
{
  OptionModel model;
  model.long_names = option.get_lnames();
  model.short_names = option.get_snames();
  if (option.get_positional() && !option.nonpositional()) {
    model.positional = option.get_name(true, false);
  }
  model.description = option.get_description();
  model.required = option.get_required();
  const std::string type_name = option.get_type_name();
  model.value_name = type_name.substr(0, type_name.find(':'));
  model.repeatable =
    option.get_items_expected_max() > 1 || option.get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll;
  if (option.get_items_expected_max() == 0) {
    model.kind = ValueKind::none;
    return model;
  }
  const std::string name = model.long_names.empty() ? model.positional : model.long_names.front();
  model.choices = choices_in(type_name);
  const bool is_prefix_argument = !model.positional.empty() && name == "prefix" && !path.empty() &&
                                  (path.front() == "remove" || path.front() == "env");
  if (!model.choices.empty()) {
    model.kind = ValueKind::choice;
  } else if (name == "framework") {
    model.kind = ValueKind::framework;
    if (names_none(model.description)) {
      model.choices = {"none"};  // `--framework none`: a bare CUDA toolkit (resolve, spec)
    }
  } else if (is_prefix_argument) {
    model.kind = ValueKind::prefix;
  } else if (is_path_name(name)) {
    model.kind = ValueKind::path;
  } else {
    model.kind = ValueKind::text;
  }
  return model;
}

void add_options(const CLI::App& app, bool include_hidden, CommandModel& model)
{
  std::vector<OptionModel> flags;
  std::vector<OptionModel> positional;
  for (const auto* option : app.get_options()) {
    if (option->get_group().empty() && !include_hidden) {
      continue;
    }
    auto described = describe_option(*option, model.path);
    (described.positional.empty() ? flags : positional).push_back(std::move(described));
  }
  // Option groups are nameless subcommands; their options belong to this command.
  for (const auto* group : app.get_subcommands([](const CLI::App* sub) { return sub->get_name().empty(); })) {
    add_options(*group, include_hidden, model);
  }
  model.options.insert(model.options.end(), flags.begin(), flags.end());
  model.options.insert(model.options.end(), positional.begin(), positional.end());
}

CommandModel describe_app(const CLI::App& app, std::vector<std::string> path, bool include_hidden)
{
  CommandModel model;
  model.name = path.empty() ? app.get_name() : path.back();
  model.path = std::move(path);
  model.description = app.get_description();
  model.footer = app.get_footer();
  model.requires_subcommand = app.get_require_subcommand_min() > 0;
  add_options(app, include_hidden, model);
  for (const auto* sub :
       app.get_subcommands([](const CLI::App* candidate) { return !candidate->get_name().empty(); })) {
    if (sub->get_group().empty() && !include_hidden) {
      continue;
    }
    auto sub_path = model.path;
    sub_path.push_back(sub->get_name());
    model.subcommands.push_back(describe_app(*sub, std::move(sub_path), include_hidden));
  }
  return model;
}

void collect(const CommandModel& command, std::vector<const CommandModel*>& out)
{
  out.push_back(&command);
  for (const auto& sub : command.subcommands) {
    collect(sub, out);
  }
}

}  // namespace

CommandModel describe_cli(const CLI::App& app, bool include_hidden)
{
  return describe_app(app, {}, include_hidden);
}

std::string command_line_name(const CommandModel& command)
{
  std::string name = "envsetup";
  for (const auto& part : command.path) {
    name += " " + part;
  }
  return name;
}

std::vector<std::string> option_spellings(const OptionModel& option)
{
  std::vector<std::string> spellings;
  for (const auto& name : option.long_names) {
    spellings.push_back("--" + name);
  }
  for (const auto& name : option.short_names) {
    spellings.push_back("-" + name);
  }
  return spellings;
}

std::vector<const OptionModel*> positionals(const CommandModel& command)
{
  std::vector<const OptionModel*> result;
  for (const auto& option : command.options) {
    if (!option.positional.empty()) {
      result.push_back(&option);
    }
  }
  return result;
}

std::vector<const CommandModel*> all_commands(const CommandModel& root)
{
  std::vector<const CommandModel*> result;
  collect(root, result);
  return result;
}

}  // namespace envsetup::cli
