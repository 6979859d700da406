// SPDX-License-Identifier: Apache-2.0
// Which Python a plan is made for: `--python` (X.Y, X.Y.Z or an interpreter path) or, without
// it, the host's default interpreter in the order users expect, replaced by another of the
// host's interpreters only when that one gives a strictly better plan.
#pragma once

#include <envsetup/core/host.hpp>
#include <envsetup/core/plan.hpp>
#include <envsetup/core/request.hpp>
#include <envsetup/core/version.hpp>
#include <envsetup/detect/probe.hpp>
#include <envsetup/matrix/model.hpp>
#include <envsetup/util/error.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace envsetup::app {

struct PythonCandidate {
  core::Version version;  // X.Y
  std::string path;       // the interpreter; "" for a version named without one
  std::string origin;     // "VIRTUAL_ENV", "CONDA_PREFIX", ".python-version", "python3 on PATH", "pyenv", "uv", ...
  std::string detail;     // where: the interpreter or the .python-version file; "3.11.7" for --python 3.11.7
  // An active environment (VIRTUAL_ENV, CONDA_PREFIX): kept unless it gives no plan.
  bool active_env = false;
  // "Python 3.11 (VIRTUAL_ENV /home/u/venv/bin/python)"
  [[nodiscard]] std::string text() const;
};

// The default (the first of: VIRTUAL_ENV's interpreter, CONDA_PREFIX's, the version named by
// `.python-version` in `cwd` or the nearest parent folder that has one, `python3` on PATH) and
// every other interpreter detect::detect_pythons finds (pyenv, uv, conda installs,
// python3.X on PATH), newest first, one per version. A `.python-version` line naming a pyenv
// version (`3.11.7`, `miniconda3-latest`, a virtualenv name) takes that pyenv version's
// interpreter; `system` means python3 on PATH. Reads only through `probe` (and `cwd`).
struct HostPythons {
  std::optional<PythonCandidate> preferred;
  std::vector<PythonCandidate> others;
};
[[nodiscard]] HostPythons host_pythons(const detect::SystemProbe& probe, const std::filesystem::path& cwd);

// `--python` as typed: `3.11`, `3.11.7` (the plan is for 3.11) or an interpreter path (a text
// with a `/`, `~/` expanded), which is run (`-I -c`, no shell, 10 s timeout) to learn its
// version. Errors (usage): an unparsable version; a path that does not exist, is not an
// executable file, cannot be run, or does not answer as a Python interpreter.
[[nodiscard]] util::Result<PythonCandidate> python_from_flag(const std::string& text);

struct PythonPick {
  std::optional<PythonCandidate> python;  // nullopt: resolved without a Python (the plan's newest)
  core::Resolution resolution;
  // Set when an interpreter other than the default was chosen: why, in one sentence.
  std::optional<std::string> why;
};

// Resolves `request` (its Python unset) for the host's Pythons. The default is kept when it
// gives a plan, unless another interpreter gives a strictly better one: a newer framework
// version (not for an active VIRTUAL_ENV / conda env, which is replaced only when it gives no
// plan at all). Without a default: the interpreter that gives the newest framework version,
// then the newest Python. When none gives a plan: the default's refusal, else a resolution
// without a Python. Errors: those of resolve::resolve.
[[nodiscard]] util::Result<PythonPick> choose_python(const matrix::Matrix& matrix, const core::HostFacts& host,
                                                     core::Request request, const HostPythons& pythons);

}  // namespace envsetup::app
