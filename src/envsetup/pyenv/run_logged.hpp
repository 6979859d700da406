// SPDX-License-Identifier: Apache-2.0
// Runs an installer command with its command line and output appended to a log file.
#pragma once

#include <envsetup/util/error.hpp>
#include <envsetup/util/process.hpp>

#include <chrono>
#include <filesystem>
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

}  // namespace envsetup::pyenv
