// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/app/matrix_source.hpp>
#include <envsetup/fetch/downloader.hpp>
#include <envsetup/fetch/manifest.hpp>
#include <envsetup/util/error.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace envsetup::app {

// What to download: `envsetup fetch` / `envsetup mirror` flags, as typed.
struct FetchOptions {
  std::optional<std::string> cuda;   // "12.4" (newest 12.4.x in the matrix) or "12.4.1"
  std::optional<std::string> cudnn;  // "9.1" or "9.1.0"
  std::string components = "runtime";
  std::optional<std::string> platform;  // default: this machine's (linux-x86_64, linux-sbsa)
  std::optional<std::string> mirror;    // default NVIDIA (the CLI fills it from --mirror, ENVSETUP_MIRROR, config files)
  std::optional<std::filesystem::path> cache_dir;  // default: fetch::Cache::default_root()
  std::optional<std::filesystem::path> cacert;
  int jobs = 4;
  bool offline = false;
  std::string user_agent = "envsetup";
  MatrixChoice matrix;
};

// The download settings of `options` (jobs, CA bundle, user agent; the short retries of the
// CLI tests when ENVSETUP_TEST_FAST_RETRY is set), shared by every command that downloads.
[[nodiscard]] fetch::DownloadOptions transfer_options(const FetchOptions& options);

// One archive of the plan.
struct PlannedArchive {
  std::string product;    // "cuda" or "cudnn"
  std::string component;  // "cuda_nvcc"
  std::string version;    // the component's version
  fetch::Archive archive;
  std::string url;
};

// One manifest of the plan, with its exact bytes (a mirror republishes them unchanged).
struct PlannedManifest {
  std::string product;
  std::string version;  // "12.4.1"
  std::string text;
  fetch::Manifest parsed;
};

struct FetchPlan {
  std::string root;      // redist root URL in use
  std::string platform;
  std::filesystem::path cache_root;
  std::vector<PlannedManifest> manifests;
  std::vector<PlannedArchive> archives;
};

struct FetchedArchive {
  PlannedArchive planned;
  fetch::DownloadOutcome outcome;
};

// Resolves versions (matrix), reads the manifests (network, or the cache when offline;
// fetched manifests are kept in the cache) and expands the components. Errors: usage
// (unknown version, component or platform), network, input (bad manifest), and for
// --offline a missing manifest.
[[nodiscard]] util::Result<FetchPlan> plan_fetch(const FetchOptions& options);

// plan_fetch, then every archive into the cache (or, offline, a check that every archive is
// there, naming each missing one).
[[nodiscard]] util::Result<std::vector<FetchedArchive>> run_fetch(const FetchOptions& options,
                                                                  FetchPlan& plan,
                                                                  fetch::DownloadObserver* observer);

// run_fetch, then lays manifests and archives out in NVIDIA's layout under `out_dir`
// (OUT/<product>/redist/redistrib_X.json and OUT/<product>/redist/<relative_path>), each
// file written atomically. Returns the files written.
[[nodiscard]] util::Result<std::vector<std::filesystem::path>> run_mirror(
  const FetchOptions& options, const std::filesystem::path& out_dir, FetchPlan& plan,
  fetch::DownloadObserver* observer);

}  // namespace envsetup::app
