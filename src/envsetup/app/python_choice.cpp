// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/python_choice.hpp>

#include <envsetup/detect/detect.hpp>
#include <envsetup/util/process.hpp>
#include <envsetup/util/strings.hpp>
#include <envsetup/util/unique_fd.hpp>

#include <algorithm>
#include <array>

#include <fcntl.h>
#include <unistd.h>

namespace envsetup::app {

namespace {

namespace fs = std::filesystem;

constexpr std::chrono::seconds k_version_timeout{10};

// The first line of `file` that is neither empty nor a comment, first word; nullopt when the
// file is absent, a link (never followed) or not a regular file.
std::optional<std::string> first_word(const fs::path& file)
{
  util::UniqueFd fd(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) {
    return std::nullopt;
  }
  std::array<char, 4096> buffer{};
  const ssize_t size = ::read(fd.get(), buffer.data(), buffer.size());
  if (size <= 0) {
    return std::nullopt;
  }
  for (const auto line : util::split(std::string_view(buffer.data(), static_cast<std::size_t>(size)), '\n')) {
    const auto trimmed = util::trim(line);
    if (trimmed.empty() || trimmed.front() == '#') {
      continue;
    }
    return std::string(trimmed.substr(0, std::min(trimmed.find_first_of(" \t"), trimmed.size())));
  }
  return std::nullopt;
}

// The nearest `.python-version` at or above `cwd`.
std::optional<fs::path> python_version_file(const fs::path& cwd)
{
  for (fs::path dir = cwd; !dir.empty(); dir = dir.parent_path()) {
    std::error_code error;
    if (fs::is_regular_file(fs::symlink_status(dir / ".python-version", error))) {
      return dir / ".python-version";
    }
    if (dir == dir.parent_path()) {
      break;
    }
  }
  return std::nullopt;
}

// "3.11" / "3.11.7" -> 3.11.
std::optional<core::Version> major_minor(std::string_view text)
{
  auto version = core::Version::parse(util::trim(text));
  if (!version || version->parts().size() < 2 || version->parts().size() > 3) {
    return std::nullopt;
  }
  return version->prefix(2);
}

struct Detected {
  const detect::SystemProbe& probe;
  std::vector<detect::PythonInfo> pythons;

