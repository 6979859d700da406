// SPDX-License-Identifier: Apache-2.0
// `envsetup matrix update` and `envsetup matrix bundle`.
#include <envsetup/app/matrix_update.hpp>
#include <envsetup/cli/exit_codes.hpp>
#include <envsetup/cli/matrix_update_commands.hpp>
#include <envsetup/cli/output.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

namespace envsetup::cli {

namespace {

struct UpdateFlags {
  std::string from;
  std::vector<std::string> keys;
  bool offline = false;
  bool json = false;
};

struct BundleFlags {
  std::string directory;
  std::string key;
  std::string output;
  std::string generated;
  bool json = false;
};

std::string dump(const nlohmann::json& document)
{
  return document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

int update(const UpdateFlags& flags)
{
  app::MatrixUpdateOptions options;
  if (!flags.from.empty()) {
    options.from = flags.from;
  }
  options.keys.assign(flags.keys.begin(), flags.keys.end());
  options.offline = flags.offline;
  auto outcome = app::run_matrix_update(options);
  if (!outcome) {
    return report_error(outcome.error(), flags.json);
  }
  if (flags.json) {
    std::cout << dump({{"ok", true},
                       {"installed", outcome->installed},
                       {"url", outcome->url},
                       {"generated", outcome->generated},
                       {"previous", {{"source", outcome->previous_source}, {"generated", outcome->previous}}},
                       {"sha256", outcome->sha256},
                       {"key", outcome->signer},
                       {"path", outcome->installed ? nlohmann::json(outcome->path.string()) : nlohmann::json()}})
              << '\n';
  } else if (outcome->installed) {
    std::cout << "installed the matrix generated " << outcome->generated << " (" << outcome->files
              << " files, signed by " << outcome->signer << ")\n  in " << outcome->path.string() << "\n  replacing the "
              << outcome->previous_source << " matrix generated "
              << (outcome->previous.empty() ? "(unknown)" : outcome->previous) << '\n';
  } else {
    std::cout << "the matrix is already up to date (generated " << outcome->generated << ", "
              << outcome->previous_source << ")\n";
  }
  return k_exit_ok;
}

int bundle(const BundleFlags& flags)
{
  app::MatrixBundleOptions options{flags.directory, flags.key, flags.output, std::nullopt};
  if (!flags.generated.empty()) {
    options.generated = flags.generated;
  }
  auto outcome = app::run_matrix_bundle(options);
  if (!outcome) {
    return report_error(outcome.error(), flags.json);
  }
  if (flags.json) {
    std::cout << dump({{"ok", true},
                       {"output", outcome->output.string()},
                       {"generated", outcome->generated},
                       {"key", outcome->key},
                       {"sha256", outcome->sha256},
                       {"files", outcome->files}})
              << '\n';
  } else {
    std::cout << "wrote a bundle of " << outcome->files << " matrix files to " << outcome->output.string()
              << "\n  generated " << outcome->generated << ", signed by key " << outcome->key << "\n  manifest sha256 "
              << outcome->sha256 << '\n';
  }
  return k_exit_ok;
}

}  // namespace

void add_matrix_update_commands(CLI::App& matrix, CommandResult& result)
{
  auto update_flags = std::make_shared<UpdateFlags>();
  auto* update_command =
    matrix.add_subcommand("update", "Download, verify and install a signed matrix bundle (no rebuild needed)");
  update_command->footer(
    "Examples:\n"
    "  envsetup matrix update                                   # the project's release location\n"
    "  envsetup matrix update --from https://mirror.example/envsetup/matrix/\n"
    "  envsetup matrix update --from file:///srv/lab-matrix/ --key lab.pub.pem --offline\n"
    "The bundle's manifest must be signed by a built-in key, a key in $XDG_CONFIG_HOME/envsetup/keys/\n"
    "(default ~/.config) or a --key file; ENVSETUP_MATRIX_URL replaces the default URL.\n"
    "Exit codes: 0 installed or already up to date, 2 usage, 4 network, 5 bad signature, unknown key,\n"
    "a file that differs or a rollback, 7 a bad manifest, a newer schema or an invalid matrix.\n"
    "Nothing changes on any refusal. See docs/matrix-updates.md.");
  update_command->add_option("--from", update_flags->from, "bundle base URL (http, https, file://) or folder");
  update_command->add_option("--key", update_flags->keys, "also trust this Ed25519 public key (PEM); repeatable");
  update_command->add_flag("--offline", update_flags->offline, "read only file:// bundles");
  update_command->add_flag("--json", update_flags->json, "print the result as JSON on stdout");
  update_command->callback([update_flags, &result] { result.exit_code = update(*update_flags); });

  auto bundle_flags = std::make_shared<BundleFlags>();
  auto* bundle_command =
    matrix.add_subcommand("bundle", "Sign a matrix folder into a bundle for `matrix update` (release process)");
  bundle_command->footer(
    "Examples:\n"
    "  envsetup matrix bundle ./matrix --key matrix-signing-key.pem -o out/matrix\n"
    "The folder is validated exactly as the built-in matrix; `generated` comes from --generated,\n"
    "else the folder's bundle.json, else now. See docs/matrix-updates.md.");
  bundle_command->add_option("dir", bundle_flags->directory, "matrix folder")->required();
  bundle_command->add_option("--key", bundle_flags->key, "Ed25519 private key (unencrypted PEM)")->required();
  bundle_command->add_option("-o,--output", bundle_flags->output, "folder to write the bundle to")->required();
  bundle_command->add_option("--generated", bundle_flags->generated, "UTC time, e.g. 2026-12-06T12:00:00Z");
  bundle_command->add_flag("--json", bundle_flags->json, "print the result as JSON on stdout");
  bundle_command->callback([bundle_flags, &result] { result.exit_code = bundle(*bundle_flags); });
}

}  // namespace envsetup::cli
