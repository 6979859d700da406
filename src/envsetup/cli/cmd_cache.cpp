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

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>
#include <string_view>

namespace envsetup::cli {

namespace {

struct CacheFlags {
  std::string dir;
  std::string older_than;
  bool json = false;
};

util::Result<fetch::Cache> open_cache(const CacheFlags& flags)
{
  return fetch::Cache::open(flags.dir.empty() ? fetch::Cache::default_root() : std::filesystem::path(flags.dir));
}

int list(const CacheFlags& flags)
{
  auto opened = open_cache(flags);
  if (!opened) {
    return report_error(opened.error(), flags.json);
  }
  const auto& cache = *opened;
  const auto entries = cache.list();
  if (flags.json) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& entry : entries) {
      items.push_back({{"name", entry.name}, {"sha256", entry.sha256}, {"size", entry.size},
                       {"url", entry.url}, {"path", entry.path.string()}});
    }
    std::cout << nlohmann::json{{"cache", cache.root().string()}, {"archives", items}}.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
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

// Archives skipped because another process uses them.
void report_busy(const std::vector<std::string>& busy, const char* what)
{
  if (busy.empty()) {
    return;
  }
  std::cerr << "envsetup: " << busy.size() << " archive(s) in use by another envsetup process were not " << what
            << ":\n";
  for (const auto& name : busy) {
    std::cerr << "  " << name << '\n';
  }
}

int verify(const CacheFlags& flags)
{
  auto cache = open_cache(flags);
  if (!cache) {
    return report_error(cache.error(), false);
  }
  auto report = cache->verify();
  if (!report) {
    return report_error(report.error(), false);
  }
  report_busy(report->busy, "checked");
  if (report->corrupt.empty()) {
    std::cout << "every archive" << (report->busy.empty() ? "" : " checked") << " matches its sha256\n";
    return k_exit_ok;
  }
  util::Error error = util::make_error(util::ErrorKind::integrity, std::to_string(report->corrupt.size()) +
                                                                     " corrupt archive(s) removed from the cache");
  error.causes = report->corrupt;
  error.hints.push_back("run `envsetup fetch` again to download them");
  print_error(std::cerr, error);
  return k_exit_integrity;
}

// The longest --older-than accepted: a century, in hours (far from any overflow).
constexpr std::uint64_t k_max_older_than_hours = 100ULL * 366 * 24;

// "30d", "12h" or "30" (days) -> hours. Digits only before the unit; at most a century.
std::optional<std::chrono::hours> parse_older_than(const std::string& text)
{
  std::string_view digits = text;
  std::uint64_t per_unit = 24;
  if (!digits.empty() && (digits.back() == 'd' || digits.back() == 'h')) {
    per_unit = digits.back() == 'h' ? 1 : 24;
    digits.remove_suffix(1);
  }
  if (digits.empty() || digits.size() > 12 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  std::uint64_t amount = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), amount);  // <= 12 digits: no overflow
  if (amount > k_max_older_than_hours / per_unit) {
    return std::nullopt;
  }
  return std::chrono::hours(static_cast<std::chrono::hours::rep>(amount * per_unit));
}

int clean(const CacheFlags& flags)
{
  std::optional<std::chrono::hours> older_than;
  if (!flags.older_than.empty()) {
    older_than = parse_older_than(flags.older_than);
    if (!older_than) {
      print_error(std::cerr, util::make_error(util::ErrorKind::usage, "invalid --older-than `" + flags.older_than + "`")
                               .with_cause("expected a whole number of days (d) or hours (h), at most 100 years")
                               .with_hint("write e.g. `30d` or `12h`"));
      return k_exit_usage;
    }
  }
  auto cache = open_cache(flags);
  if (!cache) {
    return report_error(cache.error(), false);
  }
  auto report = cache->clean(older_than);
  if (!report) {
    return report_error(report.error(), false);
  }
  report_busy(report->busy, "removed");
  std::cout << "freed " << human_bytes(report->freed) << '\n';
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
