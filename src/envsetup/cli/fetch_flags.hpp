// SPDX-License-Identifier: Apache-2.0
// The download flags shared by fetch, mirror and install (never copy-pasted).
#pragma once

#include <envsetup/app/fetch_command.hpp>
#include <envsetup/cli/progress.hpp>
#include <envsetup/fetch/downloader.hpp>

#include <memory>
#include <string>

namespace CLI {
class App;
}

namespace envsetup::cli {

struct FetchFlags {
  app::FetchOptions options;
  std::string cuda;
  std::string cudnn;
  std::string platform;
  std::string mirror;
  std::string cache;
  std::string cacert;
  std::string matrix_dir;
  std::string out_dir;
  bool json = false;    // one JSON document on stdout at the end (set by --events too)
  bool events = false;  // --events: JSON Lines on stdout, progress events then the result
  bool quiet = false;
};

// Adds --cuda, --cudnn, --components, --platform, --mirror, --cache, --cacert, --jobs,
// --offline, --matrix, --json, --events, --quiet to `command`.
void add_download_flags(CLI::App& command, FetchFlags& flags);

// Copies the string flags into `flags.options`.
void finish_options(FetchFlags& flags);

// The progress style the flags ask for: --events: JSON events; --json, --quiet: none.
[[nodiscard]] ProgressStyle progress_style(const FetchFlags& flags);

// The progress renderer for `plan` in the style the flags ask for.
[[nodiscard]] std::unique_ptr<fetch::DownloadObserver> progress_for(const FetchFlags& flags,
                                                                    const app::FetchPlan& plan);

}  // namespace envsetup::cli
