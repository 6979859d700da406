// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/util/error.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace envsetup::util {

struct ProcessOutput {
  int exit_code = -1;
  std::string out;
  std::string err;
  // run_process_streaming only: the program printed nothing for the idle timeout and was
  // killed; exit_code is then -1.
  bool idle_killed = false;
};

// Runs `program` with `args` (no shell; arguments are passed as they are), with stdin
// closed, capturing stdout and stderr, and waits at most `timeout`. Errors: environment
// when the program cannot be started, environment when it runs past `timeout` (it is then
// killed). A non-zero exit status is not an error: look at `exit_code`.
[[nodiscard]] Result<ProcessOutput> run_process(const std::filesystem::path& program,
                                                const std::vector<std::string>& args,
                                                std::chrono::milliseconds timeout);

struct StreamOptions {
  // The longest the program may print nothing (no byte on stdout or stderr) before it is
  // killed. It stays in envsetup's process group, so Ctrl-C on a terminal reaches it too.
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(30)};
  // Called on this thread with each piece of output as it arrives (stdout and stderr merged,
  // in the order the program wrote them; pieces are not split at line ends). May be empty.
  std::function<void(std::string_view)> on_output;
};

// Runs `program` with `args` like run_process, but with no limit on the total time: only
// silence longer than `options.idle_timeout` stops it (ProcessOutput::idle_killed). stdout
// and stderr go through one pipe and are returned merged in `out` (its last 1 MiB when the
// program printed more; `err` stays empty). Errors: environment when the program cannot be
// started. A non-zero exit status or an idle kill is not an error: look at the output.
[[nodiscard]] Result<ProcessOutput> run_process_streaming(const std::filesystem::path& program,
                                                          const std::vector<std::string>& args,
                                                          const StreamOptions& options);

}  // namespace envsetup::util
