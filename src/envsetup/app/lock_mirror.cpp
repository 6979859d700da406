// SPDX-License-Identifier: Apache-2.0
// plan_lock_mirror: the lock's archives checked against their manifests, its wheels as downloads.
#include <envsetup/app/lock_mirror.hpp>

#include <envsetup/fetch/sources.hpp>
#include <envsetup/pyindex/wheel_name.hpp>
#include <envsetup/util/fs.hpp>
#include <envsetup/util/strings.hpp>

#include <algorithm>
#include <cstdlib>
#include <set>

namespace envsetup::app {

namespace fs = std::filesystem;

namespace {

util::Error integrity(std::string message)
{
  return util::make_error(util::ErrorKind::integrity, std::move(message));
}

fetch::DownloadOptions manifest_transfer(const FetchOptions& options)
{
  fetch::DownloadOptions transfer;
  transfer.cacert = options.cacert;
  transfer.user_agent = options.user_agent;
  if (const char* fast = std::getenv("ENVSETUP_TEST_FAST_RETRY"); fast != nullptr && *fast != '\0') {
    transfer.retry_base = std::chrono::milliseconds(20);
    transfer.retry_cap = std::chrono::milliseconds(100);
    transfer.connect_timeout = std::chrono::seconds(5);
  }
  return transfer;
}

// The manifest of one locked release: from the cache with --offline, else from the mirror
// (and kept in the cache).
util::Result<std::string> manifest_of(const fetch::Cache& cache, const FetchOptions& options, const std::string& root,
                                      const std::string& product, const std::string& release)
{
  if (options.offline) {
    auto cached = cache.read_manifest(product, release);
    if (!cached) {
      return std::move(cached).error();
    }
    if (!*cached) {
      return util::make_error(util::ErrorKind::environment, "--offline: the " + product + " " + release +
                                                               " manifest is not in the cache `" +
                                                               cache.root().string() + "`")
        .with_hint("run the same command without --offline once (or with --mirror) to fill the cache");
    }
    return std::move(**cached);
  }
  auto text = fetch::fetch_text(fetch::manifest_url(root, product, release), manifest_transfer(options));
  if (text) {
    (void)cache.write_manifest(product, release, *text);  // a cache miss later is not fatal
  }
  return text;
}

// The manifest's archive for `locked`, which must be the locked file.
util::Result<fetch::Archive> manifest_archive(const fetch::Manifest& manifest, const lock::LockedArchive& locked,
                                              const std::string& origin)
{
  const auto* component = manifest.find(locked.component);
  std::vector<const fetch::Archive*> candidates;
  if (component != nullptr) {
    if (auto it = component->platforms.find(locked.platform); it != component->platforms.end()) {
      candidates.push_back(&it->second);
    }
    if (auto it = component->variants.find(locked.platform); it != component->variants.end()) {
      for (const auto& [variant, archive] : it->second) {
        candidates.push_back(&archive);
      }
    }
  }
  for (const auto* archive : candidates) {
    if (archive->relative_path == locked.relative_path) {
      if (archive->sha256 != locked.sha256 || archive->size != locked.size) {
        return integrity("the manifest " + origin + " gives `" + locked.relative_path + "` (" + locked.component +
                         ") another sha256 or size than the lock: " + archive->sha256 + ", " +
                         std::to_string(archive->size) + " bytes; locked " + locked.sha256 + ", " +
                         std::to_string(locked.size) + " bytes")
          .with_hint("the mirror serves other files than those locked: lock again, or use the mirror the lock was made from");
      }
      return *archive;
    }
  }
  return integrity("the manifest " + origin + " does not list the locked archive `" + locked.relative_path + "` (" +
                   locked.component + ", " + locked.platform + ")");
}

std::string with_slash(std::string url)
{
  if (url.empty() || url.back() != '/') {
    url += '/';
  }
  return url;
}

util::Status plan_archives(const LockMirrorOptions& options, LockMirrorPlan& plan)
{
  const auto& archives = plan.lockfile.archives;
  auto& fetch_plan = plan.archives;
  fetch_plan.root = fetch::redist_root(options.fetch.mirror);
  fetch_plan.cache_root = options.fetch.cache_dir.value_or(fetch::Cache::default_root());
  if (archives.empty()) {
    return util::ok_status();
  }
  fetch_plan.platform = archives.front().platform;
  auto cache = fetch::Cache::open(fetch_plan.cache_root);
  if (!cache) {
    return std::move(cache).error();
  }
  std::set<std::pair<std::string, std::string>> releases;
  for (const auto& archive : archives) {
    if (archive.platform != fetch_plan.platform) {
      return util::make_error(util::ErrorKind::input, "the lock has archives of two platforms, " +
                                                        fetch_plan.platform + " and " + archive.platform);
    }
    releases.emplace(archive.product, archive.release);
  }
  for (const auto& [product, release] : releases) {
    auto text = manifest_of(*cache, options.fetch, fetch_plan.root, product, release);
    if (!text) {
      return std::move(text).error();
    }
    const auto origin = fetch::manifest_url(fetch_plan.root, product, release);
    auto parsed = fetch::parse_manifest(*text, product, origin);
    if (!parsed) {
      return std::move(parsed).error();
    }
    for (const auto& locked : archives) {
      if (locked.product != product || locked.release != release) {
        continue;
      }
      auto archive = manifest_archive(*parsed, locked, origin);
      if (!archive) {
        return std::move(archive).error();
      }
      const auto* component = parsed->find(locked.component);
      fetch_plan.archives.push_back({product, locked.component, component->version, *archive,
                                     fetch::archive_url(fetch_plan.root, product, locked.relative_path)});
      plan.total_bytes += locked.size;
    }
    fetch_plan.manifests.push_back({product, release, std::move(text).value(), std::move(parsed).value()});
  }
  return util::ok_status();
}

util::Status plan_wheels(const LockMirrorOptions& options, LockMirrorPlan& plan)
{
  std::map<std::string, std::string> roots;
  for (const auto& index : plan.lockfile.indexes) {
    roots[index.key] = with_slash(index.url);
  }
  for (const auto& [key, url] : options.index_urls) {
    if (roots.find(key) == roots.end()) {
      return util::make_error(util::ErrorKind::usage, "the lock has no index `" + key + "`")
        .with_hint("its indexes: " + [&] {
          std::vector<std::string> keys;
          for (const auto& index : plan.lockfile.indexes) {
            keys.push_back(index.key);
          }
          return util::join(keys, ", ");
        }());
    }
    if (auto problem = util::mirror_url_problem(url)) {
      return util::make_error(util::ErrorKind::usage, "--wheel-index " + key + "=" + util::escape_control_characters(url) +
                                                        ": " + *problem);
    }
    roots[key] = with_slash(url);
  }
  for (const auto& wheel : plan.lockfile.wheels) {
    const auto name = pyindex::parse_wheel_name(wheel.filename);
    if (!name || wheel.size == 0) {
      return util::make_error(util::ErrorKind::input,
                              "the lock's wheel `" + util::escape_control_characters(wheel.filename) +
                                (name ? "` has no size" : "` is not a wheel file name"));
    }
    const bool absolute = wheel.url.find("://") != std::string::npos;
    const auto root = roots.find(wheel.index);
    if (!absolute && root == roots.end()) {
      return util::make_error(util::ErrorKind::input, "the lock's wheel `" + wheel.filename +
                                                        "` names an index it does not list: `" + wheel.index + "`");
    }
    plan.wheels.push_back({wheel.filename, absolute ? wheel.url : root->second + wheel.url, wheel.sha256, wheel.size});
    plan.projects.push_back(name->distribution);
    plan.total_bytes += wheel.size;
  }
  return util::ok_status();
}

}  // namespace

util::Result<lock::Lockfile> read_lockfile(const fs::path& path, std::string* text)
{
  auto read = util::read_file(path);
  if (!read) {
    return std::move(read).error().with_hint("pass the file `envsetup lock` wrote");
  }
  auto parsed = lock::parse_lockfile(*read);
  if (!parsed) {
    return std::move(parsed).error().with_cause("in the lockfile `" + path.string() + "`");
  }
  if (text != nullptr) {
    *text = std::move(read).value();
  }
  return parsed;
}

util::Result<LockMirrorPlan> plan_lock_mirror(const LockMirrorOptions& options)
{
  LockMirrorPlan plan;
  auto lockfile = read_lockfile(options.lock_file, &plan.lock_text);
  if (!lockfile) {
    return std::move(lockfile).error();
  }
  plan.lockfile = std::move(lockfile).value();
  ENVSETUP_TRY(plan_archives(options, plan));
  ENVSETUP_TRY(plan_wheels(options, plan));
  return plan;
}

}  // namespace envsetup::app
