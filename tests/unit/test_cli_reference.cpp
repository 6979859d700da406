// SPDX-License-Identifier: Apache-2.0
// The CLI model (cli_model), roff escaping and the completion scripts on a small CLI11 tree.
#include <envsetup/cli/cli_model.hpp>
#include <envsetup/cli/completion_scripts.hpp>
#include <envsetup/cli/man_page.hpp>

#include <gtest/gtest.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace envsetup::cli {
namespace {

struct Values {
  std::string format, framework, prefix, store, version;
  bool json = false;
};

// envsetup-like: `spec --format`, `install -f`, `remove PREFIX`, `matrix show`, a hidden command.
void build(CLI::App& app, Values& values)
{
  app.name("envsetup");
  app.require_subcommand(1);
  auto* spec = app.add_subcommand("spec", "Write a plan");
  spec->add_option("--format", values.format, "the format")->check(CLI::IsMember({"pip", "conda"}));
  spec->add_option("-f,--framework", values.framework, "the framework");
  spec->add_flag("--json", values.json, "print JSON");
  spec->add_option("--version", values.version, "a version");
  auto* remove = app.add_subcommand("remove", "Remove a prefix");
  remove->add_option("prefix", values.prefix, "the prefix")->required();
  remove->add_option("--store", values.store, "the store");
  auto* matrix = app.add_subcommand("matrix", "The matrix");
  matrix->require_subcommand(1);
  matrix->add_subcommand("show", "Show it");
  app.add_subcommand("__hidden", "not for users")->group("");
}

const OptionModel& option(const CommandModel& command, const std::string& name)
{
  const auto found = std::find_if(command.options.begin(), command.options.end(), [&](const OptionModel& candidate) {
    return candidate.positional == name ||
           std::find(candidate.long_names.begin(), candidate.long_names.end(), name) != candidate.long_names.end();
  });
  EXPECT_NE(found, command.options.end()) << name;
  return *found;
}

TEST(CliReference, ModelHasCommandsOptionsChoicesAndKinds)
{
  CLI::App app;
  Values values;
  build(app, values);
  const auto model = describe_cli(app);
  ASSERT_EQ(model.subcommands.size(), 3U);  // __hidden left out
  const auto& spec = model.subcommands[0];
  EXPECT_EQ(spec.path, std::vector<std::string>{"spec"});
  EXPECT_EQ(option(spec, "format").kind, ValueKind::choice);
  EXPECT_EQ(option(spec, "format").choices, (std::vector<std::string>{"pip", "conda"}));
  EXPECT_EQ(option(spec, "framework").kind, ValueKind::framework);
  EXPECT_EQ(option(spec, "framework").short_names, std::vector<std::string>{"f"});
  EXPECT_TRUE(option(spec, "framework").choices.empty());  // its help does not name `none`
  EXPECT_EQ(option(spec, "json").kind, ValueKind::none);
  EXPECT_EQ(option(spec, "version").kind, ValueKind::text);
  const auto& remove = model.subcommands[1];
  EXPECT_EQ(option(remove, "prefix").kind, ValueKind::prefix);
  EXPECT_TRUE(option(remove, "prefix").required);
  EXPECT_EQ(option(remove, "store").kind, ValueKind::path);
  EXPECT_EQ(positionals(remove).size(), 1U);
  const auto& matrix = model.subcommands[2];
  EXPECT_TRUE(matrix.requires_subcommand);
  EXPECT_EQ(command_line_name(matrix.subcommands.at(0)), "envsetup matrix show");
  EXPECT_EQ(all_commands(model).size(), 5U);
  EXPECT_EQ(describe_cli(app, true).subcommands.size(), 4U);
}

TEST(CliReference, RoffEscapeKeepsTextLiteral)
{
  EXPECT_EQ(roff_escape("--framework"), "\\-\\-framework");
  EXPECT_EQ(roff_escape(".hidden request\n'quote"), "\\&.hidden request\n\\&'quote");
  EXPECT_EQ(roff_escape("a\\b"), "a\\eb");
  EXPECT_EQ(roff_escape("CUDA \xe2\x89\xa5 12"), "CUDA \\[u2265] 12");
  EXPECT_EQ(roff_escape("bell\a\x1b[31m"), "bell[31m");
  EXPECT_EQ(roff_escape("bad \xff byte"), "bad \\[uFFFD] byte");
}

TEST(CliReference, ManPagesOnePerPublicCommand)
{
  CLI::App app;
  Values values;
  build(app, values);
  const auto pages = man_pages(describe_cli(app), "1.2.3");
  std::vector<std::string> names;
  for (const auto& page : pages) {
    names.push_back(page.file_name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"envsetup.1", "envsetup-spec.1", "envsetup-remove.1", "envsetup-matrix.1",
                                             "envsetup-matrix-show.1"}));
  EXPECT_NE(pages[0].text.find(".SH EXIT STATUS\n.TP\n.B 0\nsuccess\n"), std::string::npos);
  EXPECT_NE(pages[0].text.find("\"envsetup 1.2.3\""), std::string::npos);
  EXPECT_NE(pages[1].text.find("\\fB\\-\\-format\\fR \\fIFORMAT\\fR\nthe format.\nOne of: pip, conda.\n"),
            std::string::npos);
  EXPECT_NE(pages[2].text.find("\\fBenvsetup remove\\fR [\\fIOPTIONS\\fR] \\fIPREFIX\\fR"), std::string::npos);
  EXPECT_NE(pages[4].text.find("\\fBenvsetup\\-matrix\\fR(1)"), std::string::npos);
}

