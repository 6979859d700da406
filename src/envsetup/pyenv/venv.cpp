// SPDX-License-Identifier: Apache-2.0
#include <envsetup/pyenv/run_logged.hpp>
#include <envsetup/pyenv/venv.hpp>
#include <envsetup/util/beneath.hpp>
#include <envsetup/util/fs.hpp>
#include <envsetup/util/unique_fd.hpp>
#include <envsetup/util/strings.hpp>
#include <envsetup/util/template.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <iterator>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace envsetup::pyenv {

namespace fs = std::filesystem;

namespace {

// Everything `python -m venv`, `uv venv`, pip (scripts, headers, data files) and envsetup
// (its log) put directly in a venv's folder: all that envsetup ever deletes there.
constexpr std::array<std::string_view, 12> k_venv_entries = {
  "bin", "include", "lib", "lib64", "lib32", "share", "etc", "pyvenv.cfg", ".envsetup", ".gitignore",
  "CACHEDIR.TAG", ".lock"};

bool is_venv_entry(std::string_view name)
{
  return std::find(k_venv_entries.begin(), k_venv_entries.end(), name) != k_venv_entries.end();
}

util::Error io_error(const std::string& what, const fs::path& path, int error_number)
{
  return util::make_error(util::ErrorKind::io, what + " " + path.string()).with_cause(std::strerror(error_number));
}

// The folder `dir` itself, opened without following a link in its last component.
util::Result<int> open_folder(const fs::path& dir)
{
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0) {
    return fd;
  }
  if (errno == ELOOP || errno == ENOTDIR) {
    return util::make_error(util::ErrorKind::usage, dir.string() + " is a symbolic link or not a folder")
      .with_cause("envsetup deletes a venv's parts only in the venv's real folder")
      .with_hint("pass the folder the link points to with `--venv DIR`");
  }
  return io_error("cannot open", dir, errno);
}

// The entry names of the open folder `fd` (without . and ..), sorted.
util::Result<std::vector<std::string>> entry_names(int fd, const fs::path& shown)
{
  auto names = util::list_folder(fd);
  if (!names) {
    return std::move(names).error().with_cause("in " + shown.string());
  }
  return names;
}

// Deletes the entries `names` (venv parts) of the open folder `fd`, each through
// descriptors (util::remove_tree_at): links unlinked, never followed; mount points refused.
util::Status remove_entries(int fd, const fs::path& dir, const std::vector<std::string>& names)
{
  for (const auto& name : names) {
    if (auto removed = util::remove_tree_at(fd, name); !removed) {
      return std::move(removed).error().with_cause("while deleting " + (dir / name).string());
    }
  }
  return util::ok_status();
}

util::Error foreign_entries_error(const fs::path& dir, const std::vector<std::string>& foreign);

// The entries of the open venv folder `fd`, when every one is a venv's own part.
util::Result<std::vector<std::string>> own_parts(int fd, const fs::path& dir)
{
  auto names = entry_names(fd, dir);
  if (!names) {
    return std::move(names).error();
  }
  std::vector<std::string> foreign;
  std::copy_if(names->begin(), names->end(), std::back_inserter(foreign),
               [](const std::string& name) { return !is_venv_entry(name); });
  if (!foreign.empty()) {
    return foreign_entries_error(dir, foreign);
  }
  return names;
}

// The usage error for a venv folder holding `foreign` entries besides a venv's own.
util::Error foreign_entries_error(const fs::path& dir, const std::vector<std::string>& foreign)
{
  std::vector<std::string> shown(foreign.begin(), foreign.begin() + std::min<std::ptrdiff_t>(5, std::ssize(foreign)));
  std::string listed = util::join(shown, ", ");
  if (foreign.size() > shown.size()) {
    listed += " and " + std::to_string(foreign.size() - shown.size()) + " more";
  }
  return util::make_error(util::ErrorKind::usage,
                          dir.string() + " holds files that are not part of a virtual environment")
    .with_cause("not a venv's own: " + listed)
    .with_cause("envsetup deletes only a venv's parts (bin, lib, include, pyvenv.cfg, ...), never a folder "
                "that also holds other files, such as a project where `python -m venv .` was run")
    .with_hint("choose another folder with `--venv DIR`, or delete the venv's parts yourself and run again");
}

}  // namespace

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

