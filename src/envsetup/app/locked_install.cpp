// SPDX-License-Identifier: Apache-2.0
// `install --locked`: host check, wheels through the cache, pip from local files only.
#include <envsetup/app/detect_command.hpp>
#include <envsetup/app/doctor.hpp>
#include <envsetup/app/envs_command.hpp>
#include <envsetup/app/locked_install.hpp>
#include <envsetup/detect/detect.hpp>
#include <envsetup/pyenv/installer.hpp>
#include <envsetup/pyenv/metadata.hpp>
#include <envsetup/pyenv/run_logged.hpp>
#include <envsetup/pyenv/venv.hpp>
#include <envsetup/util/fs.hpp>
#include <envsetup/util/strings.hpp>
#include <envsetup/util/template.hpp>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include <stdlib.h>

namespace envsetup::app {

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr auto k_venv_timeout = std::chrono::milliseconds(10min);
constexpr std::size_t k_log_tail = 15;

// A folder of symbolic links named as the wheels, pointing at the verified cache files; the
// installer reads the links (and checks every file's sha256 itself). Removed on destruction
// (the links, never what they point at).
class StagingDir {
public:
  static util::Result<StagingDir> create()
  {
    std::string pattern = (fs::temp_directory_path() / "envsetup-locked-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return util::make_error(util::ErrorKind::io,
                              "cannot create a temporary folder in " + fs::temp_directory_path().string());
    }
    StagingDir dir;
    dir.m_path = pattern;
    return dir;
  }
  StagingDir() = default;
  StagingDir(StagingDir&& other) noexcept : m_path(std::exchange(other.m_path, {})) {}
  StagingDir& operator=(StagingDir&&) = delete;
  StagingDir(const StagingDir&) = delete;
  StagingDir& operator=(const StagingDir&) = delete;
  ~StagingDir()
  {
    if (!m_path.empty()) {
      std::error_code ec;
      fs::remove_all(m_path, ec);
    }
  }
  [[nodiscard]] const fs::path& path() const { return m_path; }

private:
  fs::path m_path;
};

// Removes a file when the scope ends.
struct RemoveOnExit {
  fs::path path;
  explicit RemoveOnExit(fs::path file) : path(std::move(file)) {}
  RemoveOnExit(const RemoveOnExit&) = delete;
  RemoveOnExit& operator=(const RemoveOnExit&) = delete;
  ~RemoveOnExit()
  {
    std::error_code ec;
    fs::remove(path, ec);
  }
};

util::Result<lock::Lockfile> read_lockfile(const fs::path& path)
{
  auto text = util::read_file(path);
  if (!text) {
    return std::move(text).error().with_hint("pass the lock written by `envsetup lock` with `--locked FILE`");
  }
  auto parsed = lock::parse_lockfile(*text);
  if (!parsed) {
    return std::move(parsed).error().with_cause("in " + path.string());
  }
  return parsed;
}

// This host's facts and the interpreter for the lock's Python (or, when there is none, the
// first one found, so that the mismatch names what the host has).
struct HostView {
  core::HostFacts facts;
  std::optional<Interpreter> python;
  std::vector<Interpreter> found;
};

util::Result<HostView> look_at_host(const LockedInstallOptions& options, const lock::Lockfile& lockfile)
{
  auto probe = make_probe(options.sysroot);
  if (!probe) {
    return std::move(probe).error();
  }
  auto matrix = load_matrix(with_environment(options.toolkit.fetch.matrix));
  if (!matrix) {
    return std::move(matrix).error();
  }
  const auto report = detect::detect_host(*probe, *matrix);
  HostView view;
  view.facts = host_facts(report);
  for (const auto& python : report.pythons) {
    if (python.version) {
      view.found.push_back({probe->real_path(python.path), *python.version, python.origin});
    }
  }
  const fs::path venv = fs::absolute(options.venv).lexically_normal();
  for (const auto& python : view.found) {
    const auto relative = python.path.lexically_relative(venv);
    const bool inside_target = !relative.empty() && *relative.begin() != "..";
    if (python.version == lockfile.host.python && !inside_target) {
      view.python = python;
      break;
    }
  }
  return view;
}

util::Status check_host(const LockedInstallOptions& options, const lock::Lockfile& lockfile, const HostView& host)
{
  const core::Version python = host.python          ? host.python->version
                               : host.found.empty() ? core::Version()
                                                    : host.found.front().version;
  auto reasons = lock::host_mismatches(lockfile, host.facts, python);
  if (!host.python && host.found.empty()) {
    reasons.push_back("no Python interpreter was found (PATH, pyenv, conda); the lock needs Python " +
                      lockfile.host.python.text());
  } else if (!host.python && std::none_of(reasons.begin(), reasons.end(), [](const std::string& reason) {
               return reason.find("Python") != std::string::npos;
             })) {
    reasons.push_back("no Python " + lockfile.host.python.text() + " on this host");
  }
  if (reasons.empty()) {
    return util::ok_status();
  }
  util::Error error =
    util::make_error(util::ErrorKind::no_solution, "this host cannot use the lock " + options.lockfile.string());
  error.causes = std::move(reasons);
  error.hints.push_back("make a lock for this host with `envsetup lock` here, or install on a host the lock covers");
  return error;
}

