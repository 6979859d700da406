// SPDX-License-Identifier: Apache-2.0
// A malformed command line, reported in envsetup's own format: what was wrong, and the
// closest thing that would have been right ("did you mean").
#pragma once

#include <envsetup/util/error.hpp>

#include <string>
#include <vector>

namespace CLI {
class App;
class ParseError;
}  // namespace CLI

namespace envsetup::cli {

// The usage error (kind usage, exit 2) for CLI11's `error` after `app` failed to parse:
// - an unknown command names the closest command (`instal` -> `install`);
// - an unknown flag names the closest flag of that command (`--framwork` -> `--framework`);
// - a value outside a fixed set names the closest value (`--format pipp` -> `pip`);
// - a stray word on a command that takes --framework says how to pass it
//   (`install torch` -> `install --framework torch`);
// every other error keeps CLI11's message. Each ends with the command's --help as a hint.
[[nodiscard]] util::Error describe_parse_error(const CLI::App& app, const CLI::ParseError& error);

}  // namespace envsetup::cli
