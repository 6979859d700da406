// SPDX-License-Identifier: Apache-2.0
// `envsetup gc`: extracted trees and cached archives nothing refers to.
#include <envsetup/app/gc_command.hpp>
#include <envsetup/cli/commands.hpp>
#include <envsetup/cli/exit_codes.hpp>
#include <envsetup/cli/output.hpp>
#include <envsetup/cli/progress.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

namespace envsetup::cli {

namespace {

struct GcFlags {
  std::string store;
  std::string cache;
  std::vector<std::string> locks;
  bool dry_run = false;
  bool json = false;
};

int gc(const GcFlags& flags)
{
  app::GcOptions options;
  if (!flags.store.empty()) {
    options.store = flags.store;
  }
  if (!flags.cache.empty()) {
    options.cache = flags.cache;
  }
  options.locks.assign(flags.locks.begin(), flags.locks.end());
  options.dry_run = flags.dry_run;
  auto outcome = app::run_gc(options);
  if (!outcome) {
    return report_error(outcome.error(), flags.json);
  }
  const auto& store = outcome->store;
  const auto& cache = outcome->cache;
  if (flags.json) {
    std::cout << nlohmann::json{{"ok", true},
                                {"dry_run", flags.dry_run},
                                {"store",
                                 {{"root", outcome->store_root.string()},
                                  {"removed", store.removed},
                                  {"count", store.removed.size()},
                                  {"bytes", store.freed},
                                  {"busy", store.busy}}},
                                {"cache",
                                 {{"root", outcome->cache_root.string()},
                                  {"removed", cache.removed},
                                  {"count", cache.removed.size()},
                                  {"bytes", cache.freed},
                                  {"busy", cache.busy}}},
                                {"kept",
                                 {{"prefixes", outcome->prefixes},
                                  {"venvs", outcome->venvs},
                                  {"locks", outcome->locks},
                                  {"sha256", outcome->kept}}},
                                {"bytes", store.freed + cache.freed}}
                   .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
              << '\n';
    return k_exit_ok;
  }
  const std::string verb = flags.dry_run ? "would remove" : "removed";
  std::cout << verb << " " << store.removed.size() << " extracted tree(s) from " << outcome->store_root.string() << " ("
            << human_bytes(store.freed) << ")\n";
  std::cout << verb << " " << cache.removed.size() << " cached archive(s) from " << outcome->cache_root.string() << " ("
            << human_bytes(cache.freed) << ")\n";
  for (const auto& name : cache.removed) {
    std::cout << "  " << name << '\n';
  }
  std::cout << (flags.dry_run ? "would free " : "freed ") << human_bytes(store.freed + cache.freed) << "; kept what "
            << outcome->prefixes << " prefix(es), " << outcome->venvs << " venv(s) and " << outcome->locks
            << " lock(s) refer to\n";
  for (const auto& busy : store.busy) {
    std::cout << "in use, left alone: extracted tree " << busy << '\n';
  }
  for (const auto& busy : cache.busy) {
    std::cout << "in use, left alone: cached archive " << busy << '\n';
  }
  return k_exit_ok;
}

}  // namespace

void add_gc_command(CLI::App& app, CommandResult& result)
{
  auto flags = std::make_shared<GcFlags>();
  auto* command =
    app.add_subcommand("gc", "Remove extracted store trees and cached archives no prefix, venv or lock refers to");
  command->add_option("--store", flags->store, "envsetup's store (default ENVSETUP_STORE or ~/.local/share/envsetup)");
  command->add_option("--cache", flags->cache, "download cache (default ENVSETUP_CACHE_DIR or ~/.cache/envsetup)");
  command->add_option("--lock", flags->locks, "also keep what this lock file names (repeatable)");
  command->add_flag("--dry-run", flags->dry_run, "only say what would be removed");
  command->add_flag("--json", flags->json, "print JSON");
  command->footer(
    "Examples:\n  envsetup gc --dry-run\n  envsetup gc\n  envsetup gc --lock project/envsetup.lock --json\n"
    "Files in use by a running install are left alone. Exit codes: docs/cli.md.");
  command->callback([flags, &result] { result.exit_code = gc(*flags); });
}

}  // namespace envsetup::cli
