// SPDX-License-Identifier: Apache-2.0
// The package installer command lines (pip, uv) and what their failures mean. Pure.
#pragma once

#include <envsetup/util/error.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace envsetup::pyenv {

enum class Installer { pip, uv };

[[nodiscard]] std::string_view installer_name(Installer installer);

// `--installer` as typed: "pip", "uv" or "auto" (uv when `uv_on_path` is set, else pip).
// Errors (usage): another word, or "uv" when uv is not on PATH.
[[nodiscard]] util::Result<Installer> choose_installer(std::string_view choice,
                                                       const std::optional<std::filesystem::path>& uv_on_path);

struct InstallRequest {
  std::filesystem::path venv;                  // the venv to install into
  std::optional<std::string> extra_index_url;  // the framework's own index
  std::vector<std::string> requirements;       // "torch==2.5.1+cu124"
};

// The command line (argv[0] is the program) that installs `request`:
//   pip: <venv>/bin/python -m pip install --disable-pip-version-check [--extra-index-url U] REQS...
//   uv:  <uv> pip install --python <venv>/bin/python [--extra-index-url U] REQS...
// Neither names a default index: pip reads PIP_INDEX_URL / pip.conf, uv reads UV_INDEX_URL /
// uv.toml, and envsetup never overrides them.
[[nodiscard]] std::vector<std::string> install_command(Installer installer, const InstallRequest& request,
                                                       const std::filesystem::path& uv_program = "uv");

// One wheel of a lock, as a local file the installer reads.
struct LocalWheel {
  std::string name;     // the distribution, "torch"
  std::string version;  // "2.5.1+cu124"
  std::string sha256;   // lower-case hex
};

// The requirements file that installs exactly `wheels`: one line per distribution,
// `<name>==<version> --hash=sha256:<hex>` (every hash of its files on that line); pip refuses a
// file whose bytes match none. Pins by name, not by path, so that the venv records a plain
// `name==version` (no `@ file://` direct URL). Pure.
[[nodiscard]] std::string hashed_requirements(const std::vector<LocalWheel>& wheels);

// The command line that installs the hashed requirements file `requirements` into `venv` from
// the wheel files in `wheel_dir` only:
//   <venv>/bin/python -m pip install --disable-pip-version-check --no-index --find-links <wheel_dir>
//     --no-deps --require-hashes --no-input -r <requirements>
// pip then never resolves or reaches an index: what is not in the file cannot appear.
[[nodiscard]] std::vector<std::string> locked_install_command(const std::filesystem::path& venv,
                                                              const std::filesystem::path& wheel_dir,
                                                              const std::filesystem::path& requirements);

// True when the installer's output says an index could not be reached (connection refused,
// name resolution, timeouts, TLS); the install then failed for a network reason.
[[nodiscard]] bool output_shows_network_failure(std::string_view output);

}  // namespace envsetup::pyenv
