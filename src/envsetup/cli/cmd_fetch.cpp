// SPDX-License-Identifier: Apache-2.0
// `envsetup fetch` and `envsetup mirror`: the same download flags, two outcomes.
#include <envsetup/app/fetch_command.hpp>
#include <envsetup/app/lock_mirror.hpp>
#include <envsetup/cli/commands.hpp>
#include <envsetup/cli/exit_codes.hpp>
#include <envsetup/cli/output.hpp>
#include <envsetup/cli/progress.hpp>
#include <envsetup/cli/fetch_flags.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

namespace envsetup::cli {


void add_download_flags(CLI::App& command, FetchFlags& flags)
{
  command.add_option("--cuda", flags.cuda, "CUDA toolkit version: 12.4 (newest 12.4.x) or 12.4.1");
  command.add_option("--cudnn", flags.cudnn, "cuDNN version: 9.1 or 9.1.0 (build matching --cuda's major)");
  command.add_option("--components", flags.options.components,
                     "runtime, devel, all, or component ids (cuda_nvcc,libcublas,...); default runtime");
  command.add_option("--platform", flags.platform, "linux-x86_64 or linux-sbsa (default: this machine)");
  command.add_option("--mirror", flags.mirror,
                     "replaces https://developer.download.nvidia.com/compute/ (http://, https://, file:// "
                     "or a folder); default ENVSETUP_MIRROR");
  command.add_option("--cache", flags.cache, "cache folder (default ENVSETUP_CACHE_DIR or ~/.cache/envsetup)");
  command.add_option("--cacert", flags.cacert,
                     "CA bundle to verify https servers with, instead of the system's (TLS is always verified)");
  command.add_option("-j,--jobs", flags.options.jobs, "parallel downloads (default 4)")->check(CLI::Range(1, 64));
  command.add_flag("--offline", flags.options.offline, "use only the cache; say what is missing");
  command.add_option("--matrix", flags.matrix_dir, "compatibility matrix folder (default: built-in)");
  command.add_flag("--json", flags.json, "one JSON document on stdout when done (no progress)");
  command.add_flag("--events", flags.events,
                   "JSON Lines on stdout: one progress event per line, then the result (`\"event\": \"result\"`)");
  command.add_flag("-q,--quiet", flags.quiet, "no progress output");
}

void finish_options(FetchFlags& flags)
{
  auto& options = flags.options;
  auto set = [](std::optional<std::string>& target, const std::string& value) {
    if (!value.empty()) {
      target = value;
    }
  };
  set(options.cuda, flags.cuda);
  set(options.cudnn, flags.cudnn);
  set(options.platform, flags.platform);
  set(options.mirror, flags.mirror);
  if (!flags.cache.empty()) {
    options.cache_dir = flags.cache;
  }
  if (!flags.cacert.empty()) {
    options.cacert = flags.cacert;
  }
  if (!flags.matrix_dir.empty()) {
    options.matrix.directory = flags.matrix_dir;
  }
  options.user_agent = "envsetup/" ENVSETUP_VERSION;
  flags.json = flags.json || flags.events;  // every --json branch prints the final document
}

ProgressStyle progress_style(const FetchFlags& flags)
{
  return flags.events                 ? ProgressStyle::json
         : flags.json || flags.quiet ? ProgressStyle::quiet
                                      : default_progress_style();
}

std::unique_ptr<fetch::DownloadObserver> progress_for(const FetchFlags& flags, const app::FetchPlan& plan)
{
  std::uint64_t total = 0;
  for (const auto& archive : plan.archives) {
    total += archive.archive.size;
  }
  return make_progress(progress_style(flags), total);
}

namespace {

nlohmann::json archives_json(const std::vector<app::FetchedArchive>& fetched)
{
  nlohmann::json archives = nlohmann::json::array();
  for (const auto& entry : fetched) {
    archives.push_back({{"product", entry.planned.product},
                        {"component", entry.planned.component},
                        {"version", entry.planned.version},
                        {"file", entry.outcome.item.name},
                        {"url", entry.planned.url},
                        {"size", entry.planned.archive.size},
                        {"sha256", entry.planned.archive.sha256},
                        {"path", entry.outcome.path.string()},
                        {"from_cache", entry.outcome.from_cache},
                        {"resumed", entry.outcome.resumed},
                        {"attempts", entry.outcome.attempts}});
  }
  return archives;
}

// The final document, marked `"event": "result"` like install's and lock's (with --events the
// last line of the stream).
void print_result(nlohmann::json document)
{
  document["event"] = "result";
  std::cout << document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

int fetch(FetchFlags& flags)
{
  finish_options(flags);
  auto plan = app::plan_fetch(flags.options);
  if (!plan) {
    return report_error(plan.error(), flags.json);
  }
  auto progress = progress_for(flags, *plan);
  auto fetched = app::run_fetch(flags.options, *plan, progress.get());
  progress.reset();
  if (!fetched) {
    return report_error(fetched.error(), flags.json);
  }
  if (flags.json) {
    nlohmann::json document{{"ok", true},
                            {"cache", plan->cache_root.string()},
                            {"platform", plan->platform},
                            {"archives", archives_json(*fetched)}};
    print_result(std::move(document));
    return k_exit_ok;
  }
  std::uint64_t total = 0;
  Table table({"component", "version", "size", "status", "path"});
  for (const auto& entry : *fetched) {
    total += entry.planned.archive.size;
    table.add({entry.planned.component, entry.planned.version, human_bytes(entry.planned.archive.size),
               entry.outcome.from_cache ? "cached" : (entry.outcome.resumed ? "resumed" : "downloaded"),
               entry.outcome.path.string()});
  }
  std::cout << fetched->size() << " archive(s), " << human_bytes(total) << ", verified (sha256) in "
            << plan->cache_root.string() << "\n\n";
  table.print(std::cout, "  ");
  return k_exit_ok;
}

// `mirror --lock FILE OUTDIR`: what to fetch comes from the lock, not from flags.
struct LockFlags {
  std::string lock;
  std::vector<std::string> indexes;  // KEY=URL
};

void print_written(const FetchFlags& flags, const std::vector<std::filesystem::path>& written, const char* then)
{
  if (flags.json) {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& path : written) {
      files.push_back(path.string());
    }
    print_result(nlohmann::json{{"ok", true}, {"files", files}});
  } else {
    std::cout << "wrote " << written.size() << " file(s) under " << flags.out_dir << "; " << then << '\n';
  }
}

int mirror_lock(FetchFlags& flags, const LockFlags& lock_flags)
{
  if (!flags.cuda.empty() || !flags.cudnn.empty() || !flags.platform.empty() ||
      flags.options.components != "runtime" || !flags.matrix_dir.empty()) {
    return report_error(util::make_error(util::ErrorKind::usage,
                                         "--lock takes the releases, components and platform from the lock")
                          .with_hint("drop --cuda, --cudnn, --components, --platform and --matrix"),
                        flags.json);
  }
  finish_options(flags);
  app::LockMirrorOptions options{lock_flags.lock, flags.out_dir, flags.options, {}};
  for (const auto& entry : lock_flags.indexes) {
    const auto equals = entry.find('=');
    if (equals == std::string::npos || equals == 0) {
      return report_error(util::make_error(util::ErrorKind::usage, "--wheel-index `" + entry + "` is not KEY=URL")
                            .with_hint("e.g. --wheel-index pypi=http://mirror.lab/pypi/simple/"),
                          flags.json);
    }
    options.index_urls[entry.substr(0, equals)] = entry.substr(equals + 1);
  }
  auto plan = app::plan_lock_mirror(options);
  if (!plan) {
    return report_error(plan.error(), flags.json);
  }
  auto progress = make_progress(progress_style(flags), plan->total_bytes);
  auto written = app::run_lock_mirror(options, *plan, progress.get());
  progress.reset();
  if (!written) {
    return report_error(written.error(), flags.json);
  }
  print_written(flags, *written,
                "copy or share it, then: envsetup install --locked DIR/envsetup.lock --bundle DIR");
  return k_exit_ok;
}

int mirror(FetchFlags& flags)
{
  finish_options(flags);
  auto plan = app::plan_fetch(flags.options);
  if (!plan) {
    return report_error(plan.error(), flags.json);
  }
  auto progress = progress_for(flags, *plan);
  auto written = app::run_mirror(flags.options, flags.out_dir, *plan, progress.get());
  progress.reset();
  if (!written) {
    return report_error(written.error(), flags.json);
  }
  const std::string then =
    "serve it with any static web server and pass --mirror URL (or --mirror " + flags.out_dir + ")";
  print_written(flags, *written, then.c_str());
  return k_exit_ok;
}

}  // namespace

void add_fetch_command(CLI::App& app, CommandResult& result)
{
  auto flags = std::make_shared<FetchFlags>();
  auto* command = app.add_subcommand("fetch", "Download and verify NVIDIA CUDA/cuDNN archives into the cache");
  command->footer(
    "Examples:\n"
    "  envsetup fetch --cuda 12.4 --cudnn 9.1 --components runtime\n"
    "  envsetup fetch --cuda 12.6.3 --components devel --jobs 8\n"
    "  envsetup fetch --cuda 12.4 --components cuda_nvcc,libcublas --mirror http://mirror.lab/nvidia/\n"
    "  envsetup fetch --cuda 12.4 --components runtime --offline     # check the cache only\n"
    "Exit codes: 0 ok, 2 usage, 4 network, 5 checksum/size mismatch (docs/cli.md).");
  add_download_flags(*command, *flags);
  command->callback([flags, &result] { result.exit_code = fetch(*flags); });

  auto mirror_flags = std::make_shared<FetchFlags>();
  auto* mirror_command = app.add_subcommand(
    "mirror", "Write manifests and archives in NVIDIA's layout into a folder, for a lab mirror");
  mirror_command->footer(
    "Examples:\n"
    "  envsetup mirror /srv/nvidia --cuda 12.4 --cudnn 9.1 --components all\n"
    "  envsetup mirror /mnt/share/nvidia --cuda 12.6 --components runtime --mirror http://upstream.lab/nvidia/\n"
    "  envsetup mirror --lock envsetup.lock /mnt/share/bundle   # archives, wheels (PEP 503 index) and the lock\n"
    "Then: envsetup fetch ... --mirror http://host/nvidia/  (or --mirror /srv/nvidia);\n"
    "      a bundle: envsetup install --locked /mnt/share/bundle/envsetup.lock --bundle /mnt/share/bundle");
  mirror_command->add_option("outdir", mirror_flags->out_dir, "folder to write (created)")->required();
  add_download_flags(*mirror_command, *mirror_flags);
  auto lock_flags = std::make_shared<LockFlags>();
  mirror_command->add_option("--lock", lock_flags->lock,
                             "write a bundle of everything this lockfile installs: NVIDIA archives in NVIDIA's "
                             "layout, the wheels under simple/ (PEP 503), the lock");
  mirror_command->add_option("--wheel-index", lock_flags->indexes,
                             "with --lock: KEY=URL replaces the root of the lock's index KEY (repeatable)");
  mirror_command->callback([mirror_flags, lock_flags, &result] {
    result.exit_code = lock_flags->lock.empty() ? mirror(*mirror_flags) : mirror_lock(*mirror_flags, *lock_flags);
  });
}

}  // namespace envsetup::cli
