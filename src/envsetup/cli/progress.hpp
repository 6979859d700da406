// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/fetch/downloader.hpp>

#include <chrono>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <string_view>

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

// One line on a terminal's stderr redrawn in place (the installer's latest line during
// `install --framework`). Control characters in the text are escaped and it is cut to the
// terminal's width; redraws come at most every 0.1 s. clear() (and the destructor) erase it.
class StatusLine {
public:
  StatusLine() = default;
  StatusLine(const StatusLine&) = delete;
  StatusLine& operator=(const StatusLine&) = delete;
  ~StatusLine();
  void show(std::string_view text);
  void clear();

private:
  bool m_shown = false;
  std::chrono::steady_clock::time_point m_last{};
};

// "1.2 GiB", "340.5 MiB", "12 B"
[[nodiscard]] std::string human_bytes(std::uint64_t bytes);

}  // namespace envsetup::cli
