// SPDX-License-Identifier: Apache-2.0
// run_lock_mirror: the bundle written (NVIDIA layout, PEP 503 index, wheels, lock).
#include <envsetup/app/lock_mirror.hpp>

#include <envsetup/util/beneath.hpp>
#include <envsetup/util/fs.hpp>

#include <algorithm>
#include <cstdlib>
#include <map>

namespace envsetup::app {

namespace fs = std::filesystem;

namespace {

std::string html_escaped(std::string_view text)
{
  std::string out;
  for (const char c : text) {
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    case '\'': out += "&#39;"; break;
    default: out += c;
    }
  }
  return out;
}

// A wheel file name as a relative URL: `+` (a local version) must not be read as a space.
std::string href_of(std::string_view file_name)
{
  std::string out;
  for (const char c : file_name) {
    out += c == '+' ? std::string("%2B") : std::string(1, c);
  }
  return out;
}

constexpr const char* k_page_start = "<!DOCTYPE html>\n<html>\n<head><meta name=\"pypi:repository-version\" "
                                     "content=\"1.0\"><title>";

}  // namespace

std::string simple_project_page(const std::string& project, std::vector<std::pair<std::string, std::string>> files)
{
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  std::string page = k_page_start + std::string("Links for ") + html_escaped(project) + "</title></head>\n<body>\n";
  for (const auto& [name, sha256] : files) {
    page += "<a href=\"" + html_escaped(href_of(name)) + "#sha256=" + sha256 + "\">" + html_escaped(name) + "</a><br>\n";
  }
  return page + "</body>\n</html>\n";
}

util::Result<std::vector<fs::path>> run_lock_mirror(const LockMirrorOptions& options, LockMirrorPlan& plan,
                                                    fetch::DownloadObserver* observer)
{
  auto cache = fetch::Cache::open(plan.archives.cache_root);
  if (!cache) {
    return std::move(cache).error();
  }
  if (options.fetch.offline) {
    std::vector<std::string> missing;
    for (const auto& wheel : plan.wheels) {
      if (!cache->has(wheel.sha256, wheel.size)) {
        missing.push_back(wheel.name + " (" + std::to_string(wheel.size) + " bytes)");
      }
    }
    if (!missing.empty()) {
      util::Error error = util::make_error(util::ErrorKind::environment,
                                           "--offline: " + std::to_string(missing.size()) +
                                             " wheel(s) are not in the cache `" + cache->root().string() + "`");
      error.causes = std::move(missing);
      error.hints.push_back("run the same command without --offline to download them");
      return error;
    }
  }
  std::vector<fs::path> written;
  if (!plan.archives.archives.empty()) {
    auto archives = run_mirror(options.fetch, options.out_dir, plan.archives, observer);
    if (!archives) {
      return std::move(archives).error();
    }
    written = std::move(archives).value();
  }
  auto outcomes = fetch::download_all(plan.wheels, *cache, transfer_options(options.fetch), observer);
  if (!outcomes) {
    return std::move(outcomes).error();
  }
  std::error_code ec;
  fs::create_directories(options.out_dir, ec);  // the user's own path: followed
  auto root = util::open_root(options.out_dir, "the bundle folder");
  if (!root) {
    return std::move(root).error();
  }
  auto folder_of = [&](const std::vector<std::string>& parts) {
    return util::open_folder_beneath(root->get(), parts, parts.size(), true);
  };
  // The wheels first, then the pages that link them: a reader never finds a link to nothing.
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> projects;
  for (std::size_t i = 0; i < plan.wheels.size(); ++i) {
    const auto& wheel = plan.wheels[i];
    const auto& project = plan.projects[i];
    auto folder = folder_of({"simple", project});
    if (!folder) {
      return std::move(folder).error().with_cause("below `" + options.out_dir.string() + "`");
    }
    ENVSETUP_TRY(cache->export_archive(wheel.sha256, folder->get(), wheel.name));
    written.push_back(options.out_dir / "simple" / project / wheel.name);
    projects[project].emplace_back(wheel.name, wheel.sha256);
  }
  outcomes->clear();  // the pins: every wheel is in the bundle now
  std::string root_page = k_page_start + std::string("Simple index</title></head>\n<body>\n");
  for (const auto& [project, files] : projects) {
    auto folder = folder_of({"simple", project});
    if (!folder) {
      return std::move(folder).error();
    }
    ENVSETUP_TRY(util::write_file_atomic_at(folder->get(), "index.html", simple_project_page(project, files)));
    written.push_back(options.out_dir / "simple" / project / "index.html");
    root_page += "<a href=\"" + project + "/\">" + project + "</a><br>\n";
  }
  if (!projects.empty()) {
    auto simple = folder_of({"simple"});
    if (!simple) {
      return std::move(simple).error();
    }
    ENVSETUP_TRY(util::write_file_atomic_at(simple->get(), "index.html", root_page + "</body>\n</html>\n"));
    written.push_back(options.out_dir / "simple" / "index.html");
  }
  ENVSETUP_TRY(util::write_file_atomic_at(root->get(), k_bundle_lock_name, plan.lock_text));
  written.push_back(options.out_dir / k_bundle_lock_name);
  return written;
}

}  // namespace envsetup::app