  // The detected interpreter that is `path`: the same path, else the same resolved file.
  const detect::PythonInfo* find(const fs::path& path) const
  {
    for (const auto& python : pythons) {
      if (python.version && fs::path(python.path) == path) {
        return &python;
      }
    }
    const auto resolved = probe.canonical(path);
    for (const auto& python : pythons) {
      if (python.version && resolved && probe.canonical(python.path) == resolved) {
        return &python;
      }
    }
    return nullptr;
  }
};

std::optional<PythonCandidate> from_env(const Detected& detected, const std::string& variable)
{
  const auto prefix = detected.probe.env(variable);
  if (!prefix) {
    return std::nullopt;
  }
  const fs::path path = fs::path(*prefix) / "bin" / "python";
  const auto* python = detected.find(path);
  if (python == nullptr) {
    return std::nullopt;
  }
  return PythonCandidate{*python->version, path.string(), variable, path.string(), true};
}

// The pyenv version a pyenv shim runs without a .python-version: PYENV_VERSION, else the
// first word of $PYENV_ROOT/version (~/.pyenv/version); nullopt for `system` or none.
std::optional<std::string> pyenv_global(const detect::SystemProbe& probe, const fs::path& shims)
{
  if (auto version = probe.env("PYENV_VERSION")) {
    const auto word = util::trim(util::split(*version, ':').front());
    return word == "system" ? std::nullopt : std::optional<std::string>(word);
  }
  const auto text = probe.read_file(shims.parent_path() / "version", 4096);
  if (!text) {
    return std::nullopt;
  }
  for (const auto line : util::split(*text, '\n')) {
    const auto word = util::trim(line);
    if (!word.empty() && word.front() != '#') {
      return word == "system" ? std::nullopt : std::optional<std::string>(word);
    }
  }
  return std::nullopt;
}

const detect::PythonInfo* pyenv_version(const Detected& detected, const std::string& name)
{
  const std::string folder = "/versions/" + name + "/";
  for (const auto& python : detected.pythons) {
    if (python.version && python.path.find(folder) != std::string::npos) {
      return &python;
    }
  }
  return nullptr;
}

// What `python3` runs: the first PATH folder that has one; a pyenv shims folder stands for
// pyenv's global version (`system`: the next folder).
std::optional<PythonCandidate> python3_on_path(const Detected& detected)
{
  for (const auto& dir : detected.probe.env_paths("PATH")) {
    if (!detected.probe.is_executable(dir / "python3")) {
      continue;
    }
    if (dir.filename() == "shims") {
      const auto name = pyenv_global(detected.probe, dir);
      const auto* python = name ? pyenv_version(detected, *name) : nullptr;
      if (python != nullptr) {
        return PythonCandidate{*python->version, python->path, "python3 on PATH",
                               python->path + " (pyenv " + *name + ")", false};
      }
      continue;
    }
    if (const auto* python = detected.find(dir / "python3")) {
      return PythonCandidate{*python->version, (dir / "python3").string(), "python3 on PATH",
                             (dir / "python3").string(), false};
    }
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<PythonCandidate> from_python_version(const Detected& detected, const fs::path& cwd)
{
  const auto file = python_version_file(cwd);
  if (!file) {
    return std::nullopt;
  }
  const auto word = first_word(*file);
  if (!word || *word == "system") {
    return std::nullopt;
  }
  // A pyenv version of that name first, then any interpreter of that X.Y.
  if (const auto* python = pyenv_version(detected, *word)) {
    return PythonCandidate{*python->version, python->path, ".python-version", file->string(), false};
  }
  const auto version = major_minor(*word);
  if (!version) {
    return std::nullopt;
  }
  PythonCandidate candidate{*version, "", ".python-version", file->string(), false};
  for (const auto& python : detected.pythons) {
    if (python.version == version) {
      candidate.path = python.path;
      break;
    }
  }
  return candidate;
}

}  // namespace

std::string PythonCandidate::text() const
{
  return "Python " + version.text() + " (" + origin + (detail.empty() ? "" : " " + detail) + ")";
}

HostPythons host_pythons(const detect::SystemProbe& probe, const fs::path& cwd)
{
  Detected detected{probe, detect::detect_pythons(probe)};
  HostPythons result;
  result.preferred = from_env(detected, "VIRTUAL_ENV");
  if (!result.preferred) {
    result.preferred = from_env(detected, "CONDA_PREFIX");
  }
  if (!result.preferred) {
    result.preferred = from_python_version(detected, cwd);
  }
  if (!result.preferred) {
    result.preferred = python3_on_path(detected);
  }
  for (const auto& python : detected.pythons) {
    if (!python.version || (result.preferred && result.preferred->version == *python.version)) {
      continue;
    }
    const bool seen = std::any_of(result.others.begin(), result.others.end(),
                                  [&](const PythonCandidate& other) { return other.version == *python.version; });
    if (!seen) {
      result.others.push_back({*python.version, python.path, python.origin, python.path, false});
    }
  }
  std::stable_sort(result.others.begin(), result.others.end(),
                   [](const PythonCandidate& a, const PythonCandidate& b) { return a.version > b.version; });
  return result;
}

util::Result<PythonCandidate> python_from_flag(const std::string& text)
{
  ENVSETUP_TRY(util::require_no_control_characters("--python", text));
  if (text.find('/') == std::string::npos) {
    const auto version = major_minor(text);
    if (!version) {
      return util::make_error(util::ErrorKind::usage, "invalid `--python` value `" + text + "`")
        .with_cause("expected X.Y, X.Y.Z or the path of a Python interpreter")
        .with_hint("write e.g. `--python 3.11`, `--python 3.11.7` or `--python /usr/bin/python3.11`");
    }
    return PythonCandidate{*version, "", "--python", version->text() == util::trim(text) ? "" : text, false};
  }
  const fs::path path = fs::absolute(text).lexically_normal();
  std::error_code error;
  const auto status = fs::status(path, error);
  const auto usage = [&](const std::string& cause) {
    return util::make_error(util::ErrorKind::usage, "`--python " + text + "` is not a usable Python interpreter")
      .with_cause(cause)
      .with_hint("pass an interpreter such as `--python /usr/bin/python3.11` or a version: `--python 3.11`");
  };
  if (!fs::is_regular_file(status) || ::access(path.c_str(), X_OK) != 0) {
    return usage(fs::exists(status) ? "it is not an executable file" : "no such file");
  }
  auto output = util::run_process(path, {"-I", "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"},
                                  std::chrono::duration_cast<std::chrono::milliseconds>(k_version_timeout));
  if (!output) {
    return usage("running it failed: " + output.error().message);
  }
  const auto answer = util::trim(output->out);
  const auto version = major_minor(answer);
  if (output->exit_code != 0 || !version || answer.find('\n') != std::string_view::npos) {
    return usage("it did not answer as a Python interpreter (`-I -c 'import sys; print(sys.version_info)'`" +
                 std::string(output->exit_code != 0 ? ", exit status " + std::to_string(output->exit_code) : "") + ")");
  }
  return PythonCandidate{*version, path.string(), "--python", path.string() + " (" + std::string(answer) + ")", false};
}

}  // namespace envsetup::app
