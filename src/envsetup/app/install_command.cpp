// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/install_command.hpp>
#include <envsetup/app/archive_extraction.hpp>
#include <envsetup/app/streaming_extract.hpp>

#include <envsetup/app/templates.hpp>
#include <envsetup/fetch/sources.hpp>
#include <envsetup/install/xz_decoder.hpp>
#include <envsetup/install/layout.hpp>
#include <envsetup/install/prefix.hpp>
#include <envsetup/install/registry.hpp>
#include <envsetup/install/store.hpp>
#include <envsetup/util/fs.hpp>
#include <envsetup/util/strings.hpp>
#include <envsetup/util/template.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <string_view>

#include <malloc.h>
#include <unistd.h>

namespace envsetup::app {

namespace fs = std::filesystem;

namespace {

std::string env_or_empty(const char* name)
{
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

std::string default_prefix_name(const FetchPlan& plan)
{
  std::string name;
  for (const auto& manifest : plan.manifests) {
    name += (name.empty() ? "" : "-") + manifest.product + "-" + manifest.version;
  }
  return name;
}

std::string version_json(const FetchPlan& plan)
{
  nlohmann::json document = nlohmann::json::object();
  for (const auto& manifest : plan.manifests) {
    document[manifest.product] = {{"name", manifest.product == "cuda" ? "CUDA SDK" : "cuDNN"},
                                  {"version", manifest.version}};
  }
  for (const auto& archive : plan.archives) {
    const auto* component = std::find_if(plan.manifests.begin(), plan.manifests.end(), [&](const auto& m) {
      return m.product == archive.product;
    })->parsed.find(archive.component);
    document[archive.component] = {{"name", component != nullptr ? component->name : archive.component},
                                   {"version", archive.version}};
  }
  return document.dump(2) + "\n";
}

util::Status write_activation(int staging_fd, const fs::path& prefix, const std::string& description,
                              std::vector<std::string>& files)
{
  const std::map<std::string, std::string> variables = {
    {"description", util::escape_control_characters(description)},  // it lands in a comment
  };
  for (const auto& [template_name, file] : {std::pair{"activate.sh.tmpl", "activate"},
                                            std::pair{"activate.fish.tmpl", "activate.fish"}}) {
    auto text = template_text(template_name);
    if (!text) {
      return std::move(text).error();
    }
    auto all = variables;
    const bool fish = file == std::string("activate.fish");
    all[fish ? "prefix_fish" : "prefix_sh"] =
      fish ? util::fish_double_quoted(prefix.string()) : util::shell_double_quoted(prefix.string());
    auto rendered = util::render_template(*text, all, template_name);
    if (!rendered) {
      return std::move(rendered).error();
    }
    ENVSETUP_TRY(util::write_file_atomic_at(staging_fd, file, *rendered));
    files.emplace_back(file);
  }
  return util::ok_status();
}

bool receipt_matches(const install::Receipt& receipt, const FetchPlan& plan)
{
  if (receipt.archives.size() != plan.archives.size() || receipt.platform != plan.platform) {
    return false;
  }
  return std::all_of(plan.archives.begin(), plan.archives.end(), [&](const auto& planned) {
    return std::any_of(receipt.archives.begin(), receipt.archives.end(),
                       [&](const auto& a) { return a.sha256 == planned.archive.sha256; });
  });
}

}  // namespace

fs::path store_root(const std::optional<fs::path>& store)
{
  if (store) {
    return *store;
  }
  if (auto dir = env_or_empty("ENVSETUP_STORE"); !dir.empty()) {
    return dir;
  }
  if (auto dir = env_or_empty("XDG_DATA_HOME"); !dir.empty()) {
    return fs::path(dir) / "envsetup";
  }
  const auto home = env_or_empty("HOME");
  return fs::path(home.empty() ? "/tmp" : home) / ".local" / "share" / "envsetup";
}

util::Result<InstallOutcome> run_install_toolkit(const InstallOptions& options, FetchPlan& plan,
                                                 fetch::DownloadObserver* observer)
{
  const fs::path store_path = store_root(options.store);
  InstallOutcome outcome;
  auto prefix = install::normal_prefix_path(options.prefix.value_or(store_path / "toolkits" / default_prefix_name(plan)));
  if (!prefix) {
    return std::move(prefix).error();
  }
  outcome.prefix = std::move(prefix).value();
  // Installed already: the receipt matches and every file it lists is there.
  auto installed = [&]() -> bool {
    auto existing = install::read_receipt(outcome.prefix);
    if (!existing || !receipt_matches(*existing, plan)) {
      return false;
    }
    outcome.repaired = install::missing_files(outcome.prefix, *existing);
    if (!outcome.repaired.empty()) {
      return false;
    }
    outcome.already_installed = true;
    outcome.receipt = std::move(existing).value();
    return true;
  };
  if (installed()) {
    return outcome;
  }
  auto tx = install::PrefixTransaction::begin(outcome.prefix);
  if (!tx) {
    return std::move(tx).error();
  }
  if (installed()) {
    return outcome;  // another process finished it while we waited
  }
  auto store = install::ExtractedStore::open(store_path);
  if (!store) {
    return std::move(store).error();
  }
  // One pool decodes the .xz blocks of every extraction below (it outlives `streaming`).
  // ENVSETUP_PARALLEL_XZ=0 leaves decoding to libarchive, one thread per archive (for comparisons).
  // While downloading, the archives extracted as they arrive decode on their own threads
  // (the downloads use memory and cores); afterwards a last archive also gets the idle cores.
  install::DecodePool decoders;
  decoders.allow_parallel_blocks(false);
  const char* parallel = std::getenv("ENVSETUP_PARALLEL_XZ");
  install::DecodePool* pool = parallel != nullptr && std::string_view(parallel) == "0" ? nullptr : &decoders;
  StreamingExtraction streaming(*store, plan.cache_root, observer, pool);
  // `fetched` pins every verified archive in the cache until the install ends.
  auto fetched = run_fetch(options.fetch, plan, &streaming);
  if (!fetched) {
    return std::move(fetched).error();
  }
#ifdef __GLIBC__
  ::malloc_trim(0);  // the download buffers go back to the system before decoding takes memory
#endif
  decoders.allow_parallel_blocks(true);
  auto trees = extract_all(*store, *fetched, streaming, pool, outcome.archives_extracted, outcome.archives_streamed);
  if (!trees) {
    return std::move(trees).error();
  }
  auto& receipt = outcome.receipt;
  auto merged = install::merge_components(*trees, tx->staging_fd());
  if (!merged) {
    return std::move(merged).error();
  }
  receipt.files = std::move(merged).value();
  auto links = install::add_runfile_links(tx->staging_fd(), install::target_dir_for(plan.platform));
  if (!links) {
    return std::move(links).error();
  }
  receipt.files.insert(receipt.files.end(), links->begin(), links->end());
  ENVSETUP_TRY(util::write_file_atomic_at(tx->staging_fd(), "version.json", version_json(plan)));
  receipt.files.emplace_back("version.json");
  ENVSETUP_TRY(write_activation(tx->staging_fd(), outcome.prefix, default_prefix_name(plan), receipt.files));
  for (const auto& manifest : plan.manifests) {
    (manifest.product == "cuda" ? receipt.cuda : receipt.cudnn) = manifest.version;
    receipt.manifests.push_back(fetch::manifest_url(plan.root, manifest.product, manifest.version));
  }
  receipt.components = options.fetch.components;
  receipt.platform = plan.platform;
  for (const auto& archive : *fetched) {
    receipt.archives.push_back({archive.planned.product, archive.planned.component, archive.planned.version,
                                archive.planned.archive.sha256, archive.planned.archive.size, archive.planned.url});
  }
  receipt.created_at = util::utc_now_text();
  receipt.envsetup_version = options.envsetup_version;
  ENVSETUP_TRY(install::write_receipt(tx->staging_fd(), receipt));
  auto replaced = tx->commit();
  if (!replaced) {
    return std::move(replaced).error();
  }
  outcome.kept = std::move(replaced->kept);
  outcome.kept_in = std::move(replaced->kept_in);
  // The prefix is installed; a registry that cannot be written only hides it from `list`.
  static_cast<void>(install::PrefixRegistry(store_path).add(outcome.prefix));
  outcome.bytes = install::installed_size(outcome.prefix, receipt);
  return outcome;
}

std::vector<InstalledPrefix> list_prefixes(const std::optional<fs::path>& store_option)
{
  const fs::path store = store_root(store_option);
  std::vector<fs::path> candidates;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(store / "toolkits", ec)) {
    const auto name = entry.path().filename().string();
    if (!name.starts_with(".") && name.find(".kept-") == std::string::npos) {
      candidates.push_back(entry.path());
    }
  }
  for (auto& registered : install::PrefixRegistry(store).list()) {
    candidates.push_back(std::move(registered));
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  std::vector<InstalledPrefix> prefixes;
  for (const auto& prefix : candidates) {
    if (auto receipt = install::read_receipt(prefix)) {
      const auto bytes = install::installed_size(prefix, *receipt);
      prefixes.push_back({prefix, std::move(receipt).value(), bytes});
    }
  }
  return prefixes;
}

util::Result<std::vector<std::string>> remove_prefix(const fs::path& requested, const std::optional<fs::path>& store)
{
  auto kept = install::remove_prefix(requested);
  if (!kept) {
    return kept;
  }
  if (auto prefix = install::normal_prefix_path(requested)) {
    ENVSETUP_TRY(install::PrefixRegistry(store_root(store)).remove(*prefix));
  }
  return kept;
}

util::Result<std::string> environment_for(const fs::path& requested, const std::string& shell)
{
  auto normal = install::normal_prefix_path(requested);
  if (!normal) {
    return std::move(normal).error();
  }
  const fs::path prefix = std::move(normal).value();
  if (!install::read_receipt(prefix)) {
    return util::make_error(util::ErrorKind::usage, "`" + prefix.string() + "` is not a prefix envsetup installed")
      .with_hint("run `envsetup list` for the installed prefixes");
  }
  const std::string quoted = util::shell_double_quoted(prefix.string());
  if (shell == "fish") {
    const std::string fish = util::fish_double_quoted(prefix.string());
    return "set -gx CUDA_HOME \"" + fish + "\"\nset -gx CUDA_PATH \"" + fish + "\"\nset -gx PATH \"" + fish +
           "/bin\" $PATH\nset -gx LD_LIBRARY_PATH \"" + fish + "/lib\" $LD_LIBRARY_PATH\n";
  }
  if (shell != "bash" && shell != "zsh" && shell != "sh") {
    return util::make_error(util::ErrorKind::usage, "unknown shell `" + shell + "`").with_hint("use bash, zsh or fish");
  }
  return "export CUDA_HOME=\"" + quoted + "\"\nexport CUDA_PATH=\"" + quoted + "\"\nexport PATH=\"" + quoted +
         "/bin${PATH:+:${PATH}}\"\nexport LD_LIBRARY_PATH=\"" + quoted + "/lib${LD_LIBRARY_PATH:+:${LD_LIBRARY_PATH}}\"\n";
}

}  // namespace envsetup::app
