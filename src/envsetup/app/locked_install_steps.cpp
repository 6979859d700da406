// SPDX-License-Identifier: Apache-2.0
// `install --locked`: where wheels come from, what a venv holds, the venv decision and the locked toolkit.
#include <envsetup/app/locked_install.hpp>
#include <envsetup/core/platform.hpp>
#include <envsetup/pyenv/metadata.hpp>
#include <envsetup/pyenv/venv.hpp>
#include <envsetup/util/strings.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace envsetup::app {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view k_pytorch_root = "https://download.pytorch.org/whl/";

std::string with_slash(std::string url)
{
  if (!url.ends_with('/')) {
    url += '/';
  }
  return url;
}

}  // namespace

util::Result<std::string> locked_wheel_url(const lock::Lockfile& lockfile, const lock::LockedWheel& wheel,
                                           const LockedInstallOptions& options)
{
  if (options.bundle) {
    const auto file =
      fs::absolute(*options.bundle).lexically_normal() / "simple" / pyenv::normalize_name(wheel.name) / wheel.filename;
    return "file://" + file.string();
  }
  if (wheel.url.starts_with("https://") || wheel.url.starts_with("http://")) {
    return wheel.url;
  }
  const auto index = std::find_if(lockfile.indexes.begin(), lockfile.indexes.end(),
                                  [&wheel](const lock::LockedIndex& entry) { return entry.key == wheel.index; });
  if (index == lockfile.indexes.end()) {
    return util::make_error(util::ErrorKind::input, "the lock's wheel " + wheel.filename + " names the index `" +
                                                      wheel.index + "`, which the lock does not list");
  }
  std::string root = with_slash(index->url);
  if (options.wheel_mirror && root.starts_with(k_pytorch_root)) {
    root = with_slash(*options.wheel_mirror) + root.substr(k_pytorch_root.size());
  }
  return root + wheel.url;
}

std::vector<std::pair<std::string, std::string>> installed_versions(const fs::path& site_packages)
{
  std::vector<std::pair<std::string, std::string>> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(site_packages, ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".dist-info")) {
      continue;
    }
    const std::string stem = name.substr(0, name.size() - std::string_view(".dist-info").size());
    const auto dash = stem.find('-');
    if (dash == std::string::npos) {
      continue;
    }
    found.emplace_back(pyenv::normalize_name(stem.substr(0, dash)), stem.substr(dash + 1));
  }
  std::sort(found.begin(), found.end());
  return found;
}

util::Result<VenvAction> decide_locked_venv(const LockedInstallOptions& options, const lock::Lockfile& lockfile,
                                            const fs::path& venv)
{
  auto state = pyenv::inspect_venv(venv);
  if (!state) {
    return std::move(state).error();
  }
  using Kind = pyenv::VenvState::Kind;
  if (state->kind == Kind::absent) {
    return VenvAction::create;
  }
  if (state->kind == Kind::other) {
    return util::make_error(util::ErrorKind::environment, venv.string() + " exists and is not a virtual environment")
      .with_cause("it has no pyvenv.cfg and bin/python; envsetup never overwrites it, even with --force")
      .with_hint("choose another folder with `--venv DIR`");
  }
  if (options.force) {
    auto parts = pyenv::venv_parts(venv);
    if (!parts) {
      return std::move(parts).error();
    }
    return VenvAction::recreate;
  }
  if (state->python == lockfile.host.python) {
    return VenvAction::reuse;
  }
  const std::string wanted = lockfile.host.python.text();
  return util::make_error(util::ErrorKind::environment, "the virtual environment " + venv.string() + " uses Python " +
                                                          (state->python ? state->python->text() : "(unknown)") +
                                                          ", the lock needs " + wanted)
    .with_hint("pass `--force` to delete and recreate it with Python " + wanted)
    .with_hint("or choose another folder with `--venv DIR`");
}

util::Result<InstallOutcome> install_locked_toolkit(const LockedInstallOptions& options,
                                                    const lock::Lockfile& lockfile, const ObserverFactory& observer)
{
  InstallOptions toolkit = options.toolkit;
  auto& fetch = toolkit.fetch;
  fetch.cuda = lockfile.toolkit_cuda->text();
  fetch.cudnn = lockfile.toolkit_cudnn ? std::optional(lockfile.toolkit_cudnn->text()) : std::nullopt;
  fetch.platform = lockfile.archives.empty() ? std::string(core::nvidia_platform(lockfile.host.platform))
                                             : lockfile.archives.front().platform;
  std::vector<std::string> components;
  for (const auto& archive : lockfile.archives) {
    if (std::find(components.begin(), components.end(), archive.component) == components.end()) {
      components.push_back(archive.component);
    }
  }
  if (!components.empty()) {
    fetch.components = util::join(components, ",");
  }
  if (options.bundle) {
    fetch.mirror = fs::absolute(*options.bundle).lexically_normal().string();
  }
  auto plan = plan_fetch(fetch);
  if (!plan) {
    return std::move(plan).error().with_cause("while planning the lock's CUDA toolkit");
  }
  std::map<std::pair<std::string, std::string>, const lock::LockedArchive*> locked;
  for (const auto& archive : lockfile.archives) {
    locked[{archive.product, archive.relative_path}] = &archive;
  }
  util::Error error =
    util::make_error(util::ErrorKind::integrity, "the NVIDIA archives on the mirror are not the ones the lock " +
                                                   options.lockfile.string() + " records");
  std::set<std::pair<std::string, std::string>> planned;
  for (const auto& archive : plan->archives) {
    const std::pair key{archive.product, archive.archive.relative_path};
    planned.insert(key);
    const auto found = locked.find(key);
    if (found == locked.end()) {
      error.causes.push_back(archive.archive.relative_path + " is not in the lock");
    } else if (found->second->sha256 != archive.archive.sha256 || found->second->size != archive.archive.size) {
      error.causes.push_back(archive.archive.relative_path + ": the manifest gives sha256 " + archive.archive.sha256 +
                             " and " + std::to_string(archive.archive.size) + " bytes, the lock " +
                             found->second->sha256 + " and " + std::to_string(found->second->size) + " bytes");
    }
  }
  for (const auto& archive : lockfile.archives) {
    if (!planned.contains({archive.product, archive.relative_path})) {
      error.causes.push_back(archive.relative_path + " (locked) is not in the manifests");
    }
  }
  if (!error.causes.empty()) {
    return error;
  }
  auto progress = observer ? observer(*plan) : nullptr;
  return run_install_toolkit(toolkit, *plan, progress.get());
}

}  // namespace envsetup::app
