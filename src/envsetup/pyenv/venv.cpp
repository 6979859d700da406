// SPDX-License-Identifier: Apache-2.0
#include <envsetup/pyenv/run_logged.hpp>
#include <envsetup/pyenv/venv.hpp>
#include <envsetup/util/fs.hpp>
#include <envsetup/util/strings.hpp>
#include <envsetup/util/template.hpp>

namespace envsetup::pyenv {

namespace fs = std::filesystem;

std::optional<core::Version> parse_pyvenv_cfg(std::string_view text)
{
  for (const auto line : util::split(text, '\n')) {
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) {
      continue;
    }
    const auto key = util::trim(line.substr(0, eq));
    if (key != "version" && key != "version_info") {
      continue;
    }
    const auto fields = util::split(util::trim(line.substr(eq + 1)), '.');
    if (fields.size() >= 2) {
      auto version = core::Version::parse(std::string(fields[0]) + "." + std::string(fields[1]));
      if (version) {
        return *version;
      }
    }
  }
  return std::nullopt;
}

util::Result<VenvState> inspect_venv(const fs::path& dir)
{
  std::error_code ec;
  const auto status = fs::symlink_status(dir, ec);
  if (!fs::exists(status)) {
    return VenvState{};
  }
  if (fs::is_directory(status) && fs::is_empty(dir, ec) && !ec) {
    return VenvState{};
  }
  VenvState state;
  state.kind = VenvState::Kind::other;
  const fs::path config = dir / "pyvenv.cfg";
  if (fs::is_regular_file(config, ec) && fs::exists(venv_python(dir), ec)) {
    auto text = util::read_file(config);
    if (!text) {
      return std::move(text).error();
    }
    state.kind = VenvState::Kind::venv;
    state.python = parse_pyvenv_cfg(*text);
  }
  return state;
}

fs::path venv_python(const fs::path& dir)
{
  return dir / "bin" / "python";
}

fs::path site_packages(const fs::path& dir, const core::Version& python)
{
  return dir / "lib" / ("python" + python.text()) / "site-packages";
}

fs::path install_log_path(const fs::path& dir)
{
  return dir / ".envsetup" / "install.log";
}

std::vector<std::string> venv_command(const fs::path& python, const fs::path& dir)
{
  return {python.string(), "-m", "venv", dir.string()};
}

util::Status create_venv(const fs::path& python, const fs::path& dir, std::chrono::milliseconds timeout)
{
  const bool existed = fs::exists(dir);
  const auto argv = venv_command(python, dir);
  const std::vector<std::string> args(argv.begin() + 1, argv.end());
  auto result = util::run_process(python, args, timeout);
  std::error_code ec;
  const bool ok = result && result->exit_code == 0 && fs::exists(venv_python(dir), ec);
  if (!ok) {
    // Nothing half-done: the folder was absent or empty before, so all of it is ours.
    if (existed) {
      for (const auto& entry : fs::directory_iterator(dir, ec)) {
        fs::remove_all(entry.path(), ec);
      }
    } else {
      fs::remove_all(dir, ec);
    }
    auto error = util::make_error(util::ErrorKind::environment,
                                  "cannot create a virtual environment in " + dir.string());
    if (!result) {
      return std::move(error).with_cause(result.error().message);
    }
    for (const auto& line : last_lines(result->out + result->err, 8)) {
      error = std::move(error).with_cause(line);
    }
    return std::move(error).with_hint(
      "on Debian/Ubuntu the venv module is a separate package: `apt install python" +
      python.filename().string().substr(std::min<std::size_t>(6, python.filename().string().size())) +
      "-venv`");
  }
  return append_log(install_log_path(dir), command_line(argv) + "\n" + result->out + result->err + "\n");
}

util::Status remove_venv(const fs::path& dir)
{
  auto state = inspect_venv(dir);
  if (!state) {
    return std::move(state).error();
  }
  if (state->kind == VenvState::Kind::other) {
    return util::make_error(util::ErrorKind::usage, dir.string() + " is not a virtual environment")
      .with_cause("it has no pyvenv.cfg and bin/python; envsetup deletes only venvs")
      .with_hint("choose another folder with `--venv DIR`");
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec) {
    return util::make_error(util::ErrorKind::io, "cannot delete " + dir.string()).with_cause(ec.message());
  }
  return util::ok_status();
}

}  // namespace envsetup::pyenv
