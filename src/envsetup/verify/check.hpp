// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace envsetup::verify {

enum class CheckStatus { pass, fail, skip };

// One named measurement of a check, e.g. {"gflops", 51234.5}.
struct Metric {
  std::string name;
  double value = 0.0;
};

// The answer of one verification check. `detail` is one line of evidence; `hint` says what to
// do and is set when the check failed (and may be set when it was skipped).
struct Check {
  std::string name;  // "driver", "gpu-matmul[0]", "toolkit", "framework:torch", ...
  CheckStatus status = CheckStatus::skip;
  std::string detail;
  std::optional<std::string> hint;
  std::vector<Metric> metrics;
};

[[nodiscard]] inline const char* status_name(CheckStatus status)
{
  switch (status) {
    case CheckStatus::pass:
      return "pass";
    case CheckStatus::fail:
      return "fail";
    case CheckStatus::skip:
      return "skip";
  }
  return "skip";
}

// True when no check failed (skips do not count).
[[nodiscard]] inline bool all_passed(const std::vector<Check>& checks)
{
  for (const auto& check : checks) {
    if (check.status == CheckStatus::fail) {
      return false;
    }
  }
  return true;
}

}  // namespace envsetup::verify
