// SPDX-License-Identifier: Apache-2.0
#include <envsetup/pyenv/installer.hpp>
#include <envsetup/pyenv/venv.hpp>

#include <algorithm>
#include <array>
#include <iterator>
#include <utility>

namespace envsetup::pyenv {

std::string_view installer_name(Installer installer)
{
  return installer == Installer::uv ? "uv" : "pip";
}

util::Result<Installer> choose_installer(std::string_view choice,
                                         const std::optional<std::filesystem::path>& uv_on_path)
{
  if (choice == "pip") {
    return Installer::pip;
  }
  if (choice == "auto") {
    return uv_on_path ? Installer::uv : Installer::pip;
  }
  if (choice == "uv") {
    if (!uv_on_path) {
      return util::make_error(util::ErrorKind::usage, "`--installer uv`: uv is not on PATH")
        .with_hint("install uv (https://docs.astral.sh/uv/) or use `--installer pip`");
    }
    return Installer::uv;
  }
  return util::make_error(util::ErrorKind::usage, "invalid `--installer` value `" + std::string(choice) + "`")
    .with_hint("choose pip, uv or auto");
}

std::vector<std::string> install_command(Installer installer, const InstallRequest& request,
                                         const std::filesystem::path& uv_program)
{
  const std::string python = venv_python(request.venv).string();
  std::vector<std::string> argv;
  if (installer == Installer::uv) {
    argv = {uv_program.string(), "pip", "install", "--python", python};
  } else {
    argv = {python, "-m", "pip", "install", "--disable-pip-version-check"};
  }
  if (request.extra_index_url) {
    argv.insert(argv.end(), {"--extra-index-url", *request.extra_index_url});
  }
  argv.insert(argv.end(), request.requirements.begin(), request.requirements.end());
  return argv;
}

std::string hashed_requirements(const std::vector<LocalWheel>& wheels)
{
  // name==version -> its hashes, in the order first seen.
  std::vector<std::pair<std::string, std::vector<std::string>>> lines;
  for (const auto& wheel : wheels) {
    const std::string pin = wheel.name + "==" + wheel.version;
    auto line = std::find_if(lines.begin(), lines.end(), [&pin](const auto& entry) { return entry.first == pin; });
    if (line == lines.end()) {
      lines.push_back({pin, {}});
      line = std::prev(lines.end());
    }
    line->second.push_back(wheel.sha256);
  }
  std::string text;
  for (const auto& [pin, hashes] : lines) {
    text += pin;
    for (const auto& hash : hashes) {
      text += " --hash=sha256:" + hash;
    }
    text += '\n';
  }
  return text;
}

std::vector<std::string> locked_install_command(const std::filesystem::path& venv,
                                                const std::filesystem::path& wheel_dir,
                                                const std::filesystem::path& requirements)
{
  return {venv_python(venv).string(), "-m", "pip", "install", "--disable-pip-version-check", "--no-index",
          "--find-links", wheel_dir.string(), "--no-deps", "--require-hashes", "--no-input", "-r",
          requirements.string()};
}

bool output_shows_network_failure(std::string_view output)
{
  // pip (urllib3) and uv (reqwest) wordings for an index that cannot be reached.
  static constexpr std::array<std::string_view, 12> k_signs = {
    "NewConnectionError", "Failed to establish a new connection", "Connection refused",
    "connection broken by", "Could not fetch URL", "Temporary failure in name resolution",
    "Name or service not known", "ConnectTimeoutError", "Read timed out", "SSLError",
    "error sending request for url", "Failed to fetch",
  };
  for (const auto sign : k_signs) {
    if (output.find(sign) != std::string_view::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace envsetup::pyenv
