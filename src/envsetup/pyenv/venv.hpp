// SPDX-License-Identifier: Apache-2.0
// Python virtual environments: what a folder holds (pyvenv.cfg), and creating one with a
// host interpreter (`<python> -m venv DIR`).
#pragma once

#include <envsetup/core/version.hpp>
#include <envsetup/util/error.hpp>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace envsetup::pyenv {

// The Python X.Y a `pyvenv.cfg` names (its `version` or `version_info` key, "3.11.7" ->
// 3.11); nullopt when neither key holds a version. Pure.
[[nodiscard]] std::optional<core::Version> parse_pyvenv_cfg(std::string_view text);

// What a venv target folder is now.
struct VenvState {
  enum class Kind {
    absent,     // nothing there (or an empty folder): a venv can be created
    venv,       // a venv: pyvenv.cfg and bin/python
    other,      // something else: never touched
  };
  Kind kind = Kind::absent;
  std::optional<core::Version> python;  // for a venv: X.Y from pyvenv.cfg
};

// Looks at `dir` without changing it. Errors (io): it cannot be read.
[[nodiscard]] util::Result<VenvState> inspect_venv(const std::filesystem::path& dir);

// DIR/bin/python, the interpreter every later step runs.
[[nodiscard]] std::filesystem::path venv_python(const std::filesystem::path& dir);

// DIR/lib/pythonX.Y/site-packages.
[[nodiscard]] std::filesystem::path site_packages(const std::filesystem::path& dir,
                                                  const core::Version& python);

// DIR/.envsetup/install.log: every command envsetup runs for the venv, with its output.
[[nodiscard]] std::filesystem::path install_log_path(const std::filesystem::path& dir);

// The command that creates the venv: {python, "-m", "venv", DIR}. Pure.
[[nodiscard]] std::vector<std::string> venv_command(const std::filesystem::path& python,
                                                    const std::filesystem::path& dir);

// Runs venv_command and checks that DIR/bin/python exists afterwards. On failure, removes
// what it created (DIR must have been absent or empty) and returns an error (environment)
// holding the interpreter's last output lines. The command line and its output are then
// appended to install_log_path(DIR).
[[nodiscard]] util::Status create_venv(const std::filesystem::path& python,
                                       const std::filesystem::path& dir,
                                       std::chrono::milliseconds timeout);

// Deletes a venv so that create_venv can recreate it. Refuses (usage) anything that
// inspect_venv does not call a venv. Errors: io.
[[nodiscard]] util::Status remove_venv(const std::filesystem::path& dir);

}  // namespace envsetup::pyenv
