// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/index_check.hpp>

#include <envsetup/fetch/index_page.hpp>
#include <envsetup/pyindex/simple_index.hpp>
#include <envsetup/resolve/resolver.hpp>
#include <envsetup/util/strings.hpp>

#include <cstdlib>
#include <map>

namespace envsetup::app {

namespace {

// One project page, read and parsed: its wheels, or found = false.
util::Result<pyindex::Listing> read_listing(const std::string& url, const IndexAccess& access)
{
  auto page =
    fetch::fetch_index_page(url, std::string(pyindex::k_simple_accept), access.download, access.max_page_bytes);
  if (!page) {
    return std::move(page).error();
  }
  pyindex::Listing listing;
  listing.found = page->found;
  if (!page->found) {
    return listing;
  }
  auto files = pyindex::parse_simple_page(page->body, page->content_type);
  if (!files) {
    auto error = std::move(files).error();
    error.message = "cannot read the index page `" + url + "`: " + error.message;
    return error;
  }
  for (const auto& file : *files) {
    if (auto wheel = pyindex::parse_wheel_name(file.filename)) {
      listing.wheels.push_back(std::move(*wheel));
    }
  }
  return listing;
}

util::Status check_root(const std::optional<std::string>& root, const std::string& flag)
{
  if (!root) {
    return util::ok_status();
  }
  if (const auto problem = util::mirror_url_problem(*root)) {
    return util::make_error(util::ErrorKind::usage,
                            flag + " `" + util::escape_control_characters(*root) + "` is not an index URL")
      .with_cause(*problem)
      .with_hint("give the index root, e.g. http://mirror.lab/simple/ or file:///srv/index/");
  }
  return util::ok_status();
}

// "torch==2.5.1" -> "2.5.1".
std::string pinned_version(const std::string& requirement)
{
  const auto pin = requirement.find("==");
  return pin == std::string::npos ? "" : std::string(util::trim(requirement.substr(pin + 2)));
}

std::string local_tag_of(std::string_view index_url)
{
  while (index_url.ends_with('/')) {
    index_url.remove_suffix(1);
  }
  const auto slash = index_url.rfind('/');
  return std::string(slash == std::string_view::npos ? index_url : index_url.substr(slash + 1));
}

// The page that lists `plan`'s framework wheels, the project and the version its wheels carry.
struct PlanQuery {
  std::string page;
  std::string project;
  std::string version;
};

std::optional<PlanQuery> query_of(const core::Plan& plan, const PlanIndexOptions& options)
{
  if (plan.packages.empty() || !plan.version || !plan.python) {
    return std::nullopt;
  }
  matrix::Variant variant;
  variant.index_url = plan.index_url;
  variant.packages = {plan.packages.front()};
  std::optional<std::string> root = options.wheel_mirror;
  if (!plan.index_url) {
    root = options.default_index;
    if (!root) {
      if (const char* pip = std::getenv("PIP_INDEX_URL"); pip != nullptr && *pip != '\0') {
        root = pip;
      }
    }
  }
  PlanQuery query;
  query.project = pyindex::project_of(variant);
  query.page = pyindex::page_url(pyindex::index_of(variant, root), query.project);
  query.version = pinned_version(plan.packages.front());
  if (query.version.empty()) {
    return std::nullopt;
  }
  if (plan.index_url) {
    query.version += "+" + local_tag_of(*plan.index_url);
  }
  return query;
}

}  // namespace

std::size_t CheckIndexOutcome::checked() const
{
  std::size_t total = 0;
  for (const auto& framework : frameworks) {
    total += framework.report.checked;
  }
  return total;
}

std::size_t CheckIndexOutcome::contradictions() const
{
  std::size_t total = 0;
  for (const auto& framework : frameworks) {
    total += framework.report.contradictions.size();
  }
  return total;
}

util::Result<CheckIndexOutcome> check_index(const CheckIndexOptions& options)
{
  ENVSETUP_TRY(check_root(options.index, "--index"));
  auto matrix = options.framework ? load_matrix_for(with_environment(options.matrix), *options.framework)
                                  : load_matrix(with_environment(options.matrix));
  if (!matrix) {
    return std::move(matrix).error();
  }
  std::vector<const matrix::Framework*> frameworks;
  for (const auto& framework : matrix->frameworks) {
    if (!options.framework || framework.name == *options.framework) {
      frameworks.push_back(&framework);
    }
  }
  if (frameworks.empty()) {
    std::vector<std::string> known;
    for (const auto& framework : matrix->frameworks) {
      known.push_back(framework.name);
    }
    return util::make_error(util::ErrorKind::usage, "unknown framework `" + options.framework.value_or("") + "`")
      .with_hint("choose one of " + util::join(known, ", "));
  }
  CheckIndexOutcome outcome;
  pyindex::Listings listings;
  for (const auto* framework : frameworks) {
    for (const auto& page : pyindex::pages_for(*framework, options.index)) {
      if (listings.contains(page)) {
        continue;
      }
      auto listing = read_listing(page, options.access);
      if (!listing) {
        return std::move(listing).error();
      }
      outcome.pages.push_back(page);
      listings.emplace(page, std::move(listing).value());
    }
    outcome.frameworks.push_back(
      {framework->name, pyindex::check_claims(*matrix, *framework, listings, options.index)});
  }
  return outcome;
}

util::Result<ResolveOutcome> resolve_checked(const ResolveOptions& options, const PlanIndexOptions& index)
{
  ENVSETUP_TRY(check_root(index.wheel_mirror, "--wheel-mirror"));
  auto outcome = run_resolve(options);
  if (!outcome || !outcome->resolution.plan || outcome->request.cpu ||
      outcome->request.framework == core::k_bare_toolkit) {
    return outcome;
  }
  if (index.offline) {
    outcome->resolution.plan->notes.push_back("not checked against the package index (--offline)");
    return outcome;
  }
  std::optional<matrix::Matrix> matrix;
  std::map<std::string, pyindex::Listing> pages;
  for (int round = 0; outcome->resolution.plan; ++round) {
    auto& plan = *outcome->resolution.plan;
    const auto query = query_of(plan, index);
    if (!query) {
      return outcome;
    }
    auto cached = pages.find(query->page);
    if (cached == pages.end()) {
      auto listing = read_listing(query->page, index.access);
      if (!listing && listing.error().kind == util::ErrorKind::network) {
        const auto& error = listing.error();
        plan.notes.push_back("not checked against the package index: " + error.message +
                             (error.causes.empty() ? "" : " (" + error.causes.front() + ")"));
        return outcome;
      }
      if (!listing) {
        return std::move(listing).error();
      }
      cached = pages.emplace(query->page, std::move(listing).value()).first;
    }
    const auto missing = pyindex::missing_wheel(cached->second.wheels, query->project, query->version, *plan.python,
                                                plan.platform, outcome->host.glibc);
    if (!missing) {
      plan.notes.push_back("checked against the package index: " + query->page + " has a " +
                           pyindex::cpython_tag(*plan.python) + " wheel of " + query->project + " " + query->version +
                           " for " + core::platform_name(plan.platform));
      return outcome;
    }
    if (round + 1 >= index.max_rounds) {
      core::Resolution refused;
      refused.rejected = std::move(outcome->resolution.rejected);
      refused.rejected.push_back({plan.framework + " " + plan.version->text() + " " + plan.variant, *missing});
      refused.failure =
        "no build the package index has wheels for was found in " + std::to_string(index.max_rounds) + " tries";
      refused.hints.push_back("`envsetup matrix check-index --framework " + plan.framework +
                              "` lists what the index lacks; pass --python or a version to choose another build");
      outcome->resolution = std::move(refused);
      return outcome;
    }
    outcome->request.excluded.push_back({plan.framework, *plan.version, plan.variant, plan.python, *missing});
    if (!matrix) {
      auto loaded = load_matrix_for(with_environment(options.matrix), outcome->request.framework);
      if (!loaded) {
        return std::move(loaded).error();
      }
      matrix = std::move(loaded).value();
    }
    auto again = resolve::resolve(*matrix, outcome->host, outcome->request);
    if (!again) {
      return std::move(again).error();
    }
    outcome->resolution = std::move(again).value();
  }
  return outcome;
}

}  // namespace envsetup::app
