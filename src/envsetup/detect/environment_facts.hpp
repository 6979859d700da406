// SPDX-License-Identifier: Apache-2.0
// Host facts `envsetup doctor` needs beyond the HostReport: what the dynamic linker and the
// shell will really pick (LD_LIBRARY_PATH, ld.so.conf, PATH's nvcc, CUDA_HOME), whether the
// nouveau driver is loaded, and whether venvs still have their interpreter.
#pragma once

#include <envsetup/core/version.hpp>
#include <envsetup/detect/host_os.hpp>
#include <envsetup/detect/probe.hpp>

#include <optional>
#include <string>
#include <vector>

namespace envsetup::detect {

// One copy of a CUDA library the dynamic linker can reach, named by a versioned file
// (libcudnn.so.9.1.0, libcudart.so.12).
struct LibraryCopy {
  std::string library;  // "libcudart.so", "libcublas.so", "libcudnn.so"
  core::Version version;
  std::string path;  // host path of the file
  std::string via;   // "LD_LIBRARY_PATH", "ld.so.conf", "system", "toolkit"
};

struct VenvFacts {
  std::string path;             // the venv folder
  bool has_config = false;      // pyvenv.cfg exists
  std::string home;             // pyvenv.cfg `home` (the base interpreter's folder)
  std::string python;           // <venv>/bin/python
  bool python_runs = false;     // bin/python resolves to an executable file
};

struct EnvironmentFacts {
  bool nouveau_loaded = false;                // "nouveau" in /proc/modules
  std::vector<std::string> ld_library_path;   // LD_LIBRARY_PATH folders, in order
  std::vector<std::string> ld_so_conf_dirs;   // folders of /etc/ld.so.conf and its includes
  std::vector<LibraryCopy> libraries;         // every reachable copy, search order per folder
  std::optional<std::string> nvcc_on_path;    // first `nvcc` of PATH, links resolved
  std::optional<std::string> cuda_home;       // CUDA_HOME (else CUDA_PATH), links resolved
  std::vector<VenvFacts> venvs;
  HostOs os;  // /etc/os-release and container signs (host_os.hpp)
};

// Reads the facts through `probe` (sysroot-aware). `venvs`: venv folders to inspect (the
// `--venv` flag); VIRTUAL_ENV is added when set. `toolkit_dirs`: detected toolkit prefixes,
// whose lib64/ and lib/ copies are listed with via "toolkit". Never fails.
[[nodiscard]] EnvironmentFacts read_environment_facts(const SystemProbe& probe,
                                                      const std::vector<std::string>& venvs,
                                                      const std::vector<std::string>& toolkit_dirs);

// The folders named by ld.so.conf text; `include` lines are returned in `includes` (globs as
// written). Pure.
[[nodiscard]] std::vector<std::string> parse_ld_so_conf(std::string_view text,
                                                        std::vector<std::string>& includes);

}  // namespace envsetup::detect
