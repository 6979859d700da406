// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/envs_command.hpp>
#include <envsetup/app/install_command.hpp>

#include <envsetup/core/version.hpp>
#include <envsetup/pyenv/metadata.hpp>
#include <envsetup/pyenv/venv.hpp>
#include <envsetup/util/strings.hpp>

#include <sys/stat.h>

namespace envsetup::app {

namespace fs = std::filesystem;

namespace {

// Why the venv is not healthy, or ok.
void check_health(EnvStatus& status)
{
  const auto& record = status.record;
  auto fail = [&](EnvStatus::Health health, std::string detail) {
    status.health = health;
    status.detail = std::move(detail);
  };
  struct stat info {};
  if (::lstat(record.venv.c_str(), &info) != 0) {
    return fail(EnvStatus::Health::missing, "the folder is gone");
  }
  if (!S_ISDIR(info.st_mode)) {
    return fail(EnvStatus::Health::broken, "a symbolic link or a file is there, not the venv's folder");
  }
  if (!pyenv::has_mark(record.venv, record.id)) {
    return fail(EnvStatus::Health::changed,
                "the folder lacks envsetup's mark (.envsetup/venv-id): "
                "another folder is there now");
  }
  std::error_code ec;
  if (!fs::is_regular_file(fs::symlink_status(record.venv / "pyvenv.cfg", ec))) {
    return fail(EnvStatus::Health::broken, "pyvenv.cfg is missing");
  }
  if (!fs::exists(pyenv::venv_python(record.venv), ec)) {
    return fail(EnvStatus::Health::broken, "bin/python is missing or the interpreter it points to is gone");
  }
  const auto python = core::Version::parse(record.python);
  if (record.distribution.empty() || !python) {
    return;
  }
  auto installed = pyenv::read_installed(pyenv::site_packages(record.venv, *python), record.distribution);
  if (!installed || !installed->framework) {
    return fail(EnvStatus::Health::broken, record.distribution + " is not installed any more");
  }
  if (!record.version.empty() && installed->framework->version != record.version) {
    return fail(EnvStatus::Health::changed, record.distribution + " " + installed->framework->version +
                                              " is installed, envsetup installed " + record.version);
  }
}

util::Status record(const std::optional<fs::path>& store, pyenv::VenvRecord entry)
{
  entry.created_at = util::utc_now_text();
  auto stored = pyenv::VenvRegistry(store_root(store)).add(std::move(entry));
  if (!stored) {
    return std::move(stored).error();
  }
  return util::ok_status();
}

}  // namespace

const char* health_name(EnvStatus::Health health)
{
  switch (health) {
    case EnvStatus::Health::ok:
      return "ok";
    case EnvStatus::Health::missing:
      return "missing";
    case EnvStatus::Health::broken:
      return "broken";
    case EnvStatus::Health::changed:
      return "changed";
  }
  return "unknown";
}

util::Status record_framework_venv(const std::optional<fs::path>& store, const fs::path& venv,
                                   const std::string& distribution, const std::string& version,
                                   const std::string& python, const std::optional<fs::path>& toolkit_prefix)
{
  pyenv::VenvRecord entry;
  entry.venv = venv;
  entry.source = "framework";
  entry.distribution = distribution;
  entry.version = version;
  entry.python = python;
  entry.toolkit_prefix = toolkit_prefix;
  return record(store, std::move(entry));
}

util::Status record_locked_venv(const std::optional<fs::path>& store, const fs::path& venv,
                                const lock::Lockfile& lockfile, const fs::path& lockfile_path,
                                const std::optional<fs::path>& toolkit_prefix)
{
  pyenv::VenvRecord entry;
  entry.venv = venv;
  entry.source = "locked";
  entry.distribution = lockfile.framework;
  entry.python = lockfile.host.python.text();
  entry.toolkit_prefix = toolkit_prefix;
  entry.lockfile = fs::absolute(lockfile_path).lexically_normal();
  for (const auto& wheel : lockfile.wheels) {
    if (pyenv::normalize_name(wheel.name) == pyenv::normalize_name(lockfile.framework)) {
      entry.version = wheel.version;
    }
    entry.archives.push_back(wheel.sha256);
  }
  for (const auto& archive : lockfile.archives) {
    entry.archives.push_back(archive.sha256);
  }
  return record(store, std::move(entry));
}

std::vector<EnvStatus> list_envs(const std::optional<fs::path>& store)
{
  std::vector<EnvStatus> statuses;
  for (auto& entry : pyenv::VenvRegistry(store_root(store)).list()) {
    EnvStatus status;
    status.record = std::move(entry);
    check_health(status);
    statuses.push_back(std::move(status));
  }
  return statuses;
}

util::Result<pyenv::VenvRemoval> remove_env(const fs::path& venv, const std::optional<fs::path>& store, bool forget)
{
  const pyenv::VenvRegistry registry(store_root(store));
  if (forget) {
    ENVSETUP_TRY(registry.forget(venv));
    return pyenv::VenvRemoval{};
  }
  return registry.remove(venv);
}

}  // namespace envsetup::app
