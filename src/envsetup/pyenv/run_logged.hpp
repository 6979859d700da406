// SPDX-License-Identifier: Apache-2.0
// Runs an installer command with its command line and output appended to a log file.
#pragma once

#include <envsetup/util/error.hpp>
#include <envsetup/util/process.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace envsetup::pyenv {

// The last `count` non-empty lines of `text`. Pure.
[[nodiscard]] std::vector<std::string> last_lines(std::string_view text, std::size_t count);

// "$ " and the words of `argv`, shell-quoted for display. Pure.
[[nodiscard]] std::string command_line(const std::vector<std::string>& argv);

// Appends `text` to `log`, creating it and its folder. Errors: io.
[[nodiscard]] util::Status append_log(const std::filesystem::path& log, std::string_view text);

// Appends "$ <argv shell-quoted>", the output and the exit status to `log` (created with
// its folder), running `argv` (argv[0] is the program; no shell) through util::run_process.
// Returns the output; a non-zero exit status is not an error here. Errors: environment
// (the program cannot start or times out), io (the log cannot be written).
[[nodiscard]] util::Result<util::ProcessOutput> run_logged(const std::vector<std::string>& argv,
                                                           const std::filesystem::path& log,
                                                           std::chrono::milliseconds timeout);

// Splits output pieces into lines (ended by '\n' or '\r': pip redraws progress with '\r')
// and hands each non-empty one, without its end, to `on_line`. Pure; feed() then finish().
class LineSplitter {
public:
  explicit LineSplitter(std::function<void(std::string_view)> on_line) : m_on_line(std::move(on_line)) {}
  void feed(std::string_view piece);
  void finish();  // the last line when the output did not end with a line end

private:
  std::function<void(std::string_view)> m_on_line;
  std::string m_partial;
};

// How an installer is run with its output streamed.
struct StreamedRun {
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(30)};
  std::function<void(std::string_view)> on_line;  // each output line as it comes; may be empty
};

// Like run_logged, but the output is appended to `log` as it arrives (flushed after each
// piece, so `tail -f` follows it), each line is handed to `run.on_line`, and there is no
// total time limit: an installer silent for `run.idle_timeout` is killed, the log then says
// so and the result has idle_killed set. Errors: environment (the program cannot start),
// io (the log cannot be written).
[[nodiscard]] util::Result<util::ProcessOutput> run_logged_streaming(const std::vector<std::string>& argv,
                                                                     const std::filesystem::path& log,
                                                                     const StreamedRun& run);

}  // namespace envsetup::pyenv
