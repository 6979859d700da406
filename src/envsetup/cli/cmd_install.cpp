// SPDX-License-Identifier: Apache-2.0
// `envsetup install --cuda/--cudnn` (and, with --framework, install_framework.cpp), `list`,
// `remove`, `env`.
#include <envsetup/app/install_command.hpp>
#include <envsetup/cli/commands.hpp>
#include <envsetup/cli/exit_codes.hpp>
#include <envsetup/cli/fetch_flags.hpp>
#include <envsetup/cli/install_framework.hpp>
#include <envsetup/cli/install_locked.hpp>
#include <envsetup/cli/output.hpp>
#include <envsetup/cli/progress.hpp>
#include <envsetup/util/strings.hpp>
#include <envsetup/util/template.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

namespace envsetup::cli {

namespace {

struct InstallFlags {
  FetchFlags download;
  FrameworkFlags framework;
  LockedFlags locked;
  std::string prefix;
  std::string store;
  std::string shell = "bash";
};

std::optional<std::filesystem::path> optional_path(const std::string& text)
{
  return text.empty() ? std::nullopt : std::optional<std::filesystem::path>(text);
}

int install(InstallFlags& flags)
{
  auto& download = flags.download;
  finish_options(download);
  if (!flags.locked.lockfile.empty()) {
    return install_locked(flags.locked, flags.framework, download, flags.prefix, flags.store);
  }
  if (!flags.locked.bundle.empty()) {
    return report_error(util::make_error(util::ErrorKind::usage, "--bundle needs --locked FILE")
                          .with_hint("e.g. `envsetup install --locked bundle/envsetup.lock --bundle bundle`"),
                        download.json);
  }
  if (!flags.framework.framework.empty()) {
    return install_framework(flags.framework, download, flags.prefix, flags.store);
  }
  if (flags.framework.dry_run || flags.framework.force || flags.framework.with_toolkit ||
      !flags.framework.with.empty() || !flags.framework.wheel_mirror.empty()) {
    return report_error(util::make_error(util::ErrorKind::usage,
                                         "--dry-run, --force, --with, --wheel-mirror and --with-toolkit need --framework")
                          .with_hint("e.g. `envsetup install --framework torch --dry-run`"),
                        download.json);
  }
  if (!download.options.cuda && !download.options.cudnn) {
    return report_error(util::make_error(util::ErrorKind::usage, "nothing to install")
                  .with_hint("pass `--framework torch` (a venv), or `--cuda VERSION` (and `--cudnn VERSION`) for a toolkit, e.g. `envsetup install --cuda 12.4 --cudnn 9.1`"),
                download.json);
  }
  app::InstallOptions options;
  options.fetch = download.options;
  options.prefix = optional_path(flags.prefix);
  options.store = optional_path(flags.store);
  options.envsetup_version = ENVSETUP_VERSION;
  auto plan = app::plan_fetch(options.fetch);
  if (!plan) {
    return report_error(plan.error(), download.json);
  }
  auto progress = progress_for(download, *plan);
  auto outcome = app::run_install_toolkit(options, *plan, progress.get());
  progress.reset();
  if (!outcome) {
    return report_error(outcome.error(), download.json);
  }
  const auto& prefix = outcome->prefix.string();
  if (download.json) {
    std::cout << nlohmann::json{{"event", "result"}, {"ok", true}, {"prefix", prefix},
                                {"already_installed", outcome->already_installed},
                                {"repaired", outcome->repaired.size()},
                                {"kept", outcome->kept},
                                {"kept_in", outcome->kept_in ? outcome->kept_in->string() : std::string()},
                                {"cuda", outcome->receipt.cuda}, {"cudnn", outcome->receipt.cudnn},
                                {"files", outcome->receipt.files.size()}, {"bytes", outcome->bytes},
                                {"archives_extracted", outcome->archives_extracted},
                                {"archives_streamed", outcome->archives_streamed},
                                {"activate", "source " + util::shell_word(prefix + "/activate")}}
                   .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
              << '\n';
    return k_exit_ok;
  }
  if (outcome->already_installed) {
    std::cout << "already installed in " << prefix << " (nothing to do)\n";
  } else {
    if (!outcome->repaired.empty()) {
      std::cout << "repaired: " << outcome->repaired.size() << " file(s) of the receipt were missing or replaced ("
                << outcome->repaired.front() << (outcome->repaired.size() > 1 ? ", ...)" : ")") << '\n';
    }
    std::cout << "installed " << (outcome->receipt.cuda.empty() ? "" : "CUDA " + outcome->receipt.cuda)
              << (outcome->receipt.cudnn.empty() ? "" : " cuDNN " + outcome->receipt.cudnn) << " ("
              << outcome->receipt.files.size() << " files, " << human_bytes(outcome->bytes) << ") in " << prefix
              << '\n';
  }
  if (outcome->kept_in) {
    std::cout << "kept " << outcome->kept.size() << " file(s) envsetup did not install (added during the install) in "
              << outcome->kept_in->string() << '\n';
  }
  std::cout << "to use it:  source " << util::shell_word(prefix + "/activate") << '\n';
  return k_exit_ok;
}

int list(const InstallFlags& flags, bool json)
{
  const auto prefixes = app::list_prefixes(optional_path(flags.store));
  if (json) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& entry : prefixes) {
      items.push_back({{"name", app::prefix_name(entry.prefix)}, {"prefix", entry.prefix.string()},
                       {"cuda", entry.receipt.cuda},
                       {"cudnn", entry.receipt.cudnn}, {"components", entry.receipt.components},
                       {"platform", entry.receipt.platform}, {"bytes", entry.bytes},
                       {"created_at", entry.receipt.created_at}});
    }
    std::cout << items.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    return k_exit_ok;
  }
  if (prefixes.empty()) {
    std::cout << "no toolkit installed by envsetup (see `envsetup install --help`)\n";
    return k_exit_ok;
  }
  Table table({"name", "prefix", "CUDA", "cuDNN", "components", "disk use"});
  for (const auto& entry : prefixes) {
    table.add({app::prefix_name(entry.prefix), entry.prefix.string(), entry.receipt.cuda, entry.receipt.cudnn,
               entry.receipt.components, human_bytes(entry.bytes)});
  }
  table.print(std::cout);
  return k_exit_ok;
}

