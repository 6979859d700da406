// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/util/error.hpp>
#include <envsetup/util/process.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace envsetup::detect {

// Everything host detection reads goes through a SystemProbe, so that a whole fake host can
// be a directory (`--sysroot`) and tests control the environment. Paths given to it are
// host paths ("/proc/driver/nvidia/version"); with a sysroot they are read below it, and
// symbolic links are resolved inside it (an absolute link target stays in the sysroot).
// Nothing here fails: a missing or unreadable file is an absent value.
class SystemProbe {
public:
  using Environment = std::map<std::string, std::string>;

  // `sysroot` empty = the real root.
  SystemProbe(std::filesystem::path sysroot, Environment environment);

  [[nodiscard]] bool has_sysroot() const { return !m_sysroot.empty(); }
  // Where `path` really is on this machine.
  [[nodiscard]] std::filesystem::path real_path(const std::filesystem::path& path) const;

  // At most `max_bytes` of a regular file (text or binary).
  [[nodiscard]] std::optional<std::string> read_file(const std::filesystem::path& path,
                                                     std::size_t max_bytes = 1 << 20) const;
  // Entry names of a folder, sorted; empty when it is not a readable folder.
  [[nodiscard]] std::vector<std::string> list_dir(const std::filesystem::path& path) const;
  [[nodiscard]] bool is_dir(const std::filesystem::path& path) const;
  [[nodiscard]] bool is_file(const std::filesystem::path& path) const;
  [[nodiscard]] bool is_executable(const std::filesystem::path& path) const;
  // `path` with every symbolic link resolved (inside the sysroot), or nullopt when some
  // component does not exist or links loop. On the real root, answers are remembered for
  // the probe's lifetime (one detection pass), which asks for the same paths again and again.
  [[nodiscard]] std::optional<std::filesystem::path> canonical(const std::filesystem::path& path) const;

  // An environment variable; nullopt when unset or empty.
  [[nodiscard]] std::optional<std::string> env(const std::string& name) const;
  // The folders of PATH (or another ':'-separated variable), in order.
  [[nodiscard]] std::vector<std::filesystem::path> env_paths(const std::string& name) const;
  // The user's home folder (HOME).
  [[nodiscard]] std::optional<std::filesystem::path> home() const;

  // Runs an executable found by this probe (a host path) with a timeout.
  [[nodiscard]] util::Result<util::ProcessOutput> run(const std::filesystem::path& program,
                                                      const std::vector<std::string>& args,
                                                      std::chrono::milliseconds timeout) const;

private:
  std::filesystem::path m_sysroot;
  Environment m_environment;
  mutable std::map<std::string, std::optional<std::filesystem::path>> m_canonical;
};

}  // namespace envsetup::detect
