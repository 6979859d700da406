// SPDX-License-Identifier: Apache-2.0
// `envsetup completions bash|zsh|fish`, and two hidden helpers: `__complete frameworks|prefixes`
// (what the completion scripts ask at completion time) and `man-pages --output-dir DIR` (the
// build writes the man pages with it; cmake/GeneratedDocs.cmake).
#include <envsetup/app/install_command.hpp>
#include <envsetup/app/matrix_source.hpp>
#include <envsetup/cli/cli_model.hpp>
#include <envsetup/cli/commands.hpp>
#include <envsetup/cli/completion_scripts.hpp>
#include <envsetup/cli/exit_codes.hpp>
#include <envsetup/cli/man_page.hpp>
#include <envsetup/cli/output.hpp>
#include <envsetup/cli/version.hpp>
#include <envsetup/util/fs.hpp>
#include <envsetup/util/strings.hpp>

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <system_error>

namespace envsetup::cli {

namespace {

struct ReferenceFlags {
  std::string shell;
  std::string output;
  std::string what;
  std::string store;
  std::string output_dir;
};

int completions(const CLI::App& root, const ReferenceFlags& flags)
{
  const auto model = describe_cli(root);
  const std::string script = flags.shell == "bash"  ? bash_completion(model)
                             : flags.shell == "zsh" ? zsh_completion(model)
                                                    : fish_completion(model);
  if (flags.output.empty()) {
    std::cout << script;
    return k_exit_ok;
  }
  if (auto written = util::write_file_atomic(flags.output, script); !written) {
    return report_error(written.error(), false);
  }
  return k_exit_ok;
}

// One name a line, nothing on failure: a completion must never print an error into the
// user's command line.
int complete(const ReferenceFlags& flags)
{
  if (flags.what == "frameworks") {
    auto matrix = app::load_matrix(app::with_environment({}));
    if (!matrix) {
      return k_exit_ok;
    }
    for (const auto& framework : matrix->frameworks) {
      std::cout << framework.name << '\n';
    }
    return k_exit_ok;
  }
  std::optional<std::filesystem::path> store;
  if (!flags.store.empty()) {
    store = flags.store;
  }
  for (const auto& entry : app::list_prefixes(store)) {
    const auto name = entry.prefix.string();
    if (!util::find_control_character(name)) {
      std::cout << name << '\n';
    }
  }
  return k_exit_ok;
}

int write_man_pages(const CLI::App& root, const ReferenceFlags& flags)
{
  if (auto status = util::require_no_control_characters("--output-dir", flags.output_dir); !status) {
    return report_error(status.error(), false);
  }
  std::error_code error;
  std::filesystem::create_directories(flags.output_dir, error);
  if (error) {
    return report_error(
      util::make_error(util::ErrorKind::io, "cannot create `" + flags.output_dir + "`").with_cause(error.message()),
      false);
  }
  for (const auto& page : man_pages(describe_cli(root), version_number())) {
    if (auto written = util::write_file_atomic(std::filesystem::path(flags.output_dir) / page.file_name, page.text);
        !written) {
      return report_error(written.error(), false);
    }
  }
  return k_exit_ok;
}

}  // namespace

void add_reference_commands(CLI::App& app, CommandResult& result)
{
  auto flags = std::make_shared<ReferenceFlags>();
  const CLI::App& root = app;

  auto* command = app.add_subcommand("completions", "Print the shell completion script for bash, zsh or fish");
  command->footer(
    "Examples:\n"
    "  source <(envsetup completions bash)                       # this bash session\n"
    "  envsetup completions bash > ~/.local/share/bash-completion/completions/envsetup\n"
    "  envsetup completions zsh > ~/.zfunc/_envsetup             # a folder on $fpath\n"
    "  envsetup completions fish > ~/.config/fish/completions/envsetup.fish\n"
    "Framework names and installed prefixes are looked up when you press TAB.");
  command->add_option("shell", flags->shell, "the shell")->required()->check(CLI::IsMember({"bash", "zsh", "fish"}));
  command->add_option("-o,--output", flags->output, "write the script to this file instead of stdout");
  command->callback([flags, &root, &result] { result.exit_code = completions(root, *flags); });

  auto* hidden = app.add_subcommand("__complete", "Candidates for the completion scripts, one a line");
  hidden->group("");  // hidden: called by the completion scripts
  hidden->add_option("what", flags->what, "what to list")->required()->check(CLI::IsMember({"frameworks", "prefixes"}));
  hidden->add_option("--store", flags->store, "envsetup's store");
  hidden->callback([flags, &result] { result.exit_code = complete(*flags); });

  auto* pages = app.add_subcommand("man-pages", "Write envsetup.1 and one page per subcommand");
  pages->group("");  // hidden: the build runs it (cmake/GeneratedDocs.cmake)
  pages->add_option("--output-dir", flags->output_dir, "the folder for the *.1 files")->required();
  pages->callback([flags, &root, &result] { result.exit_code = write_man_pages(root, *flags); });
}

}  // namespace envsetup::cli