int remove(const InstallFlags& flags)
{
  auto prefix = app::find_prefix(flags.prefix, optional_path(flags.store));
  if (!prefix) {
    return report_error(prefix.error(), false);
  }
  auto kept = app::remove_prefix(*prefix, optional_path(flags.store));
  if (!kept) {
    return report_error(kept.error(), false);
  }
  std::cout << "removed " << prefix->string() << '\n';
  if (!kept->empty()) {
    std::cout << "kept " << kept->size() << " file(s) envsetup did not install: " << util::join(*kept, ", ") << '\n';
  }
  return k_exit_ok;
}

int env(const InstallFlags& flags)
{
  auto prefix = app::find_prefix(flags.prefix, optional_path(flags.store));
  if (!prefix) {
    return report_error(prefix.error(), false);
  }
  auto text = app::environment_for(*prefix, flags.shell);
  if (!text) {
    return report_error(text.error(), false);
  }
  std::cout << *text;
  return k_exit_ok;
}

}  // namespace

void add_install_commands(CLI::App& app, CommandResult& result)
{
  auto flags = std::make_shared<InstallFlags>();
  auto* command = app.add_subcommand(
    "install", "Install a framework into a venv (--framework), or a CUDA toolkit and cuDNN into a prefix");
  command->footer(
    "Examples:\n"
    "  envsetup install --framework torch --dry-run --driver 550.54.15 --gpu 8.9\n"
    "  envsetup install --framework torch==2.5.1 --venv ~/envs/torch --with torchvision,torchaudio\n"
    "  envsetup install --framework tensorflow==2.13 --python 3.11      # with its CUDA 11.8 prefix\n"
    "  envsetup install --locked envsetup.lock --venv ~/envs/torch      # exactly the locked wheels\n"
    "  envsetup install --locked bundle/envsetup.lock --bundle bundle   # no network\n"
    "  envsetup install --cuda 12.4 --cudnn 9.1\n"
    "  envsetup install --cuda 12.6.3 --components runtime --prefix /opt/cuda-12.6\n"
    "  envsetup install --cuda 12.4 --mirror http://mirror.lab/nvidia/ --jobs 8\n"
    "No root needed; installing what is installed already does nothing. Exit codes: docs/cli.md.");
  add_download_flags(*command, flags->download);
  add_framework_flags(*command, flags->framework);
  add_locked_flags(*command, flags->locked);
  command->get_option("--cuda")
    ->description("CUDA toolkit to install: 12.4 (newest 12.4.x) or 12.4.1; with --framework, use only "
                  "framework builds for this CUDA");
  command->get_option("--cudnn")
    ->description("cuDNN to install: 9.1 or 9.1.0; with --framework, also install a toolkit prefix with it");
  flags->download.options.components = "devel";
  command->get_option("--components")
    ->description("runtime, devel, all, or component ids (cuda_nvcc,libcublas,...); default devel");
  command->add_option("--prefix", flags->prefix, "install here (default: STORE/toolkits/cuda-X.Y.Z[-cudnn-A.B.C])");
  command->add_option("--store", flags->store, "envsetup's store (default ENVSETUP_STORE or ~/.local/share/envsetup)");
  command->callback([flags, &result] { result.exit_code = install(*flags); });

  auto list_flags = std::make_shared<InstallFlags>();
  auto list_json = std::make_shared<bool>(false);
  auto* list_command = app.add_subcommand("list", "List the prefixes envsetup installed");
  list_command->add_option("--store", list_flags->store, "envsetup's store");
  list_command->add_flag("--json", *list_json, "print JSON");
  list_command->footer("Examples:\n  envsetup list\n  envsetup list --json");
  list_command->callback([list_flags, list_json, &result] { result.exit_code = list(*list_flags, *list_json); });

  auto remove_flags = std::make_shared<InstallFlags>();
  auto* remove_command = app.add_subcommand("remove", "Delete exactly the files an install created");
  remove_command->add_option("prefix", remove_flags->prefix, "the prefix: its path, or the name `envsetup list` shows")
    ->required();
  remove_command->add_option("--store", remove_flags->store, "envsetup's store");
  remove_command->footer(
    "Examples:\n  envsetup remove cuda-12.4.1\n  envsetup remove ~/.local/share/envsetup/toolkits/cuda-12.4.1\n"
    "Then `envsetup gc` frees the store trees and cached archives nothing uses any more.");
  remove_command->callback([remove_flags, &result] { result.exit_code = remove(*remove_flags); });

  auto env_flags = std::make_shared<InstallFlags>();
  auto* env_command = app.add_subcommand("env", "Print the environment that uses a prefix");
  env_command->add_option("prefix", env_flags->prefix, "the prefix: its path, or the name `envsetup list` shows")
    ->required();
  env_command->add_option("--store", env_flags->store, "envsetup's store");
  env_command->add_option("--shell", env_flags->shell, "bash, zsh or fish")->check(CLI::IsMember({"bash", "zsh", "sh", "fish"}));
  env_command->footer("Examples:\n  eval \"$(envsetup env cuda-12.4.1)\"\n"
                      "  eval \"$(envsetup env ~/.local/share/envsetup/toolkits/cuda-12.4.1)\"\n"
                      "  envsetup env /opt/cuda-12.6 --shell fish | source");
  env_command->callback([env_flags, &result] { result.exit_code = env(*env_flags); });
}

}  // namespace envsetup::cli
