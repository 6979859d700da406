// SPDX-License-Identifier: Apache-2.0
#include <envsetup/cli/parse_errors.hpp>

#include <envsetup/util/strings.hpp>
#include <envsetup/util/suggest.hpp>
#include <envsetup/util/template.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>

namespace envsetup::cli {

namespace {

// The subcommand chain that parsed, deepest last (`envsetup matrix update` -> 3 apps).
std::vector<const CLI::App*> selected_chain(const CLI::App& app)
{
  std::vector<const CLI::App*> chain{&app};
  for (;;) {
    const auto chosen = chain.back()->get_subcommands();
    if (chosen.empty()) {
      return chain;
    }
    chain.push_back(chosen.front());
  }
}

std::string command_text(const std::vector<const CLI::App*>& chain)
{
  std::string text = "envsetup";
  for (std::size_t i = 1; i < chain.size(); ++i) {
    text += " " + chain[i]->get_name();
  }
  return text;
}

// The public subcommands of `app` by name.
std::vector<std::string> command_names(const CLI::App& app)
{
  std::vector<std::string> names;
  for (const auto* sub : app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); })) {
    names.push_back(sub->get_name());
  }
  return names;
}

// Every flag `app` takes (`--framework`, `-f`), its parents' included.
std::vector<std::string> flag_names(const CLI::App& app)
{
  std::vector<std::string> names;
  for (const auto* at = &app; at != nullptr; at = at->get_parent()) {
    for (const auto* option : at->get_options()) {
      for (const auto& name : option->get_lnames()) {
        names.push_back("--" + name);
      }
      for (const auto& name : option->get_snames()) {
        names.push_back("-" + name);
      }
    }
  }
  return names;
}

bool takes_positionals(const CLI::App& app)
{
  const auto options = app.get_options([](const CLI::Option* o) { return o->get_positional(); });
  return !options.empty();
}

util::Error usage(std::string message)
{
  return util::make_error(util::ErrorKind::usage, std::move(message));
}

// `--format: pipp not in {pip,conda}` (CLI::IsMember's wording): the value and the set.
std::optional<util::Error> value_error(std::string_view what)
{
  const auto marker = what.find(" not in {");
  const auto close = what.rfind('}');
  if (marker == std::string_view::npos || close == std::string_view::npos || close < marker) {
    return std::nullopt;
  }
  std::string_view value = what.substr(0, marker);
  std::string flag;
  if (const auto colon = value.rfind(": "); colon != std::string_view::npos) {
    flag = std::string(value.substr(0, colon));
    value = value.substr(colon + 2);
  }
  const auto set_start = marker + std::string_view(" not in {").size();
  std::vector<std::string> choices;
  for (const auto choice : util::split(what.substr(set_start, close - set_start), ',')) {
    choices.emplace_back(choice);
  }
  const std::string shown = util::escape_control_characters(value);
  auto error =
    usage((flag.empty() ? std::string() : flag + " ") + "`" + shown + "` is not one of " + util::join(choices, ", "));
  if (const auto match = util::closest_match(value, choices)) {
    error = std::move(error).with_hint("did you mean `" + (flag.empty() ? std::string() : flag + " ") + *match + "`?");
  }
  return error;
}

}  // namespace

util::Error describe_parse_error(const CLI::App& app, const CLI::ParseError& error)
{
  const auto chain = selected_chain(app);
  const CLI::App& deepest = *chain.back();
  const std::string command = command_text(chain);
  const std::string help =
    "run `" + command + " --help` for its " + (deepest.get_subcommands({}).empty() ? "flags" : "commands and flags");

  std::vector<std::string> extras;
  for (const auto* at : chain) {
    for (auto& extra : at->remaining()) {
      extras.push_back(std::move(extra));
    }
  }
  for (const auto& extra : extras) {
    const std::string shown = util::escape_control_characters(extra);
    if (extra.size() > 1 && extra.front() == '-') {
      const std::string name = extra.substr(0, extra.find('='));
      auto result = usage(command + ": unknown flag `" + util::escape_control_characters(name) + "`");
      if (const auto match = util::closest_match(name, flag_names(deepest))) {
        result = std::move(result).with_hint("did you mean `" + *match + "`?");
      }
      return std::move(result).with_hint(help);
    }
    const auto commands = command_names(deepest);
    if (!commands.empty() && !takes_positionals(deepest)) {
      auto result = usage("unknown command `" + (command == "envsetup" ? "" : command.substr(9) + " ") + shown + "`");
      if (const auto match = util::closest_match(extra, commands)) {
        result = std::move(result).with_hint("did you mean `" + command + " " + *match + "`?");
      }
      return std::move(result).with_hint(help);
    }
    auto result = usage(command + ": unexpected argument `" + shown + "`");
    if (deepest.get_option_no_throw("--framework") != nullptr) {
      result = std::move(result).with_hint("the framework is a flag: `" + command + " --framework " +
                                           util::escape_control_characters(util::shell_word(extra)) + "`");
    }
    return std::move(result).with_hint(help);
  }
  if (auto result = value_error(error.what())) {
    return std::move(*result).with_hint(help);
  }
  const std::string what = error.what();
  // CLI11's "--gpu: 1 required TEXT missing": a flag given last, without its value.
  if (const auto colon = what.find(": ");
      colon != std::string::npos && what.ends_with(" missing") && what.find(" required ") != std::string::npos) {
    return usage("`" + what.substr(0, colon) + "` needs a value").with_hint(help);
  }
  if (const auto commands = command_names(deepest);
      !commands.empty() && deepest.get_subcommands().empty() && deepest.get_require_subcommand_min() > 0) {
    return usage("`" + command + "` needs a command: " + util::join(commands, ", ")).with_hint(help);
  }
  return usage(what).with_hint(help);
}

}  // namespace envsetup::cli
