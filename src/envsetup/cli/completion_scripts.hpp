// SPDX-License-Identifier: Apache-2.0
// Shell completion scripts generated from the CLI model (cli_model.hpp). Framework names and
// installed prefixes are not baked in: the scripts ask `envsetup __complete frameworks|prefixes`
// at completion time, so they follow the matrix and the store in effect then.
#pragma once

#include <envsetup/cli/cli_model.hpp>

#include <string>
#include <string_view>

namespace envsetup::cli {

// The shells `envsetup completions` writes for.
inline constexpr std::string_view k_completion_shells[] = {"bash", "zsh", "fish"};

// A script for bash (`complete -F _envsetup envsetup`; bash 4+, no bash-completion needed).
[[nodiscard]] std::string bash_completion(const CommandModel& root);
// A `#compdef envsetup` function file for zsh (install as `_envsetup` on $fpath).
[[nodiscard]] std::string zsh_completion(const CommandModel& root);
// `complete -c envsetup ...` lines for fish (install as `envsetup.fish`).
[[nodiscard]] std::string fish_completion(const CommandModel& root);

// Shell functions both bash and zsh read (completion_bash.cpp): `_envsetup_subcommands PATH`,
// `_envsetup_flags PATH`, `_envsetup_value_kind PATH OPTION` (empty for a flag),
// `_envsetup_positional_kind PATH N` (the N-th positional from 0; nothing past the last one
// unless it repeats). PATH is the subcommand names joined by spaces.
[[nodiscard]] std::string shell_data_functions(const CommandModel& root);

// `word` in single quotes for sh (a ' becomes '\'').
[[nodiscard]] std::string sh_quote(std::string_view word);

// The kind as the scripts name it: "choice", "framework", "prefix", "path", "text", "".
[[nodiscard]] std::string kind_name(ValueKind kind);

}  // namespace envsetup::cli
