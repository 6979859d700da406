// SPDX-License-Identifier: Apache-2.0
#include <envsetup/cli/output.hpp>
#include <envsetup/cli/progress.hpp>
#include <envsetup/util/strings.hpp>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <vector>

#include <sys/ioctl.h>
#include <unistd.h>

namespace envsetup::cli {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start)
{
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string rate_text(double bytes_per_second)
{
  return human_bytes(static_cast<std::uint64_t>(bytes_per_second)) + "/s";
}

class LineProgress : public fetch::DownloadObserver {
public:
  void on_start(const fetch::DownloadItem& item, std::uint64_t offset) override
  {
    std::cerr << "downloading " << field_text(item.name) << " (" << human_bytes(item.size) << ")"
              << (offset > 0 ? ", resuming at " + human_bytes(offset) : "") << '\n';
  }
  void on_progress(const fetch::DownloadItem&, std::uint64_t) override {}
  void on_retry(const fetch::DownloadItem& item, int attempt, const std::string& reason,
                std::chrono::milliseconds delay) override
  {
    std::cerr << "retrying " << field_text(item.name) << " in " << delay.count() << " ms (attempt " << attempt
              << " failed: " << field_text(reason) << ")\n";
  }
  void on_done(const fetch::DownloadOutcome& outcome) override
  {
    std::cerr << (outcome.from_cache ? "cached      " : "verified    ") << field_text(outcome.item.name) << '\n';
  }
};

class JsonProgress : public fetch::DownloadObserver {
public:
  void on_start(const fetch::DownloadItem& item, std::uint64_t offset) override
  {
    emit({{"event", "start"}, {"name", item.name}, {"url", item.url}, {"size", item.size}, {"offset", offset}});
  }
  void on_progress(const fetch::DownloadItem& item, std::uint64_t have) override
  {
    auto& last = m_last[item.name];
    if (have != item.size && seconds_since(last) < 1.0) {
      return;
    }
    last = Clock::now();
    emit({{"event", "progress"}, {"name", item.name}, {"bytes", have}, {"size", item.size}});
  }
  void on_retry(const fetch::DownloadItem& item, int attempt, const std::string& reason,
                std::chrono::milliseconds delay) override
  {
    emit({{"event", "retry"}, {"name", item.name}, {"attempt", attempt}, {"reason", reason}, {"delay_ms", delay.count()}});
  }
  void on_done(const fetch::DownloadOutcome& outcome) override
  {
    emit({{"event", "done"}, {"name", outcome.item.name}, {"from_cache", outcome.from_cache},
          {"resumed", outcome.resumed}, {"attempts", outcome.attempts}});
  }

private:
  static void emit(const nlohmann::json& event)
  {
    std::cout << event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n' << std::flush;
  }
  std::map<std::string, Clock::time_point> m_last;
};

// Redraws one line per active download and a total line, in place (ANSI cursor movement).
class TerminalProgress : public fetch::DownloadObserver {
public:
  explicit TerminalProgress(std::uint64_t total) : m_total(total) {}
  ~TerminalProgress() override { redraw(true); }
  TerminalProgress(const TerminalProgress&) = delete;
  TerminalProgress& operator=(const TerminalProgress&) = delete;

  void on_start(const fetch::DownloadItem& item, std::uint64_t offset) override
  {
    m_active[item.name] = {item.size, offset, offset, Clock::now()};
    redraw(true);
  }
  void on_progress(const fetch::DownloadItem& item, std::uint64_t have) override
  {
    auto& state = m_active[item.name];
    m_done_bytes += have - state.have;
    state.have = have;
    redraw(false);
  }
  void on_retry(const fetch::DownloadItem& item, int attempt, const std::string& reason,
                std::chrono::milliseconds delay) override
  {
    clear();
    std::cerr << "retrying " << field_text(item.name) << " in " << delay.count() << " ms (attempt " << attempt
              << ": " << field_text(reason) << ")\n";
    m_active.erase(item.name);
    m_lines = 0;
    redraw(true);
  }
  void on_done(const fetch::DownloadOutcome& outcome) override
  {
    clear();
    if (outcome.from_cache) {
      m_done_bytes += outcome.item.size;
    }
    std::cerr << (outcome.from_cache ? "cached    " : "verified  ") << field_text(outcome.item.name) << '\n';
    m_active.erase(outcome.item.name);
    m_lines = 0;
    redraw(true);
  }

private:
  struct Active {
    std::uint64_t size = 0;
    std::uint64_t start = 0;
    std::uint64_t have = 0;
    Clock::time_point started;
  };

