// SPDX-License-Identifier: Apache-2.0
// Planning `install --framework`: nothing here changes the machine.
#include <envsetup/app/detect_command.hpp>
#include <envsetup/app/framework_install.hpp>
#include <envsetup/app/index_check.hpp>
#include <envsetup/app/python_choice.hpp>
#include <envsetup/detect/detect.hpp>
#include <envsetup/pyenv/venv.hpp>
#include <envsetup/util/strings.hpp>

#include <cstdlib>

namespace envsetup::app {

namespace {

namespace fs = std::filesystem;

// The host's interpreters with a known version, in detection order (venv, conda, PATH,
// pyenv, conda installs), one per resolved file.
util::Result<std::vector<Interpreter>> host_interpreters(const FrameworkInstallOptions& options)
{
  auto probe = make_probe(options.resolve.sysroot);
  if (!probe) {
    return std::move(probe).error();
  }
  std::vector<Interpreter> found;
  for (const auto& python : detect::detect_pythons(*probe)) {
    if (python.version) {
      found.push_back({probe->real_path(python.path), *python.version, python.origin});
    }
  }
  return found;
}

// Where host path `path` (as detection names it) is on this machine.
fs::path probe_path(const FrameworkInstallOptions& options, const std::string& path)
{
  auto probe = make_probe(options.resolve.sysroot);
  return probe ? probe->real_path(path) : fs::path(path);
}

util::Error no_interpreter(const core::Version& wanted, const std::vector<Interpreter>& found,
                           const std::string& why)
{
  std::vector<std::string> listed;
  for (const auto& python : found) {
    listed.push_back(python.version.text() + " (" + python.path.string() + ", " + python.origin + ")");
  }
  const std::string v = wanted.text();
  return util::make_error(util::ErrorKind::environment, "no Python " + v + " on this machine" + why)
    .with_cause(listed.empty() ? "no Python interpreter was found (PATH, pyenv, conda)"
                               : "found: " + util::join(listed, "; "))
    .with_hint("install Python " + v + ": `uv python install " + v + "`, `pyenv install " + v +
               "`, `conda create -n py" + v + " python=" + v + "` or your distribution's python" + v +
               " package, then run this again")
    .with_hint("or pass `--python X.Y` with one of the versions found");
}

const Interpreter* pick_interpreter(const std::vector<Interpreter>& found, const core::Version& version,
                                    const fs::path& venv)
{
  for (const auto& python : found) {
    const auto relative = python.path.lexically_relative(venv);
    const bool inside_target = !relative.empty() && *relative.begin() != "..";
    if (python.version == version && !inside_target) {
      return &python;
    }
  }
  return nullptr;
}

std::optional<fs::path> find_on_path(const std::string& name)
{
  const char* path = std::getenv("PATH");
  for (const auto dir : util::split(path == nullptr ? "" : path, ':')) {
    const fs::path candidate = fs::path(std::string(dir.empty() ? "." : dir)) / name;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) {
      return candidate;
    }
  }
  return std::nullopt;
}

// "jax[cuda12]==0.4.30" -> "cuda12".
std::string extra_of(const std::string& requirement)
{
  const auto open = requirement.find('[');
  const auto close = requirement.find(']');
  return open == std::string::npos || close == std::string::npos ? "" : requirement.substr(open + 1, close - open - 1);
}

util::Status decide_venv(const FrameworkInstallOptions& options, FrameworkInstallPlan& result)
{
  auto state = pyenv::inspect_venv(result.venv);
  if (!state) {
    return std::move(state).error();
  }
  using Kind = pyenv::VenvState::Kind;
  if (state->kind == Kind::absent) {
    result.venv_action = VenvAction::create;
    return util::ok_status();
  }
  if (state->kind == Kind::other) {
    return util::make_error(util::ErrorKind::environment,
                            result.venv.string() + " exists and is not a virtual environment")
      .with_cause("it has no pyvenv.cfg and bin/python; envsetup never overwrites it, even with --force")
      .with_hint("choose another folder with `--venv DIR`");
  }
  const std::string wanted = result.python.version.text();
  if (options.force) {
    // Refused here, before anything (a toolkit) is installed, when the folder holds more
    // than a venv; remove_venv checks again on the folder it deletes in.
    auto parts = pyenv::venv_parts(result.venv);
    if (!parts) {
      return std::move(parts).error();
    }
    result.venv_action = VenvAction::recreate;
    result.venv_parts = std::move(parts).value();
    return util::ok_status();
  }
  if (state->python == result.python.version) {
    result.venv_action = VenvAction::reuse;
    return util::ok_status();
  }
  return util::make_error(util::ErrorKind::environment,
                          "the virtual environment " + result.venv.string() + " uses Python " +
                            (state->python ? state->python->text() : "(unknown)") + ", the plan needs " + wanted)
    .with_cause("envsetup reuses an existing venv only when its Python matches, and never deletes one on its own")
    .with_hint("pass `--force` to delete and recreate it with Python " + wanted)
    .with_hint("or choose another folder with `--venv DIR`, or `--python " +
               (state->python ? state->python->text() : std::string("X.Y")) + "` to keep this one");
}

}  // namespace

