// SPDX-License-Identifier: Apache-2.0
#include <envsetup/verify/toolkit_check.hpp>

#include <envsetup/util/process.hpp>
#include <envsetup/verify/loaded_library.hpp>

#include <nlohmann/json.hpp>

#include <fstream>
#include <regex>
#include <sstream>

namespace envsetup::verify {

namespace fs = std::filesystem;

namespace {

Check skip(std::string name, std::string detail)
{
  return {std::move(name), CheckStatus::skip, std::move(detail), std::nullopt, {}};
}

Check fail(std::string name, std::string detail, std::string hint)
{
  return {std::move(name), CheckStatus::fail, std::move(detail), std::move(hint), {}};
}

bool same_release(const core::Version& a, const core::Version& b)
{
  const std::size_t n = std::min<std::size_t>({2, a.parts().size(), b.parts().size()});
  return a.prefix(n) == b.prefix(n);
}

// version.json's {"cuda": {"version": "12.4.1"}}; the Check says what happened.
Check version_json_check(const fs::path& prefix, const std::optional<core::Version>& cuda,
                         std::optional<core::Version>& found)
{
  const auto path = prefix / "version.json";
  std::ifstream in(path);
  if (!in) {
    return skip("toolkit:version.json", "no " + path.string() + " (a prefix assembled from wheels has none)");
  }
  std::stringstream text;
  text << in.rdbuf();
  const auto json = nlohmann::json::parse(text.str(), nullptr, false);
  const auto* version = json.is_object() && json.contains("cuda") && json["cuda"].is_object() &&
                            json["cuda"].contains("version") && json["cuda"]["version"].is_string()
                          ? &json["cuda"]["version"]
                          : nullptr;
  std::optional<core::Version> parsed;
  if (version != nullptr) {
    if (auto written = core::Version::parse(version->get<std::string>())) {
      parsed = *written;
    }
  }
  if (!parsed) {
    return fail("toolkit:version.json", path.string() + " has no valid cuda.version",
                "the prefix is damaged: reinstall it (envsetup install)");
  }
  found = *parsed;
  if (cuda && !same_release(*parsed, *cuda)) {
    return fail("toolkit:version.json", path.string() + " says CUDA " + parsed->text() + ", expected " + cuda->text(),
                "the prefix holds another CUDA than expected: pass the right --prefix or reinstall");
  }
  return {"toolkit:version.json", CheckStatus::pass, path.string() + " says CUDA " + parsed->text(), std::nullopt, {}};
}

Check nvcc_check(const fs::path& prefix, const std::optional<core::Version>& expected)
{
  const auto nvcc = prefix / "bin" / "nvcc";
  std::error_code ec;
  if (!fs::exists(nvcc, ec)) {
    return skip("toolkit:nvcc", "no " + nvcc.string() + " (a runtime-only prefix)");
  }
  auto output = util::run_process(nvcc, {"--version"}, std::chrono::seconds(30));
  if (!output || output->exit_code != 0) {
    return fail("toolkit:nvcc",
                nvcc.string() + " --version " + (output ? "exited with status " + std::to_string(output->exit_code)
                                                        : "did not run: " + output.error().message),
                "nvcc needs its neighbours in bin/ and nvvm/: reinstall the prefix");
  }
  static const std::regex release(R"(release (\d+\.\d+), V(\d+(\.\d+)*))");
  std::smatch match;
  if (!std::regex_search(output->out, match, release)) {
    return fail("toolkit:nvcc", nvcc.string() + " --version printed no `release X.Y, VX.Y.Z` line",
                "this is not NVIDIA's nvcc");
  }
  const auto version = core::Version::parse(match[2].str());
  const std::string detail = nvcc.string() + " is release " + match[1].str() + ", V" + match[2].str();
  if (version && expected && !same_release(*version, *expected)) {
    return fail("toolkit:nvcc", detail + ", expected CUDA " + expected->text(),
                "bin/nvcc is from another toolkit than the rest of the prefix: reinstall it");
  }
  return {"toolkit:nvcc", CheckStatus::pass, detail, std::nullopt, {}};
}

}  // namespace

std::vector<Check> check_toolkit(const ToolkitExpectation& expected)
{
  std::vector<Check> checks;
  std::error_code ec;
  if (!fs::is_directory(expected.prefix, ec)) {
    checks.push_back(fail("toolkit", expected.prefix.string() + " is not a folder",
                          "pass the toolkit's prefix, e.g. --prefix /usr/local/cuda-12.4"));
    return checks;
  }
  std::optional<core::Version> from_json;
  auto json_check = version_json_check(expected.prefix, expected.cuda, from_json);
  const auto cuda = expected.cuda ? expected.cuda : from_json;
  checks.push_back(nvcc_check(expected.prefix, cuda));
  checks.push_back(std::move(json_check));

  std::optional<detail::LoadedLibrary> cudart;
  std::optional<detail::LoadedLibrary> cublas;
  checks.push_back(detail::cudart_check(expected.prefix, cuda, cudart));
  checks.push_back(detail::cublas_check(expected.prefix, cuda, cublas));
  checks.push_back(detail::cudnn_check(expected.prefix, expected.cudnn));
  if (!expected.gpu_usable) {
    checks.push_back(skip("toolkit:cublas-sgemm", "no usable GPU (detection found no GPU with a working driver)"));
  } else if (!cudart || !cublas) {
    checks.push_back(skip("toolkit:cublas-sgemm", "libcudart or libcublas did not load"));
  } else {
    checks.push_back(detail::cublas_sgemm_check(*cudart, *cublas));
  }
  return checks;
}

}  // namespace envsetup::verify
