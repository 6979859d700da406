// SPDX-License-Identifier: Apache-2.0
// The command-line interface as data: commands, subcommands, options and flags with their help
// and fixed choices, read from the same CLI11 App tree that parses the command line, so that
// shell completions and man pages cannot drift from the parser.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace envsetup::cli {

// What a value of an option (or a positional) is, for completion.
enum class ValueKind {
  none,       // a flag: takes no value
  choice,     // one of `choices`
  framework,  // a framework name from the matrix in effect (`--framework`)
  prefix,     // an installed prefix (`remove PREFIX`, `env PREFIX`)
  path,       // a file or folder
  text,       // anything else (versions, URLs, numbers)
};

struct OptionModel {
  std::vector<std::string> long_names;   // without dashes: "format"
  std::vector<std::string> short_names;  // without the dash: "f"
  std::string positional;                // the positional's name; empty for flags and options
  std::string description;
  std::string value_name;  // CLI11's type name without its validators: "TEXT", "INT"
  ValueKind kind = ValueKind::none;
  std::vector<std::string> choices;  // ValueKind::choice: all of them; framework: literal extras ("none")
  bool required = false;
  bool repeatable = false;  // takes more than one value or may be given again
};

struct CommandModel {
  std::string name;               // "envsetup" for the root, else the subcommand's name
  std::vector<std::string> path;  // subcommand names from the root: {"matrix", "update"}; empty for the root
  std::string description;
  std::string footer;
  std::vector<OptionModel> options;  // flags and options first (as declared), then positionals
  std::vector<CommandModel> subcommands;
  bool requires_subcommand = false;
};

// The tree below `app` (its own options included). Hidden subcommands (CLI11 group "") and
// hidden options are left out unless `include_hidden`; option groups are flattened.
[[nodiscard]] CommandModel describe_cli(const CLI::App& app, bool include_hidden = false);

// "envsetup matrix update" for a command.
[[nodiscard]] std::string command_line_name(const CommandModel& command);

// The command's options that take no value / take one, each as "--long" and "-s" spellings.
[[nodiscard]] std::vector<std::string> option_spellings(const OptionModel& option);

// The positionals of `command`, in order.
[[nodiscard]] std::vector<const OptionModel*> positionals(const CommandModel& command);

// Every command of the tree in depth-first order (the root first).
[[nodiscard]] std::vector<const CommandModel*> all_commands(const CommandModel& root);

}  // namespace envsetup::cli
