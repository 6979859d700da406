// SPDX-License-Identifier: Apache-2.0
#pragma once
// `envsetup envs list|remove`: the venvs envsetup made (pyenv::VenvRegistry, STORE/venvs.json),
// how each is now, and removing one. install --framework / --locked record theirs here.

#include <envsetup/lock/lockfile.hpp>
#include <envsetup/pyenv/venv_registry.hpp>
#include <envsetup/util/error.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace envsetup::app {

// One registered venv and whether it is still healthy. Checked quickly, without running
// Python or importing the framework: the folder is a real folder carrying envsetup's mark,
// pyvenv.cfg and bin/python are there, and the recorded framework version is the one
// installed (its dist-info METADATA).
struct EnvStatus {
  pyenv::VenvRecord record;
  enum class Health { ok, missing, broken, changed };
  Health health = Health::ok;
  std::string detail;  // one sentence when not ok
};

[[nodiscard]] const char* health_name(EnvStatus::Health health);

// Records a venv that install --framework made or installed into (store: as --store).
// Failures only hide it from `envs list` (and from gc's keep set): callers may ignore them.
[[nodiscard]] util::Status record_framework_venv(const std::optional<std::filesystem::path>& store,
                                                 const std::filesystem::path& venv, const std::string& distribution,
                                                 const std::string& version, const std::string& python,
                                                 const std::optional<std::filesystem::path>& toolkit_prefix);

// The same for install --locked: the lock's framework and version, its Python, and the
// sha256 of every wheel and toolkit archive it names (gc keeps them in the cache).
[[nodiscard]] util::Status record_locked_venv(const std::optional<std::filesystem::path>& store,
                                              const std::filesystem::path& venv, const lock::Lockfile& lockfile,
                                              const std::filesystem::path& lockfile_path,
                                              const std::optional<std::filesystem::path>& toolkit_prefix);

// Every registered venv with its health, in registry order.
[[nodiscard]] std::vector<EnvStatus> list_envs(const std::optional<std::filesystem::path>& store);

// Removes a registered venv (pyenv::VenvRegistry::remove), or with `forget` only its entry.
// Errors: usage (not registered, a link, not the venv recorded there), io.
[[nodiscard]] util::Result<pyenv::VenvRemoval> remove_env(const std::filesystem::path& venv,
                                                          const std::optional<std::filesystem::path>& store,
                                                          bool forget);

}  // namespace envsetup::app