// The venv already holds every locked distribution at its locked version.
bool satisfied(const lock::Lockfile& lockfile, const std::vector<std::pair<std::string, std::string>>& installed)
{
  std::map<std::string, std::string> have(installed.begin(), installed.end());
  return std::all_of(lockfile.wheels.begin(), lockfile.wheels.end(), [&have](const lock::LockedWheel& wheel) {
    const auto found = have.find(pyenv::normalize_name(wheel.name));
    return found != have.end() && found->second == wheel.version;
  });
}

std::vector<std::string> not_locked(const lock::Lockfile& lockfile,
                                    const std::vector<std::pair<std::string, std::string>>& installed)
{
  std::set<std::string> locked;
  for (const auto& wheel : lockfile.wheels) {
    locked.insert(pyenv::normalize_name(wheel.name));
  }
  std::vector<std::string> extra;
  for (const auto& [name, version] : installed) {
    if (!locked.contains(name) && name != "pip" && name != "setuptools") {
      extra.push_back(name + " " + version);
    }
  }
  return extra;
}

util::Result<std::vector<fetch::DownloadOutcome>> download_wheels(const LockedInstallOptions& options,
                                                                  const lock::Lockfile& lockfile,
                                                                  fetch::DownloadObserver* observer)
{
  const auto& fetch_options = options.toolkit.fetch;
  auto cache = fetch::Cache::open(fetch_options.cache_dir.value_or(fetch::Cache::default_root()));
  if (!cache) {
    return std::move(cache).error();
  }
  std::vector<fetch::DownloadItem> items;
  std::vector<std::string> missing;
  for (const auto& wheel : lockfile.wheels) {
    auto url = locked_wheel_url(lockfile, wheel, options);
    if (!url) {
      return std::move(url).error();
    }
    items.push_back({wheel.filename, *url, wheel.sha256, wheel.size});
    if (fetch_options.offline && !options.bundle && !cache->has(wheel.sha256, wheel.size)) {
      missing.push_back(wheel.filename + " (" + std::to_string(wheel.size) + " bytes)");
    }
  }
  if (!missing.empty()) {
    util::Error error = util::make_error(util::ErrorKind::environment, "--offline: " + std::to_string(missing.size()) +
                                                                         " locked wheel(s) are not in the cache `" +
                                                                         cache->root().string() + "`");
    error.causes = std::move(missing);
    error.hints.push_back("run without --offline once, or install from a bundle with `--bundle DIR`");
    return error;
  }
  auto outcomes = fetch::download_all(items, *cache, transfer_options(fetch_options), observer);
  if (!outcomes) {
    return std::move(outcomes).error().with_hint("nothing was installed: the venv " + options.venv.string() +
                                                 " was not touched");
  }
  return outcomes;
}

}  // namespace

