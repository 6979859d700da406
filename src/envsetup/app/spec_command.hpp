// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/app/resolve_command.hpp>
#include <envsetup/util/error.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace envsetup::app {

// `envsetup spec` as the user typed it.
struct SpecOptions {
  ResolveOptions resolve;
  std::string format;                             // "pip", "conda", ... (specgen::spec_formats)
  std::vector<std::string> with;                  // companions: "torchvision", "torchaudio"
  std::optional<std::string> wheel_mirror;        // replaces https://download.pytorch.org/whl/
  std::optional<std::filesystem::path> output;    // written atomically; nullopt: text only
  std::string envsetup_version;                   // for the header comment
};

struct SpecOutcome {
  ResolveOutcome resolve;  // without a plan: a refusal, and `text` is empty
  std::string text;        // the rendered spec
  std::optional<std::filesystem::path> written;  // where it was written, if it was
};

// Checks the format, resolves as `envsetup resolve` does, renders the format's template and
// writes it to `output` when given. Errors: usage (unknown format, bad flag values, a `with`
// that is not a companion, a plan without a framework), those of run_resolve, io (writing).
[[nodiscard]] util::Result<SpecOutcome> run_spec(const SpecOptions& options);

// The names of the spec formats, for --help and errors.
[[nodiscard]] std::vector<std::string> spec_format_names();

}  // namespace envsetup::app
