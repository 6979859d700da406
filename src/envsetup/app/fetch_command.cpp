// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/fetch_command.hpp>

#include <envsetup/fetch/components.hpp>
#include <envsetup/fetch/sources.hpp>
#include <envsetup/util/beneath.hpp>
#include <envsetup/util/fs.hpp>
#include <envsetup/util/strings.hpp>

#include <algorithm>
#include <cstdlib>
#include <map>

#include <sys/utsname.h>

namespace envsetup::app {

namespace fs = std::filesystem;

namespace {

util::Error usage(std::string message)
{
  return util::make_error(util::ErrorKind::usage, std::move(message));
}

std::string host_platform()
{
  struct utsname name {};
  if (::uname(&name) == 0 && std::string(name.machine) == "aarch64") {
    return "linux-sbsa";
  }
  return "linux-x86_64";
}

// The newest release of `versions` that `text` names (X.Y -> newest X.Y.Z; X.Y.Z exact).
template <typename Release>
util::Result<const Release*> pick_release(const std::vector<Release>& releases, const std::string& text,
                                          const std::string& what)
{
  auto version = core::Version::parse(text);
  if (!version) {
    return usage("invalid " + what + " version `" + text + "`").with_hint("write e.g. `12.4` or `12.4.1`");
  }
  const std::size_t n = version->parts().size();
  const Release* best = nullptr;
  for (const auto& release : releases) {
    if (release.version.prefix(n) == *version && !release.manifest.empty() &&
        (best == nullptr || release.version > best->version)) {
      best = &release;
    }
  }
  if (best == nullptr) {
    return usage("no " + what + " release `" + text + "` with redistributable archives in the matrix")
      .with_hint("run `envsetup matrix show --domain " + std::string(what == "CUDA" ? "cuda" : "cudnn") +
                 "` for the known releases (CUDA archives exist from 11.4.2 on)");
  }
  return best;
}

// A manifest from the network, kept in the cache for --offline.
util::Result<std::string> manifest_text(const fetch::Cache& cache, const std::string& root, const std::string& product,
                                        const std::string& version, const fetch::DownloadOptions& transfer)
{
  auto text = fetch::fetch_text(fetch::manifest_url(root, product, version), transfer);
  if (!text) {
    return text;
  }
  (void)cache.write_manifest(product, version, *text);  // a cache miss later is not fatal
  return text;
}


// Splits `--components` between the CUDA and cuDNN manifests: sets apply to both, ids to
// the manifest that has them.
util::Result<std::vector<std::pair<const PlannedManifest*, std::vector<std::string>>>> split_components(
  const std::vector<PlannedManifest>& manifests, const std::string& spec, const std::string& platform)
{
  std::vector<std::pair<const PlannedManifest*, std::vector<std::string>>> result;
  std::vector<std::string> per_manifest(manifests.size());
  for (const auto field : util::split(spec, ',')) {
    const std::string item(util::trim(field));
    if (item.empty()) {
      continue;
    }
    const bool set = item == "runtime" || item == "devel" || item == "all";
    bool placed = false;
    for (std::size_t i = 0; i < manifests.size(); ++i) {
      if (set || manifests[i].parsed.find(item) != nullptr) {
        per_manifest[i] += (per_manifest[i].empty() ? "" : ",") + item;
        placed = true;
      }
    }
    if (!placed) {
      std::vector<std::string> near;
      for (const auto& manifest : manifests) {
        const auto close = fetch::closest_components(manifest.parsed, item, 2);
        near.insert(near.end(), close.begin(), close.end());
      }
      return usage("no requested manifest has a component `" + item + "`")
        .with_hint("did you mean " + util::join(near, ", ") + "? (or a set: runtime, devel, all)");
    }
  }
  for (std::size_t i = 0; i < manifests.size(); ++i) {
    if (per_manifest[i].empty()) {
      continue;
    }
    auto ids = fetch::expand_components(manifests[i].parsed, per_manifest[i], platform);
    if (!ids) {
      return std::move(ids).error();
    }
    result.emplace_back(&manifests[i], std::move(ids).value());
  }
  return result;
}

}  // namespace

fetch::DownloadOptions transfer_options(const FetchOptions& options)
{
  fetch::DownloadOptions transfer;
  transfer.jobs = std::max(1, options.jobs);
  transfer.cacert = options.cacert;
  transfer.user_agent = options.user_agent;
  if (const char* fast = std::getenv("ENVSETUP_TEST_FAST_RETRY"); fast != nullptr && *fast != '\0') {
    transfer.retry_base = std::chrono::milliseconds(20);
    transfer.retry_cap = std::chrono::milliseconds(100);
    transfer.low_speed_time = std::chrono::seconds(2);  // a trickling mirror fails within seconds
    transfer.connect_timeout = std::chrono::seconds(5);
  }
  return transfer;
}

util::Result<FetchPlan> plan_fetch(const FetchOptions& options)
{
  if (!options.cuda && !options.cudnn) {
    return usage("nothing to fetch").with_hint("pass `--cuda VERSION` and/or `--cudnn VERSION`");
  }
  auto matrix = load_matrix(with_environment(options.matrix));
  if (!matrix) {
    return std::move(matrix).error();
  }
  FetchPlan plan;
  plan.root = fetch::redist_root(options.mirror);
  plan.platform = options.platform.value_or(host_platform());
  plan.cache_root = options.cache_dir.value_or(fetch::Cache::default_root());
  auto opened = fetch::Cache::open(plan.cache_root);
  if (!opened) {
    return std::move(opened).error();
  }
  const fetch::Cache& cache = *opened;
  const auto transfer = transfer_options(options);
  std::optional<int> cuda_major;
  std::vector<std::pair<std::string, std::string>> wanted;  // product, version
  if (options.cuda) {
    auto release = pick_release(matrix->cuda, *options.cuda, "CUDA");
    if (!release) {
      return std::move(release).error();
    }
    cuda_major = (*release)->version.major();
    wanted.emplace_back("cuda", (*release)->version.text());
  }
  if (options.cudnn) {
    auto release = pick_release(matrix->cudnn, *options.cudnn, "cuDNN");
    if (!release) {
      return std::move(release).error();
    }
    wanted.emplace_back("cudnn", (*release)->version.text());
  }
  // --offline: every manifest from the cache, each read once; all missing ones named at once.
  std::map<std::pair<std::string, std::string>, std::string> cached;
  if (options.offline) {
    std::vector<std::string> missing;
    for (const auto& [product, version] : wanted) {
      auto text = cache.read_manifest(product, version);
      if (!text) {
        return std::move(text).error();
      }
      if (!*text) {
        missing.push_back(product + " " + version + " (" + cache.manifest_path(product, version).string() + ")");
      } else {
        cached[{product, version}] = std::move(**text);
      }
    }
    if (!missing.empty()) {
      util::Error error = util::make_error(util::ErrorKind::environment,
                                           "--offline: " + std::to_string(missing.size()) +
                                             " manifest(s) are not in the cache");
      error.causes = std::move(missing);
      error.hints.push_back("run the same command without --offline once (or with --mirror) to fill the cache");
      return error;
    }
  }
  for (const auto& [product, version] : wanted) {
    auto text = options.offline ? util::Result<std::string>(std::move(cached[{product, version}]))
                                : manifest_text(cache, plan.root, product, version, transfer);
    if (!text) {
      return std::move(text).error();
    }
    auto parsed = fetch::parse_manifest(*text, product, fetch::manifest_url(plan.root, product, version));
    if (!parsed) {
      return std::move(parsed).error();
    }
    plan.manifests.push_back({product, version, std::move(text).value(), std::move(parsed).value()});
  }
  auto split = split_components(plan.manifests, options.components, plan.platform);
  if (!split) {
    return std::move(split).error();
  }
  for (const auto& [manifest, ids] : *split) {
    for (const auto& id : ids) {
      const auto& component = *manifest->parsed.find(id);
      auto archive = fetch::select_archive(component, plan.platform, cuda_major);
      if (!archive) {
        return std::move(archive).error();
      }
      plan.archives.push_back({manifest->product, id, component.version, *archive,
                               fetch::archive_url(plan.root, manifest->product, archive->relative_path)});
    }
  }
  return plan;
}

util::Result<std::vector<FetchedArchive>> run_fetch(const FetchOptions& options, FetchPlan& plan,
                                                    fetch::DownloadObserver* observer)
{
  auto opened = fetch::Cache::open(plan.cache_root);
  if (!opened) {
    return std::move(opened).error();
  }
  const fetch::Cache& cache = *opened;
  std::vector<fetch::DownloadItem> items;
  std::vector<std::string> missing;
  for (const auto& planned : plan.archives) {
    const auto name = fs::path(planned.archive.relative_path).filename().string();
    items.push_back({name, planned.url, planned.archive.sha256, planned.archive.size});
    if (options.offline && !cache.has(planned.archive.sha256, planned.archive.size)) {
      missing.push_back(name + " (" + planned.component + ", " + std::to_string(planned.archive.size) + " bytes)");
    }
  }
  if (!missing.empty()) {
    util::Error error = util::make_error(util::ErrorKind::environment,
                                         "--offline: " + std::to_string(missing.size()) +
                                           " archive(s) are not in the cache `" + plan.cache_root.string() + "`");
    error.causes = std::move(missing);
    error.hints.push_back("run the same command without --offline (or with --mirror) to download them");
    return error;
  }
  auto outcomes = fetch::download_all(items, cache, transfer_options(options), observer);
  if (!outcomes) {
    return std::move(outcomes).error();
  }
  std::vector<FetchedArchive> fetched;
  for (std::size_t i = 0; i < plan.archives.size(); ++i) {
    fetched.push_back({plan.archives[i], std::move((*outcomes)[i])});
  }
  return fetched;
}

util::Result<std::vector<fs::path>> run_mirror(const FetchOptions& options, const fs::path& out_dir,
                                               FetchPlan& plan, fetch::DownloadObserver* observer)
{
  auto fetched = run_fetch(options, plan, observer);
  if (!fetched) {
    return std::move(fetched).error();
  }
  auto cache = fetch::Cache::open(plan.cache_root);
  if (!cache) {
    return std::move(cache).error();
  }
  std::error_code ec;
  fs::create_directories(out_dir, ec);  // the user's own path: followed
  auto root = util::open_root(out_dir, "the mirror folder");
  if (!root) {
    return std::move(root).error();
  }
  // Every file below OUT is reached through descriptors without following a symlink: a link
  // planted in the output (or left by an earlier run) is never written through.
  auto write_below = [&](const std::string& relative, auto&& write) -> util::Status {
    auto parts = util::split_relative_path(relative);
    if (!parts) {
      return std::move(parts).error().with_cause("while writing `" + relative + "` below `" + out_dir.string() + "`");
    }
    auto folder = util::open_folder_beneath(root->get(), *parts, parts->size() - 1, true);
    if (!folder) {
      return std::move(folder).error().with_cause("below `" + out_dir.string() + "`");
    }
    return write(folder->get(), parts->back());
  };
  std::vector<fs::path> written;
  for (const auto& manifest : plan.manifests) {
    const std::string relative = manifest.product + "/redist/redistrib_" + manifest.version + ".json";
    ENVSETUP_TRY(write_below(relative, [&](int dir_fd, const std::string& name) {
      return util::write_file_atomic_at(dir_fd, name, manifest.text);
    }));
    written.push_back(out_dir / relative);
  }
  for (const auto& archive : *fetched) {
    // A copy (a reflink where the file system shares blocks), never a hard link: editing the
    // mirror must not change the cache.
    const std::string relative = archive.planned.product + "/redist/" + archive.planned.archive.relative_path;
    ENVSETUP_TRY(write_below(relative, [&](int dir_fd, const std::string& name) {
      return cache->export_archive(archive.planned.archive.sha256, dir_fd, name);
    }));
    written.push_back(out_dir / relative);
  }
  return written;
}

}  // namespace envsetup::app
