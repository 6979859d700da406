// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/detect_command.hpp>

#include <envsetup/detect/detect.hpp>

#include <cstdlib>

extern char** environ;  // NOLINT: POSIX

namespace envsetup::app {

namespace {

detect::SystemProbe::Environment process_environment()
{
  detect::SystemProbe::Environment environment;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string text(*entry);
    const auto eq = text.find('=');
    if (eq != std::string::npos) {
      environment.emplace(text.substr(0, eq), text.substr(eq + 1));
    }
  }
  return environment;
}

}  // namespace

util::Result<detect::SystemProbe> make_probe(const std::optional<std::filesystem::path>& sysroot,
                                             const detect::SystemProbe::Environment& overrides)
{
  auto environment = process_environment();
  for (const auto& [name, value] : overrides) {
    environment[name] = value;
  }
  std::filesystem::path root;
  if (sysroot) {
    root = *sysroot;
  } else if (const auto it = environment.find("ENVSETUP_SYSROOT");
             it != environment.end() && !it->second.empty()) {
    root = it->second;
  }
  std::error_code ec;
  if (!root.empty() && !std::filesystem::is_directory(root, ec)) {
    return util::make_error(util::ErrorKind::usage,
                            "the sysroot `" + root.string() + "` is not a folder")
      .with_hint("pass a folder laid out like `/` (with proc/, sys/, usr/, etc/ as needed)");
  }
  return detect::SystemProbe(root, std::move(environment));
}

util::Result<detect::HostReport> run_detect(const DetectOptions& options)
{
  auto probe = make_probe(options.sysroot);
  if (!probe) {
    return std::move(probe).error();
  }
  auto matrix = load_matrix(with_environment(options.matrix));
  if (!matrix) {
    return std::move(matrix).error();
  }
  return detect::detect_host(*probe, *matrix);
}

}  // namespace envsetup::app
