// SPDX-License-Identifier: Apache-2.0
#include <envsetup/cli/colour.hpp>

#include <envsetup/util/strings.hpp>
#include <envsetup/util/suggest.hpp>

#include <unistd.h>
#include <cstddef>
#include <cstdlib>
#include <optional>
#include <string_view>

namespace envsetup::cli {

namespace {

ColourMode g_mode = ColourMode::automatic;
bool g_json = false;

}  // namespace

const std::vector<std::string>& colour_mode_names()
{
  static const std::vector<std::string> names = {"auto", "always", "never"};
  return names;
}

util::Result<ColourMode> parse_colour_mode(std::string_view text)
{
  if (text == "auto") {
    return ColourMode::automatic;
  }
  if (text == "always") {
    return ColourMode::always;
  }
  if (text == "never") {
    return ColourMode::never;
  }
  auto error = util::make_error(util::ErrorKind::usage, "--color `" + util::escape_control_characters(text) +
                                                          "` is not one of auto, always, never");
  if (const auto match = util::closest_match(text, colour_mode_names())) {
    return std::move(error).with_hint("did you mean `--color " + *match + "`?");
  }
  return std::move(error).with_hint("give --color auto, --color always or --color never");
}

void set_colour(ColourMode mode, bool json)
{
  g_mode = mode;
  g_json = json;
}

bool colour_enabled(int fd)
{
  if (g_json || g_mode == ColourMode::never) {
    return false;
  }
  if (g_mode == ColourMode::always) {
    return true;
  }
  if (std::getenv("NO_COLOR") != nullptr) {
    return false;
  }
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::string_view(term) == "dumb") {
    return false;
  }
  return isatty(fd) == 1;
}

util::Result<ColourMode> take_colour_flag(std::vector<char*>& args)
{
  ColourMode mode = ColourMode::automatic;
  for (std::size_t i = 1; i < args.size();) {
    const std::string_view arg = args[i];
    if (arg == "--") {
      break;
    }
    std::optional<std::string_view> value;
    std::size_t taken = 1;
    if (arg == "--color") {
      if (i + 1 >= args.size()) {
        return util::make_error(util::ErrorKind::usage, "--color needs a value")
          .with_hint("give --color auto, --color always or --color never");
      }
      value = args[i + 1];
      taken = 2;
    } else if (arg.starts_with("--color=")) {
      value = arg.substr(std::string_view("--color=").size());
    }
    if (!value) {
      ++i;
      continue;
    }
    auto parsed = parse_colour_mode(*value);
    if (!parsed) {
      return parsed.error();
    }
    mode = *parsed;
    args.erase(args.begin() + static_cast<std::ptrdiff_t>(i), args.begin() + static_cast<std::ptrdiff_t>(i + taken));
  }
  return mode;
}

Palette stderr_palette()
{
  if (!colour_enabled(STDERR_FILENO)) {
    return {};
  }
  return {"\x1b[1;31m", "\x1b[36m", "\x1b[0m"};
}

}  // namespace envsetup::cli
