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

// The hint for a failed `python -m venv DIR` from its output: a read-only file system, a
// folder the user may not write, a full disk, or a Python without its venv module (Debian's
// python3.X-venv). Pure.
[[nodiscard]] std::string venv_failure_hint(std::string_view output, const std::filesystem::path& python,
                                            const std::filesystem::path& dir);

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
// the venv parts it created (as remove_venv would, never following a link; DIR itself only
// when it created DIR and DIR is empty again) and returns an error (environment) holding the
// interpreter's last output lines. The command line and its output are then appended to
// install_log_path(DIR).
[[nodiscard]] util::Status create_venv(const std::filesystem::path& python,
                                       const std::filesystem::path& dir,
                                       std::chrono::milliseconds timeout);

// What remove_venv would delete: the names of DIR's entries, every one a venv's own part
// (bin, include, lib, lib64, lib32, share, etc, pyvenv.cfg, .envsetup, and the .gitignore,
// CACHEDIR.TAG, .lock that venv and uv write). Errors (usage): DIR is not a venv, is a symbolic
// link, or holds anything else (a project folder where `python -m venv .` was run); the error
// lists a few of the foreign entries. Errors (io): DIR cannot be read. Changes nothing.
[[nodiscard]] util::Result<std::vector<std::string>> venv_parts(const std::filesystem::path& dir);

// Deletes the parts of a venv (venv_parts), then the folder if it is empty, so that
// create_venv can recreate it. Refuses what venv_parts refuses. Works relative to the folder's file
// descriptor and never follows a symbolic link: a link (lib64 -> lib, or one pointing outside)
// is unlinked, never entered; a folder on another file system (a mount point) is refused.
// Errors: usage (as venv_parts), io.
[[nodiscard]] util::Status remove_venv(const std::filesystem::path& dir);

// remove_venv on the venv folder already open as `dir_fd` (`shown` names it in messages):
// checks its entries on that descriptor (as venv_parts: only a venv's own parts) and deletes
// them through it, never following a link. The folder itself stays (the caller removes it
// from its parent's descriptor). Errors: usage (foreign entries, no pyvenv.cfg), io.
[[nodiscard]] util::Status remove_venv_at(int dir_fd, const std::filesystem::path& shown);

}  // namespace envsetup::pyenv
