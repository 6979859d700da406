// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/lock_command.hpp>

#include <envsetup/app/fetch_command.hpp>
#include <envsetup/app/lock_wheels.hpp>
#include <envsetup/core/platform.hpp>
#include <envsetup/pyenv/venv.hpp>
#include <envsetup/util/fs.hpp>

#include <chrono>
#include <cstdlib>
#include <system_error>

namespace envsetup::app {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A temporary folder, removed with everything in it when this goes away.
class TempDir {
public:
  static util::Result<TempDir> make()
  {
    std::string pattern = (fs::temp_directory_path() / "envsetup-lock-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return util::make_error(util::ErrorKind::io,
                              "cannot create a temporary folder in " + fs::temp_directory_path().string());
    }
    return TempDir(pattern);
  }
  TempDir(TempDir&& other) noexcept : m_path(std::exchange(other.m_path, {})) {}
  TempDir& operator=(TempDir&&) = delete;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir()
  {
    if (!m_path.empty()) {
      std::error_code ignored;
      fs::remove_all(m_path, ignored);
    }
  }
  [[nodiscard]] const fs::path& path() const { return m_path; }

private:
  explicit TempDir(fs::path path) : m_path(std::move(path)) {}
  fs::path m_path;
};

std::string with_slash(std::string url)
{
  if (!url.ends_with('/')) {
    url += '/';
  }
  return url;
}

// The indexes pip was given: its default (PIP_INDEX_URL, else PyPI) and the plan's own.
std::vector<lock::LockedIndex> indexes_of(const FrameworkInstallPlan& plan)
{
  const char* configured = std::getenv("PIP_INDEX_URL");
  std::vector<lock::LockedIndex> out{
    {"pypi", with_slash(configured != nullptr && *configured != '\0' ? configured : "https://pypi.org/simple/")}};
  if (plan.pip.extra_index_url) {
    const auto& p = *plan.resolved.resolution.plan;
    out.push_back({p.framework + "-" + p.variant, with_slash(*plan.pip.extra_index_url)});
  }
  return out;
}

util::Result<std::vector<core::ArchTarget>> build_targets(const FrameworkInstallOptions& options,
                                                          const core::Plan& plan)
{
  auto matrix = load_matrix_for(options.resolve.matrix, plan.framework);
  if (!matrix) {
    return std::move(matrix).error();
  }
  for (const auto& framework : matrix->frameworks) {
    for (const auto& release : framework.releases) {
      if (framework.name != plan.framework ||
          std::find(release.versions.begin(), release.versions.end(), *plan.version) == release.versions.end()) {
        continue;
      }
      for (const auto& variant : release.variants) {
        if (variant.name == plan.variant && variant.platform == plan.platform) {
          return variant.targets;
        }
      }
    }
  }
  return std::vector<core::ArchTarget>{};  // a CPU build: no GPU requirement
}

util::Status add_archives(const LockOptions& options, const FrameworkInstallPlan& plan, lock::Lockfile& out)
{
  if (!plan.toolkit_cuda) {
    return util::ok_status();
  }
  FetchOptions fetch = options.install.toolkit.fetch;
  fetch.cuda = plan.toolkit_cuda;
  fetch.cudnn = plan.toolkit_cudnn;
  fetch.matrix = options.install.resolve.matrix;
  // The toolkit of the platform the plan was made for (NVIDIA's name), as install --framework does.
  fetch.platform = core::nvidia_platform(plan.resolved.resolution.plan->platform);
  auto fetch_plan = plan_fetch(fetch);
  if (!fetch_plan) {
    return std::move(fetch_plan).error();
  }
  for (const PlannedArchive& archive : fetch_plan->archives) {
    std::string release;
    for (const PlannedManifest& manifest : fetch_plan->manifests) {
      if (manifest.product == archive.product) {
        release = manifest.version;
      }
    }
    out.archives.push_back({archive.product, release, archive.component, fetch_plan->platform,
                            archive.archive.relative_path, archive.archive.sha256, archive.archive.size});
  }
  return util::ok_status();
}

}  // namespace

util::Result<LockOutcome> run_lock(const LockOptions& options)
{
  if (options.install.installer == "uv") {
    return util::make_error(util::ErrorKind::usage, "`envsetup lock --installer uv` is not supported yet")
      .with_hint("lock with pip (the default): the lock installs with any installer");
  }
  auto work = TempDir::make();
  if (!work) {
    return std::move(work).error();
  }
  FrameworkInstallOptions install = options.install;
  install.venv = work->path() / "venv";
  install.installer = "pip";
  install.force = false;
  auto plan = plan_framework_install(install);
  if (!plan) {
    return std::move(plan).error();
  }
  const core::Plan& p = *plan->resolved.resolution.plan;
  lock::Lockfile out;
  out.envsetup_version = options.envsetup_version;
  out.matrix_source = plan->resolved.matrix.source;
  out.matrix_generated = plan->resolved.matrix.generated;
  out.matrix_sha256 = plan->resolved.matrix.sha256;
  out.host.platform = p.platform;
  out.host.python = plan->python.version.prefix(2);
  out.host.glibc = p.glibc;
  out.host.min_driver = p.min_driver;
  out.host.driver_rule = p.driver_rule;
  if (p.cuda) {
    auto targets = build_targets(install, p);
    if (!targets) {
      return std::move(targets).error();
    }
    out.host.targets = std::move(*targets);
  }
  out.framework = p.framework;
  out.display_name = p.display_name;
  out.variant = p.variant;
  out.version = *p.version;
  out.cuda = p.cuda;
  out.cudnn = p.cudnn;
  if (plan->toolkit_cuda) {
    out.toolkit_cuda = core::Version::parse(*plan->toolkit_cuda).value_or(core::Version());
    if (plan->toolkit_cudnn) {
      out.toolkit_cudnn = core::Version::parse(*plan->toolkit_cudnn).value_or(core::Version());
    }
  }
  out.requirements = plan->pip.requirements;
  out.indexes = indexes_of(*plan);
  ENVSETUP_TRY(pyenv::create_venv(plan->python.path, install.venv, std::chrono::milliseconds(std::chrono::minutes(5))));
  auto wheels = resolve_wheels(*plan, out.indexes, work->path());
  if (!wheels) {
    return std::move(wheels).error();
  }
  out.wheels = std::move(*wheels);
  ENVSETUP_TRY(add_archives(options, *plan, out));
  lock::sort_lockfile(out);
  const fs::path written = fs::absolute(options.output);
  ENVSETUP_TRY(util::write_file_atomic(written, lock::lockfile_text(out)));
  return LockOutcome{std::move(out), written};
}

}  // namespace envsetup::app
