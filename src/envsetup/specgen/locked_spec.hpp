// SPDX-License-Identifier: Apache-2.0
// Spec files from a lockfile (`envsetup spec --format pip|docker|apptainer --lock FILE`): the
// locked wheel set, every file pinned by its sha256, installed with
// `pip install --require-hashes --no-deps --only-binary :all:` so pip neither resolves nor
// picks another file. Pure: `app` turns the lockfile into a LockedSpecInput.
#pragma once

#include <envsetup/core/platform.hpp>
#include <envsetup/core/version.hpp>
#include <envsetup/util/error.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace envsetup::specgen {

struct LockedSpecWheel {
  std::string name;      // as locked: "torch"
  std::string version;   // "2.5.1+cu124"
  std::string filename;  // "torch-2.5.1+cu124-cp312-cp312-linux_x86_64.whl"
  std::string sha256;    // 64 lower-case hex digits
};

struct LockedSpecIndex {
  std::string key;  // "pypi", "pytorch-cu124"
  std::string url;  // the index root pip reads
};

// What a spec from a lock is rendered from.
struct LockedSpecInput {
  std::string lock_name;          // the lockfile as given, for the header
  std::string lock_sha256;        // of its bytes, for the header
  std::string envsetup_version;   // "0.1.0"
  std::string display_name;       // "PyTorch"
  std::string framework;          // "torch"
  std::string version;            // "2.5.1"
  std::string variant;            // "cu124"
  std::optional<core::Version> cuda;
  std::optional<core::Version> cudnn;
  core::Version python;           // X.Y
  core::Platform platform = core::Platform::linux_x86_64;
  bool system_toolkit = false;    // the lock has NVIDIA archives (a toolkit prefix)
  std::vector<LockedSpecIndex> indexes;
  std::vector<LockedSpecWheel> wheels;
};

// The formats a lock can be written as: "pip", "docker", "apptainer".
[[nodiscard]] const std::vector<std::string_view>& locked_spec_formats();

// The template (below templates/) of `format`: "spec/pip.locked.txt", ... Errors (usage):
// a format a lock cannot be written as, with the ones it can.
[[nodiscard]] util::Result<std::string> locked_spec_template(std::string_view format);

// The requirement lines: `--index-url`/`--extra-index-url` for the lock's indexes (the one
// keyed "pypi", else the first, is --index-url), `--only-binary :all:`, then one
// `name==version --hash=sha256:...` entry per distribution (every locked file of it as a
// --hash), sorted by name. Errors (input): no wheels, a distribution locked at two versions.
[[nodiscard]] util::Result<std::vector<std::string>> locked_requirement_lines(const LockedSpecInput& input);

// `template_text` (the text of locked_spec_template(format)) rendered for `input`.
// Errors: those above, and a template that does not fit its variables (internal).
[[nodiscard]] util::Result<std::string> render_locked_spec(std::string_view format, const LockedSpecInput& input,
                                                           std::string_view template_text);

}  // namespace envsetup::specgen
