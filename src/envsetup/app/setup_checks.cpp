// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/setup_checks.hpp>
#include <envsetup/app/templates.hpp>
#include <envsetup/verify/framework_check.hpp>
#include <envsetup/verify/toolkit_check.hpp>

namespace envsetup::app {

namespace fs = std::filesystem;

bool has_check_script(const std::string& framework)
{
  return framework == "torch" || framework == "tensorflow" || framework == "jax";
}

util::Result<std::string> framework_check_script(const std::string& framework)
{
  if (!has_check_script(framework)) {
    return util::make_error(util::ErrorKind::usage, "no check script for framework `" + framework + "`")
      .with_hint("use torch, tensorflow or jax");
  }
  auto common = template_text("verify/common.py");
  if (!common) {
    return std::move(common).error();
  }
  auto script = template_text("verify/" + framework + "_check.py");
  if (!script) {
    return std::move(script).error();
  }
  return *common + "\n" + *script;
}

std::vector<std::string> ld_library_path(const detect::SystemProbe& probe)
{
  std::vector<std::string> dirs;
  for (const auto& dir : probe.env_paths("LD_LIBRARY_PATH")) {
    dirs.push_back(dir.string());
  }
  return dirs;
}

std::vector<verify::Check> prefix_checks(const detect::SystemProbe& probe, const detect::HostReport& report,
                                         const fs::path& prefix, bool gpu_usable)
{
  verify::ToolkitExpectation expected;
  expected.prefix = probe.real_path(prefix);
  const auto canonical = probe.canonical(prefix);
  for (const auto& toolkit : report.toolkits) {
    if (canonical && toolkit.path == canonical->string()) {
      expected.cuda = toolkit.version;
      expected.cudnn = toolkit.cudnn_version;
    }
  }
  expected.gpu_usable = gpu_usable && !probe.has_sysroot();
  return verify::check_toolkit(expected);
}

std::vector<verify::Check> python_checks(const detect::PythonInfo& python, const detect::SystemProbe& probe,
                                         const detect::HostReport& report,
                                         const std::vector<std::string>& ld_library_path,
                                         std::chrono::milliseconds timeout)
{
  std::vector<verify::Check> checks;
  const bool gpu_expected = report.driver.has_value() && !report.gpus.empty();
  for (const auto& framework : python.frameworks) {
    if (!has_check_script(framework.name)) {
      continue;  // numpy and the like
    }
    auto script = framework_check_script(framework.name);
    if (!script) {
      checks.push_back({"framework:" + framework.name, verify::CheckStatus::fail, script.error().message,
                        std::nullopt, {}});
      continue;
    }
    verify::FrameworkCheckRun run{probe.real_path(python.path), framework.name, *script, timeout, gpu_expected,
                                  ld_library_path};
    for (auto& check : verify::check_framework(run)) {
      checks.push_back(std::move(check));
    }
  }
  return checks;
}

std::vector<verify::Check> venv_checks(const detect::SystemProbe& probe, const detect::HostReport& report,
                                       const std::vector<std::string>& ld_library_path, const fs::path& venv,
                                       std::chrono::milliseconds timeout)
{
  const detect::PythonInfo* python = nullptr;
  for (const auto& candidate : report.pythons) {
    if (fs::path(candidate.path).parent_path().parent_path() == venv) {
      python = &candidate;
    }
  }
  if (python == nullptr) {
    return {{"framework", verify::CheckStatus::skip, "no working Python interpreter in `" + venv.string() + "`",
             std::nullopt, {}}};
  }
  auto checks = python_checks(*python, probe, report, ld_library_path, timeout);
  if (checks.empty()) {
    checks.push_back({"framework", verify::CheckStatus::skip,
                      "no torch, tensorflow or jax is installed in `" + venv.string() + "`", std::nullopt, {}});
  }
  return checks;
}

fs::path normalized_venv(const fs::path& venv)
{
  fs::path normalized = fs::absolute(venv).lexically_normal();
  if (!normalized.has_filename()) {
    normalized = normalized.parent_path();
  }
  return normalized;
}

}  // namespace envsetup::app
