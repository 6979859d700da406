// SPDX-License-Identifier: Apache-2.0
// Colour on the terminal: `--color auto|always|never` (default auto) and NO_COLOR.
#pragma once

#include <envsetup/util/error.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace envsetup::cli {

enum class ColourMode { automatic, always, never };

// The values --color takes, in help order: auto, always, never.
[[nodiscard]] const std::vector<std::string>& colour_mode_names();

// `auto`, `always` or `never`; anything else is a usage error naming the closest value.
[[nodiscard]] util::Result<ColourMode> parse_colour_mode(std::string_view text);

// Takes `--color WHEN` / `--color=WHEN` out of `args` (argv, the program name first) wherever
// it stands before `--`: the flag is global, and CLI11 only takes a parent's flags before the
// subcommand. The last one wins; none: automatic. A bad or missing value is a usage error.
[[nodiscard]] util::Result<ColourMode> take_colour_flag(std::vector<char*>& args);

// Sets the process-wide choice; `json`: the command line asked for JSON (--json/--events),
// which turns colour off whatever the mode, so machine-read output never holds escapes.
void set_colour(ColourMode mode, bool json);

// Whether text written to file descriptor `fd` (2: stderr) is coloured: never with --json or
// `--color never`; always with `--color always`; with auto only when NO_COLOR is not set (any
// value, the empty one too), TERM is not `dumb` and `fd` is a terminal (so never into a pipe).
[[nodiscard]] bool colour_enabled(int fd);

// SGR sequences for the stderr labels; empty strings when colour is off for stderr.
struct Palette {
  std::string error;  // bold red: `envsetup: error:`
  std::string hint;   // cyan: `hint:`
  std::string reset;
};
[[nodiscard]] Palette stderr_palette();

}  // namespace envsetup::cli
