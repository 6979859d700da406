// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/app/fetch_command.hpp>
#include <envsetup/install/receipt.hpp>
#include <envsetup/util/error.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace envsetup::app {

// `envsetup install --cuda/--cudnn`: the fetch flags plus where to install.
struct InstallOptions {
  FetchOptions fetch;  // components default to "devel" for a toolkit
  std::optional<std::filesystem::path> prefix;  // default: STORE/toolkits/cuda-X.Y.Z[-cudnn-A.B.C]
  std::optional<std::filesystem::path> store;   // default: ENVSETUP_STORE, $XDG_DATA_HOME/envsetup, ~/.local/share/envsetup
  std::string envsetup_version;
};

struct InstallOutcome {
  std::filesystem::path prefix;
  bool already_installed = false;
  // The receipt matched but these files were missing or replaced: the prefix was rebuilt.
  std::vector<std::string> repaired;
  // Files the user added to the old prefix after the last check, moved aside into
  // `kept_in` instead of being deleted.
  std::vector<std::string> kept;
  std::optional<std::filesystem::path> kept_in;
  install::Receipt receipt;
  std::uint64_t bytes = 0;
  std::size_t archives_extracted = 0;  // 0 when every archive was already in the store
  std::size_t archives_streamed = 0;   // of those, extracted while they downloaded
};

// The store root (see InstallOptions::store).
[[nodiscard]] std::filesystem::path store_root(const std::optional<std::filesystem::path>& store);

// Installs what `plan` (from plan_fetch(options.fetch)) lists. Downloads (cache), extracts
// (in parallel, once per archive into the store, install::ExtractedStore, reused by later
// prefixes through hard links), merges into a staging tree in NVIDIA's runfile layout with
// version.json, license folders, activate scripts and a receipt, then swaps it in atomically
// under a per-prefix lock (install::PrefixTransaction). Installing what is installed already
// is a no-op when every file of the receipt is there, and a repair otherwise. Errors: those
// of plan_fetch/run_fetch, usage (a prefix holding files envsetup did not install), integrity
// (an unsafe archive, a file clash), io.
[[nodiscard]] util::Result<InstallOutcome> run_install_toolkit(const InstallOptions& options,
                                                               FetchPlan& plan,
                                                               fetch::DownloadObserver* observer);

struct InstalledPrefix {
  std::filesystem::path prefix;
  install::Receipt receipt;
  std::uint64_t bytes = 0;
};

// Every prefix envsetup installed (the store's and those registered with --prefix).
[[nodiscard]] std::vector<InstalledPrefix> list_prefixes(const std::optional<std::filesystem::path>& store);

// The name `list` shows for a prefix: its folder's name ("cuda-12.4.1-cudnn-9.1.0").
[[nodiscard]] std::string prefix_name(const std::filesystem::path& prefix);

// What `remove` and `env` were given: a path (anything holding a '/') as it is, or a name
// `list` shows (prefix_name of one installed prefix). A name no prefix has is taken as a
// relative path. Errors (usage): a name two installed prefixes share, or one that is also a
// different folder here (the hint says to write `./NAME` or the full path).
[[nodiscard]] util::Result<std::filesystem::path> find_prefix(const std::string& name_or_path,
                                                              const std::optional<std::filesystem::path>& store);

// Deletes what the receipt of `prefix` lists, under the prefix lock. Returns the files the
// user added, which are kept. Errors: usage (not an envsetup prefix), io.
[[nodiscard]] util::Result<std::vector<std::string>> remove_prefix(const std::filesystem::path& prefix,
                                                                   const std::optional<std::filesystem::path>& store);

// The lines that make `prefix` usable in `shell` ("bash", "zsh" or "fish"). Errors: usage.
[[nodiscard]] util::Result<std::string> environment_for(const std::filesystem::path& prefix,
                                                        const std::string& shell);

}  // namespace envsetup::app