TEST(CliReference, CompletionScriptsNameEveryOption)
{
  CLI::App app;
  Values values;
  build(app, values);
  const auto model = describe_cli(app);
  const auto bash = bash_completion(model);
  EXPECT_NE(bash.find("'spec|--format') echo 'choice pip conda'"), std::string::npos);
  EXPECT_NE(bash.find("'spec|--framework'|'spec|-f') echo 'framework'"), std::string::npos);
  // positionals by position: `remove PREFIX` has one, so nothing is offered after it
  EXPECT_NE(bash.find("'remove|0') echo 'prefix'"), std::string::npos);
  EXPECT_EQ(bash.find("'remove|'*)"), std::string::npos);
  EXPECT_EQ(bash.find("__hidden"), std::string::npos);
  EXPECT_EQ(bash.find("'spec|--json'"), std::string::npos);  // a flag takes no value
  const auto fish = fish_completion(model);
  EXPECT_NE(fish.find("complete -c envsetup -n '__envsetup_at \\'matrix\\'' -f -a 'show' -d 'Show it'"),
            std::string::npos);
  EXPECT_NE(fish.find("complete -c envsetup -n '__envsetup_positional \\'remove\\' 0' -f -a "
                      "'(__envsetup_dynamic prefixes)'\n"),
            std::string::npos);
  EXPECT_NE(zsh_completion(model).find("#compdef envsetup\n"), std::string::npos);
  EXPECT_EQ(sh_quote("it's"), "'it'\\''s'");
}

TEST(CliReference, RepeatedPositionalAndChoicePositionalComplete)
{
  CLI::App app;
  app.name("envsetup");
  std::string shell;
  std::vector<std::string> paths;
  auto* completions = app.add_subcommand("completions", "Print a script");
  completions->add_option("shell", shell, "the shell")->required()->check(CLI::IsMember({"bash", "zsh"}));
  std::string framework;
  app.add_subcommand("resolve", "Resolve")
    ->add_option("-f,--framework", framework, "torch, tensorflow, jax or none, with a version");
  auto* inspect = app.add_subcommand("inspect", "Read libraries");
  inspect->add_option("PATH", paths, "files");
  const auto model = describe_cli(app);
  const auto bash = bash_completion(model);
  EXPECT_NE(bash.find("'completions|0') echo 'choice bash zsh'"), std::string::npos);
  EXPECT_EQ(bash.find("'completions|'*)"), std::string::npos);
  EXPECT_NE(bash.find("'inspect|0') echo 'path'"), std::string::npos);
  EXPECT_NE(bash.find("'resolve|--framework'|'resolve|-f') echo 'framework none'"), std::string::npos);
  EXPECT_EQ(man_pages(model, "1").at(2).text.find("One of:"), std::string::npos);
  EXPECT_NE(bash.find("'inspect|'*) echo 'path'"), std::string::npos);
  const auto fish = fish_completion(model);
  EXPECT_NE(fish.find("-n '__envsetup_positional \\'completions\\' 0' -f -a 'bash zsh'\n"), std::string::npos);
  EXPECT_NE(fish.find("-n '__envsetup_positional \\'inspect\\' 0 more' -F\n"), std::string::npos);
  EXPECT_NE(fish.find("-s 'f' -r -f -a '(__envsetup_dynamic frameworks) none'"), std::string::npos);
}

TEST(CliReference, ManPageExamplesAndChoices)
{
  CLI::App app;
  app.name("envsetup");
  app.description("envsetup: set things up");
  std::string format;
  std::string shell;
  auto* spec = app.add_subcommand("spec", "Write a plan");
  spec->add_option("--format", format, "pip or conda")->check(CLI::IsMember({"pip", "conda"}));
  spec->add_option("shell", shell, "the shell");
  spec->footer(
    "Examples:\n  envsetup spec --format pip\n\n  envsetup spec --format conda\nExit codes: see envsetup(1).");
  const auto pages = man_pages(describe_cli(app), "1.2.3");
  ASSERT_EQ(pages.size(), 2U);
  // the root's description does not repeat "envsetup: " after NAME
  EXPECT_NE(pages[0].text.find(".SH DESCRIPTION\nset things up\n"), std::string::npos) << pages[0].text;
  const auto& text = pages[1].text;
  EXPECT_NE(text.find(".SH EXAMPLES\n.nf\nenvsetup spec \\-\\-format pip\n.sp\nenvsetup spec \\-\\-format conda\n.fi\n"
                      ".SH NOTES\n.nf\nExit codes: see envsetup(1).\n.fi\n"),
            std::string::npos)
    << text;
  EXPECT_EQ(text.find("Examples:"), std::string::npos);
  EXPECT_EQ(text.find("One of:"), std::string::npos);  // the help names both choices already
  EXPECT_NE(text.find(".TP\n\\fISHELL\\fR\nthe shell.\n"), std::string::npos);
}

}  // namespace
}  // namespace envsetup::cli
