// SPDX-License-Identifier: Apache-2.0
// --idle-timeout / ENVSETUP_IDLE_TIMEOUT of `install --framework` (docs/environments.md).
#include <envsetup/cli/install_framework.hpp>
#include <envsetup/cli/output.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>

namespace envsetup::cli {

std::optional<std::chrono::seconds> parse_idle_timeout(std::string_view text)
{
  std::int64_t scale = 60;
  if (!text.empty() && (text.back() == 's' || text.back() == 'm' || text.back() == 'h')) {
    scale = text.back() == 's' ? 1 : text.back() == 'm' ? 60 : 3600;
    text.remove_suffix(1);
  }
  if (text.empty() || text.size() > 9 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  const std::int64_t seconds = std::stoll(std::string(text)) * scale;
  if (seconds < 1 || seconds > 7 * 24 * 3600) {
    return std::nullopt;
  }
  return std::chrono::seconds(seconds);
}

util::Result<std::optional<std::chrono::seconds>> idle_timeout(const std::string& flag)
{
  const char* variable = std::getenv("ENVSETUP_IDLE_TIMEOUT");
  const bool from_flag = !flag.empty();
  if (!from_flag && (variable == nullptr || *variable == '\0')) {
    return std::optional<std::chrono::seconds>();
  }
  const std::string text = from_flag ? flag : std::string(variable);
  const auto parsed = parse_idle_timeout(text);
  if (!parsed) {
    return util::make_error(util::ErrorKind::usage,
                            std::string(from_flag ? "--idle-timeout" : "ENVSETUP_IDLE_TIMEOUT") + " `" +
                              field_text(text) + "` is not a duration")
      .with_hint("a whole number with s, m or h, from 1s to 7 days: 90s, 45m, 2h (no unit: minutes)");
  }
  return std::optional<std::chrono::seconds>(*parsed);
}

}  // namespace envsetup::cli
