// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/util/error.hpp>

#include <filesystem>
#include <optional>
#include <string>

namespace envsetup::app {

// `envsetup spec --format pip|docker|apptainer --lock FILE`.
struct LockSpecOptions {
  std::filesystem::path lock_file;
  std::string format;
  std::optional<std::filesystem::path> output;  // written atomically; nullopt: text only
  std::string envsetup_version;
};

struct LockSpecOutcome {
  std::string text;
  std::string description;  // "PyTorch 2.5.1 (cu124), 12 wheel(s)"
  std::optional<std::filesystem::path> written;
};

// Reads the lock, renders the format's locked template (specgen::render_locked_spec) and
// writes it to `output` when given. Errors: usage (a format a lock cannot be written as),
// io, input (the lock; a lock without wheels).
[[nodiscard]] util::Result<LockSpecOutcome> run_lock_spec(const LockSpecOptions& options);

}  // namespace envsetup::app