util::Result<LockedInstallOutcome> run_locked_install(const LockedInstallOptions& options,
                                                      const WheelProgressFactory& wheel_progress,
                                                      const ObserverFactory& toolkit_observer)
{
  auto lockfile = read_lockfile(options.lockfile);
  if (!lockfile) {
    return std::move(lockfile).error();
  }
  auto host = look_at_host(options, *lockfile);
  if (!host) {
    return std::move(host).error();
  }
  ENVSETUP_TRY(check_host(options, *lockfile, *host));
  LockedInstallOutcome outcome;
  outcome.venv = fs::absolute(options.venv).lexically_normal();
  if (outcome.venv.filename().empty()) {
    outcome.venv = outcome.venv.parent_path();
  }
  outcome.log = pyenv::install_log_path(outcome.venv);
  outcome.wheels = lockfile->wheels.size();
  outcome.activate.push_back("source " + util::shell_word((outcome.venv / "bin" / "activate").string()));
  auto action = decide_locked_venv(options, *lockfile, outcome.venv);
  if (!action) {
    return std::move(action).error();
  }
  if (*action == VenvAction::reuse) {
    const auto installed = installed_versions(pyenv::site_packages(outcome.venv, lockfile->host.python));
    if (satisfied(*lockfile, installed)) {
      // The venv holds the lock: pip is not run. A toolkit is checked by its own install,
      // which does nothing when the prefix's receipt matches (and repairs it otherwise).
      outcome.already_satisfied = true;
      if (lockfile->toolkit_cuda) {
        auto toolkit = install_locked_toolkit(options, *lockfile, toolkit_observer);
        if (!toolkit) {
          return std::move(toolkit).error();
        }
        outcome.toolkit_prefix = toolkit->prefix;
        outcome.activate.push_back("source " + util::shell_word((toolkit->prefix / "activate").string()));
        outcome.already_satisfied = toolkit->already_installed;
      }
      outcome.not_locked = not_locked(*lockfile, installed);
      static_cast<void>(record_locked_venv(options.toolkit.store, outcome.venv, *lockfile, options.lockfile,
                                           outcome.toolkit_prefix));
      return outcome;
    }
  }
  std::uint64_t total = 0;
  for (const auto& wheel : lockfile->wheels) {
    total += wheel.size;
  }
  auto progress = wheel_progress ? wheel_progress(total) : nullptr;
  auto downloads = download_wheels(options, *lockfile, progress.get());
  progress.reset();
  if (!downloads) {
    return std::move(downloads).error();
  }
  if (lockfile->toolkit_cuda) {
    auto toolkit = install_locked_toolkit(options, *lockfile, toolkit_observer);
    if (!toolkit) {
      return std::move(toolkit).error();
    }
    outcome.toolkit_prefix = toolkit->prefix;
    outcome.activate.push_back("source " + util::shell_word((toolkit->prefix / "activate").string()));
  }
  auto staging = StagingDir::create();
  if (!staging) {
    return std::move(staging).error();
  }
  std::vector<pyenv::LocalWheel> local;
  for (std::size_t i = 0; i < downloads->size(); ++i) {
    const auto& download = (*downloads)[i];
    outcome.downloaded += download.from_cache ? 0 : 1;
    outcome.bytes_transferred += download.bytes_transferred;
    const fs::path link = staging->path() / download.item.name;
    std::error_code ec;
    fs::create_symlink(download.path, link, ec);
    if (ec) {
      return util::make_error(util::ErrorKind::io, "cannot link " + link.string() + ": " + ec.message());
    }
    local.push_back({lockfile->wheels[i].name, lockfile->wheels[i].version, download.item.sha256});
  }
  const fs::path requirements = staging->path().parent_path() / (staging->path().filename().string() + ".txt");
  RemoveOnExit remove_requirements{requirements};
  ENVSETUP_TRY(util::write_file_atomic(requirements, pyenv::hashed_requirements(local)));
  if (*action == VenvAction::recreate) {
    ENVSETUP_TRY(pyenv::remove_venv(outcome.venv));
  }
  if (*action != VenvAction::reuse) {
    ENVSETUP_TRY(pyenv::create_venv(host->python->path, outcome.venv, k_venv_timeout));
  }
  ENVSETUP_TRY(pyenv::append_log(outcome.log, "envsetup: install --locked " + options.lockfile.string() + "\n" +
                                                *util::read_file(requirements) + "\n"));
  auto output = pyenv::run_logged_streaming(
    pyenv::locked_install_command(outcome.venv, staging->path(), requirements), outcome.log, {options.idle_timeout, {}});
  if (!output) {
    return std::move(output).error().with_cause("full log: " + outcome.log.string());
  }
  if (output->idle_killed) {
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(options.idle_timeout).count();
    return util::make_error(util::ErrorKind::environment,
                            "pip printed nothing for " + std::to_string(seconds) + " s and was stopped")
      .with_cause("full log: " + outcome.log.string())
      .with_hint("raise the limit with --idle-timeout (e.g. --idle-timeout 2h) or ENVSETUP_IDLE_TIMEOUT");
  }
  if (output->exit_code != 0) {
    auto error =
      util::make_error(util::ErrorKind::environment, "pip could not install the locked wheels (exit status " +
                                                       std::to_string(output->exit_code) + ")");
    std::string tail = "pip's last lines:";
    for (const auto& line : pyenv::last_lines(output->out + output->err, k_log_tail)) {
      tail += "\n    " + line;
    }
    return std::move(error).with_cause(tail).with_cause("full log: " + outcome.log.string());
  }
  const auto installed = installed_versions(pyenv::site_packages(outcome.venv, lockfile->host.python));
  if (!satisfied(*lockfile, installed)) {
    return util::make_error(util::ErrorKind::verification,
                            "the venv " + outcome.venv.string() + " does not hold the locked versions after pip ran")
      .with_cause("full log: " + outcome.log.string());
  }
  outcome.not_locked = not_locked(*lockfile, installed);
  // The venv is installed; a registry that cannot be written only hides it from `envs list`.
  static_cast<void>(record_locked_venv(options.toolkit.store, outcome.venv, *lockfile, options.lockfile,
                                       outcome.toolkit_prefix));
  return outcome;
}

}  // namespace envsetup::app