  // The one place envsetup writes escape sequences: its own, unfiltered (raw_stderr).
  void clear()
  {
    std::cerr.flush();
    for (int i = 0; i < m_lines; ++i) {
      raw_stderr() << "\x1b[1A\x1b[2K";
    }
    raw_stderr().flush();
    m_lines = 0;
  }

  void redraw(bool force)
  {
    if (!force && seconds_since(m_last_draw) < 0.1) {
      return;
    }
    m_last_draw = Clock::now();
    clear();
    for (const auto& [name, state] : m_active) {
      const double rate = static_cast<double>(state.have - state.start) / std::max(seconds_since(state.started), 0.001);
      const int percent = state.size > 0 ? static_cast<int>(100.0 * static_cast<double>(state.have) / static_cast<double>(state.size)) : 100;
      char line[256];
      std::snprintf(line, sizeof line, "  %-56.56s %3d%% %10s %12s", field_text(name).c_str(), percent,
                    human_bytes(state.have).c_str(), rate_text(rate).c_str());
      std::cerr << line << '\n';
      ++m_lines;
    }
    const double elapsed = std::max(seconds_since(m_started), 0.001);
    const double rate = static_cast<double>(m_done_bytes) / elapsed;
    const double eta = rate > 0 && m_total > m_done_bytes ? static_cast<double>(m_total - m_done_bytes) / rate : 0;
    std::cerr << "  total " << human_bytes(m_done_bytes) << " of " << human_bytes(m_total) << ", "
              << rate_text(rate) << ", ETA " << static_cast<int>(eta) << " s\n";
    ++m_lines;
  }

  std::uint64_t m_total;
  std::uint64_t m_done_bytes = 0;
  std::map<std::string, Active> m_active;
  int m_lines = 0;
  Clock::time_point m_started = Clock::now();
  Clock::time_point m_last_draw{};
};

class QuietProgress : public fetch::DownloadObserver {
public:
  void on_start(const fetch::DownloadItem&, std::uint64_t) override {}
  void on_progress(const fetch::DownloadItem&, std::uint64_t) override {}
  void on_retry(const fetch::DownloadItem&, int, const std::string&, std::chrono::milliseconds) override {}
  void on_done(const fetch::DownloadOutcome&) override {}
};

}  // namespace

ProgressStyle default_progress_style()
{
  const char* term = std::getenv("TERM");
  const bool smart = ::isatty(STDERR_FILENO) != 0 && term != nullptr && std::string(term) != "dumb";
  return smart ? ProgressStyle::terminal : ProgressStyle::lines;
}

std::unique_ptr<fetch::DownloadObserver> make_progress(ProgressStyle style, std::uint64_t total_bytes)
{
  switch (style) {
    case ProgressStyle::terminal: return std::make_unique<TerminalProgress>(total_bytes);
    case ProgressStyle::json: return std::make_unique<JsonProgress>();
    case ProgressStyle::quiet: return std::make_unique<QuietProgress>();
    case ProgressStyle::lines: break;
  }
  return std::make_unique<LineProgress>();
}

std::string human_bytes(std::uint64_t bytes)
{
  static const char* const k_units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024.0 && unit + 1 < std::size(k_units)) {
    value /= 1024.0;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", value, k_units[unit]);
  return text;
}

StatusLine::~StatusLine()
{
  clear();
}

void StatusLine::show(std::string_view text)
{
  const auto now = std::chrono::steady_clock::now();
  if (m_shown && now - m_last < std::chrono::milliseconds(100)) {
    return;
  }
  m_last = now;
  winsize size{};
  const std::size_t width = ::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 8 ? size.ws_col - 1 : 79;
  std::string line = field_text(util::trim(text));
  if (line.size() > width) {
    line = line.substr(0, width - 3) + "...";
  }
  std::cerr.flush();
  raw_stderr() << "\r\x1b[2K" << line;  // escape sequences of envsetup's own; `line` is escaped
  raw_stderr().flush();
  m_shown = true;
}

void StatusLine::clear()
{
  if (m_shown) {
    raw_stderr() << "\r\x1b[2K";
    raw_stderr().flush();
    m_shown = false;
  }
}

}  // namespace envsetup::cli
