// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/fetch/downloader.hpp>

#include <chrono>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>

namespace envsetup::cli {

enum class ProgressStyle {
  terminal,  // one redrawn line per active download plus a total (stderr is a terminal)
  lines,     // a plain line when a download starts, retries or ends
  json,      // one JSON event per line on stdout
  quiet,     // nothing
};

// ProgressStyle::terminal when stderr is a terminal and TERM is not "dumb", else lines.
[[nodiscard]] ProgressStyle default_progress_style();

// Renders download progress for the user; only the cli module prints.
[[nodiscard]] std::unique_ptr<fetch::DownloadObserver> make_progress(ProgressStyle style,
                                                                     std::uint64_t total_bytes);

// "1.2 GiB", "340.5 MiB", "12 B"
[[nodiscard]] std::string human_bytes(std::uint64_t bytes);

}  // namespace envsetup::cli