util::Result<FrameworkInstallPlan> plan_framework_install(const FrameworkInstallOptions& options)
{
  auto installer = pyenv::choose_installer(options.installer, find_on_path("uv"));
  if (!installer) {
    return std::move(installer).error();
  }
  auto interpreters = host_interpreters(options);
  if (!interpreters) {
    return std::move(interpreters).error();
  }
  FrameworkInstallPlan result;
  result.venv = fs::absolute(options.venv).lexically_normal();
  if (result.venv.filename().empty()) {
    result.venv = result.venv.parent_path();
  }
  if (options.resolve.python) {
    auto python = python_from_flag(*options.resolve.python);
    if (!python) {
      return std::move(python).error();
    }
    if (!python->path.empty()) {  // --python PATH: that interpreter
      interpreters->insert(interpreters->begin(), Interpreter{python->path, python->version, "--python"});
    }
    if (!pick_interpreter(*interpreters, python->version, result.venv)) {
      return no_interpreter(python->version, *interpreters, " (asked for with --python)");
    }
  }
  PlanIndexOptions index;
  index.wheel_mirror = options.wheel_mirror;
  index.offline = options.toolkit.fetch.offline || !options.check_index;
  index.access.download.cacert = options.toolkit.fetch.cacert;
  index.access.download.user_agent = options.toolkit.fetch.user_agent;
  auto resolved = resolve_checked(options.resolve, index);
  if (!resolved) {
    return std::move(resolved).error();
  }
  auto& resolution = resolved->resolution;
  if (!resolution.plan) {
    auto error = util::make_error(util::ErrorKind::no_solution, resolution.failure);
    for (const auto& hint : resolution.hints) {
      error = std::move(error).with_hint(hint);
    }
    return error;
  }
  const core::Plan& plan = *resolution.plan;
  auto pip = specgen::pip_requirements(plan, {options.with, options.wheel_mirror});
  if (!pip) {
    return std::move(pip).error();
  }
  if (!plan.python) {
    return util::make_error(util::ErrorKind::internal, "the plan names no Python version");
  }
  // The interpreter the Python was chosen at (app::choose_python) first.
  if (!resolved->python_path.empty() && !options.resolve.python) {
    interpreters->insert(interpreters->begin(),
                         Interpreter{probe_path(options, resolved->python_path), *plan.python, "chosen"});
  }
  const Interpreter* python = pick_interpreter(*interpreters, *plan.python, result.venv);
  if (!python) {
    return no_interpreter(*plan.python, *interpreters,
                          " (" + plan.display_name + " " + plan.version->text() + " needs it)");
  }
  result.python = *python;
  ENVSETUP_TRY(decide_venv(options, result));
  const bool flags_ask = options.with_toolkit || options.toolkit.fetch.cudnn;
  if (plan.system_toolkit || flags_ask) {
    if (!plan.cuda) {
      return util::make_error(util::ErrorKind::usage, "the plan is a CPU-only build: there is no CUDA toolkit to install")
        .with_hint("drop `--with-toolkit` / `--cudnn`, or `--cpu`");
    }
    // The toolkit the resolver chose (releases with redistributable archives, possibly newer
    // within the major than the tested ones: plan.notes says why). --with-toolkit and --cudnn
    // set Request::with_toolkit, so the resolver chose one for a wheel build too.
    if (!plan.toolkit_cuda) {
      return util::make_error(util::ErrorKind::internal, "the plan names no CUDA toolkit to install");
    }
    result.toolkit_cuda = plan.toolkit_cuda->text();
    result.toolkit_cudnn = options.toolkit.fetch.cudnn ? options.toolkit.fetch.cudnn
                           : plan.toolkit_cudnn       ? std::optional(plan.toolkit_cudnn->text())
                                                      : std::nullopt;
    result.toolkit_reason = plan.system_toolkit ? plan.display_name + " " + plan.version->text() +
                                                    " loads CUDA and cuDNN from the system"
                                                : "asked for with --with-toolkit";
  }
  result.notes = plan.notes;
  result.pip = std::move(pip).value();
  result.installer = *installer;
  if (result.venv_action != VenvAction::reuse) {
    result.venv_command = pyenv::venv_command(result.python.path, result.venv);
  }
  result.install_command = pyenv::install_command(
    result.installer, {result.venv, result.pip.extra_index_url, result.pip.requirements},
    find_on_path("uv").value_or("uv"));
  result.expected = {result.pip.framework_package, result.pip.expected_version, extra_of(plan.packages.front()),
                     plan.cuda.has_value(), result.pip.extra_index_url};
  result.resolved = std::move(resolved).value();
  return result;
}

}  // namespace envsetup::app
