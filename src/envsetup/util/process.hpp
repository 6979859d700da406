// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/util/error.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace envsetup::util {

struct ProcessOutput {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `program` with `args` (no shell; arguments are passed as they are), with stdin
// closed, capturing stdout and stderr, and waits at most `timeout`. Errors: environment
// when the program cannot be started, environment when it runs past `timeout` (it is then
// killed). A non-zero exit status is not an error: look at `exit_code`.
[[nodiscard]] Result<ProcessOutput> run_process(const std::filesystem::path& program,
                                                const std::vector<std::string>& args,
                                                std::chrono::milliseconds timeout);

}  // namespace envsetup::util
