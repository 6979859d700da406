// SPDX-License-Identifier: Apache-2.0
// `envsetup cache list | verify | clean`.
#include <envsetup/cli/commands.hpp>
#include <envsetup/cli/exit_codes.hpp>
#include <envsetup/cli/output.hpp>
#include <envsetup/cli/progress.hpp>
#include <envsetup/fetch/cache.hpp>
#include <envsetup/util/strings.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

namespace envsetup::cli {

namespace {

struct CacheFlags {
  std::string dir;
  std::string older_than;
  bool json = false;
};

fetch::Cache cache_of(const CacheFlags& flags)
{
  return fetch::Cache(flags.dir.empty() ? fetch::Cache::default_root() : std::filesystem::path(flags.dir));
}

int list(const CacheFlags& flags)
{
  const auto cache = cache_of(flags);
  const auto entries = cache.list();
  if (flags.json) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& entry : entries) {
      items.push_back({{"name", entry.name}, {"sha256", entry.sha256}, {"size", entry.size},
                       {"url", entry.url}, {"path", entry.path.string()}});
    }
    std::cout << nlohmann::json{{"cache", cache.root().string()}, {"archives", items}}.dump(2) << '\n';
    return k_exit_ok;
  }
  std::uint64_t total = 0;
  Table table({"archive", "size", "sha256"});
  for (const auto& entry : entries) {
    total += entry.size;
    table.add({entry.name.empty() ? "?" : entry.name, human_bytes(entry.size), entry.sha256.substr(0, 16)});
  }
  std::cout << cache.root().string() << ": " << entries.size() << " archive(s), " << human_bytes(total) << '\n';
  if (!table.empty()) {
    table.print(std::cout, "  ");
  }
  return k_exit_ok;
}

int verify(const CacheFlags& flags)
{
  auto corrupt = cache_of(flags).verify();
  if (!corrupt) {
    return report_error(corrupt.error(), false);
  }
  if (corrupt->empty()) {
    std::cout << "every archive matches its sha256\n";
    return k_exit_ok;
  }
  util::Error error = util::make_error(util::ErrorKind::integrity,
                                       std::to_string(corrupt->size()) + " corrupt archive(s) removed from the cache");
  error.causes = *corrupt;
  error.hints.push_back("run `envsetup fetch` again to download them");
  print_error(std::cerr, error);
  return k_exit_integrity;
}

int clean(const CacheFlags& flags)
{
  std::optional<std::chrono::hours> older_than;
  if (!flags.older_than.empty()) {
    std::string text = flags.older_than;
    const char unit = text.back();
    if (unit == 'd' || unit == 'h') {
      text.pop_back();
    }
    int amount = 0;
    if (!util::parse_non_negative(text, amount)) {
      print_error(std::cerr, util::make_error(util::ErrorKind::usage, "invalid --older-than `" + flags.older_than + "`")
                               .with_hint("write e.g. `30d` or `12h`"));
      return k_exit_usage;
    }
    older_than = std::chrono::hours(unit == 'h' ? amount : amount * 24);
  }
  auto freed = cache_of(flags).clean(older_than);
  if (!freed) {
    return report_error(freed.error(), false);
  }
  std::cout << "freed " << human_bytes(*freed) << '\n';
  return k_exit_ok;
}

}  // namespace

void add_cache_command(CLI::App& app, CommandResult& result)
{
  auto flags = std::make_shared<CacheFlags>();
  auto* command = app.add_subcommand("cache", "Inspect, verify and clean the download cache");
  command->require_subcommand(1);
  command->fallthrough();  // `cache list --cache DIR` as well as `cache --cache DIR list`
  command->add_option("--cache", flags->dir, "cache folder (default ENVSETUP_CACHE_DIR or ~/.cache/envsetup)");
  command->footer("Examples:\n  envsetup cache list\n  envsetup cache verify\n  envsetup cache clean --older-than 30d");
  auto* list_command = command->add_subcommand("list", "List the cached archives");
  list_command->add_flag("--json", flags->json, "print JSON");
  list_command->footer("Examples:\n  envsetup cache list --json");
  list_command->callback([flags, &result] { result.exit_code = list(*flags); });
  auto* verify_command = command->add_subcommand("verify", "Re-hash every archive; remove corrupt ones");
  verify_command->footer("Examples:\n  envsetup cache verify\nExit codes: 0 all good, 5 corrupt archives were removed.");
  verify_command->callback([flags, &result] { result.exit_code = verify(*flags); });
  auto* clean_command = command->add_subcommand("clean", "Remove archives (all, or older than a duration) and partial downloads");
  clean_command->add_option("--older-than", flags->older_than, "only archives older than this (30d, 12h)");
  clean_command->footer("Examples:\n  envsetup cache clean\n  envsetup cache clean --older-than 30d");
  clean_command->callback([flags, &result] { result.exit_code = clean(*flags); });
}

}  // namespace envsetup::cli