std::string venv_failure_hint(std::string_view output, const fs::path& python, const fs::path& dir)
{
  const auto shows = [output](std::string_view text) { return output.find(text) != std::string_view::npos; };
  if (shows("Read-only file system") || shows("[Errno 30]")) {
    return "the file system holding " + dir.string() +
           " is mounted read-only: choose a venv folder on a "
           "writable one with `--venv DIR`";
  }
  if (shows("Permission denied") || shows("[Errno 13]") || shows("Operation not permitted")) {
    return "you may not write in " + dir.parent_path().string() +
           " (a permission problem, not a missing "
           "package): choose a folder you own with `--venv DIR`, or fix the folder's owner/permissions";
  }
  if (shows("No space left on device") || shows("[Errno 28]") || shows("Disk quota exceeded")) {
    return "the disk holding " + dir.string() + " is full: free space or choose another folder with `--venv DIR`";
  }
  if (shows("ensurepip") || shows("No module named venv")) {
    const std::string name = python.filename().string();
    return "this Python has no working venv module; on Debian/Ubuntu it is a separate package: `sudo apt install "
           "python" +
           name.substr(std::min<std::size_t>(6, name.size())) + "-venv`";
  }
  return "run the command above by hand to see the whole error";
}

util::Status create_venv(const fs::path& python, const fs::path& dir, std::chrono::milliseconds timeout)
{
  std::error_code ec;
  const bool existed = fs::exists(fs::symlink_status(dir, ec));
  const auto argv = venv_command(python, dir);
  const std::vector<std::string> args(argv.begin() + 1, argv.end());
  auto result = util::run_process(python, args, timeout);
  const bool ok = result && result->exit_code == 0 && fs::exists(venv_python(dir), ec);
  if (!ok) {
    // Nothing half-done: the venv's parts go (what the failed command made); anything else in
    // the folder, and the folder itself unless this call created it, stays.
    if (auto fd = open_folder(dir)) {
      const util::UniqueFd folder(*fd);
      auto names = entry_names(folder.get(), dir).value_or({});
      std::erase_if(names, [](const std::string& name) { return !is_venv_entry(name); });
      (void)remove_entries(folder.get(), dir, names);
      if (!existed) {
        (void)::rmdir(dir.c_str());  // only when empty
      }
    }
    auto error = util::make_error(util::ErrorKind::environment,
                                  "cannot create a virtual environment in " + dir.string());
    if (!result) {
      return std::move(error).with_cause(result.error().message);
    }
    for (const auto& line : last_lines(result->out + result->err, 8)) {
      error = std::move(error).with_cause(line);
    }
    return std::move(error).with_hint(venv_failure_hint(result->out + result->err, python, dir));
  }
  return append_log(install_log_path(dir), command_line(argv) + "\n" + result->out + result->err + "\n");
}

util::Result<std::vector<std::string>> venv_parts(const fs::path& dir)
{
  auto state = inspect_venv(dir);
  if (!state) {
    return std::move(state).error();
  }
  if (state->kind != VenvState::Kind::venv) {
    return util::make_error(util::ErrorKind::usage, dir.string() + " is not a virtual environment")
      .with_cause("it has no pyvenv.cfg and bin/python; envsetup deletes only venvs")
      .with_hint("choose another folder with `--venv DIR`");
  }
  auto fd = open_folder(dir);
  if (!fd) {
    return std::move(fd).error();
  }
  const util::UniqueFd folder(*fd);
  return own_parts(folder.get(), dir);
}

util::Status remove_venv(const fs::path& dir)
{
  ENVSETUP_TRY(venv_parts(dir));
  auto fd = open_folder(dir);
  if (!fd) {
    return std::move(fd).error();
  }
  const util::UniqueFd folder(*fd);
  // Listed and checked again on the descriptor that the deletion uses: what is deleted is
  // exactly what was checked, even if the folder was swapped meanwhile.
  auto names = own_parts(folder.get(), dir);
  if (!names) {
    return std::move(names).error();
  }
  ENVSETUP_TRY(remove_entries(folder.get(), dir, *names));
  (void)::rmdir(dir.c_str());  // the folder too, when nothing else appeared in it meanwhile
  return util::ok_status();
}

util::Status remove_venv_at(int dir_fd, const fs::path& shown)
{
  struct stat config {};
  if (!util::stat_at(dir_fd, "pyvenv.cfg", config) || !S_ISREG(config.st_mode)) {
    return util::make_error(util::ErrorKind::usage, shown.string() + " is not a virtual environment")
      .with_cause("it has no pyvenv.cfg; envsetup deletes only venvs");
  }
  auto names = own_parts(dir_fd, shown);
  if (!names) {
    return std::move(names).error();
  }
  return remove_entries(dir_fd, shown, *names);
}

}  // namespace envsetup::pyenv
