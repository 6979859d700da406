// SPDX-License-Identifier: Apache-2.0
// The pure half of check 4: a check script's JSON line -> Checks.
#include <envsetup/verify/framework_check.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <sstream>

namespace envsetup::verify {

namespace {

using nlohmann::json;

constexpr double k_max_matmul_error = 1e-2;  // relative; TF32 (TensorFlow, JAX) stays below

std::optional<std::string> text(const json& object, const char* key)
{
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? std::optional(it->get<std::string>()) : std::nullopt;
}

std::vector<std::string> texts(const json& object, const char* key)
{
  std::vector<std::string> out;
  const auto it = object.find(key);
  if (it != object.end() && it->is_array()) {
    for (const auto& item : *it) {
      if (item.is_string()) {
        out.push_back(item.get<std::string>());
      }
    }
  }
  return out;
}

bool below(const std::string& path, const std::string& dir)
{
  return !dir.empty() && path.starts_with(dir.back() == '/' ? dir : dir + "/");
}

Check make(std::string name, CheckStatus status, std::string detail, std::optional<std::string> hint = {})
{
  return {std::move(name), status, std::move(detail), std::move(hint), {}};
}

}  // namespace

util::Result<FrameworkAnswer> parse_framework_answer(const std::string& output)
{
  std::istringstream lines(output);
  std::string line;
  json object;
  while (std::getline(lines, line)) {
    if (line.starts_with("{")) {
      if (auto parsed = json::parse(line, nullptr, false); parsed.is_object()) {
        object = std::move(parsed);
      }
    }
  }
  const auto framework = object.is_object() ? text(object, "framework") : std::nullopt;
  if (!framework) {
    return util::make_error(util::ErrorKind::verification, "the check script printed no JSON answer");
  }
  FrameworkAnswer answer;
  answer.framework = *framework;
  answer.version = text(object, "version");
  answer.error = text(object, "error");
  answer.prefix = text(object, "prefix").value_or("");
  answer.site_packages = texts(object, "site_packages");
  answer.libraries = texts(object, "libraries");
  answer.cudnn_version = text(object, "cudnn_version");
  if (const auto it = object.find("cuda_build"); it != object.end()) {
    answer.cuda_build = it->is_string() ? it->get<std::string>() : std::string();  // null: CPU build
  }
  answer.cuda_available = object.value("cuda_available", false);
  if (const auto it = object.find("matmul_max_error"); it != object.end() && it->is_number()) {
    answer.matmul_max_error = it->get<double>();
  }
  if (const auto it = object.find("conv_ok"); it != object.end() && it->is_boolean()) {
    answer.conv_ok = it->get<bool>();
  }
  if (const auto it = object.find("devices"); it != object.end() && it->is_array()) {
    for (const auto& device : *it) {
      if (device.is_object()) {
        answer.devices.push_back({text(device, "name").value_or("?"), text(device, "capability").value_or("?")});
      }
    }
  }
  return answer;
}

std::vector<LoadedLibrary> classify_libraries(const FrameworkAnswer& answer,
                                              const std::vector<std::string>& ld_library_path)
{
  std::vector<LoadedLibrary> out;
  for (const auto& path : answer.libraries) {
    LoadedLibrary library{path, true, ""};
    const std::string name = std::filesystem::path(path).filename().string();
    const bool driver = name.starts_with("libcuda.so") || name.starts_with("libnvidia-");
    bool inside = below(path, answer.prefix);
    for (const auto& site : answer.site_packages) {
      inside = inside || below(path, site);
    }
    if (!driver && !inside) {
      library.expected = false;
      library.reason = "loaded from outside the interpreter's own packages";
      const std::string dir = std::filesystem::path(path).parent_path().string();
      for (const auto& entry : ld_library_path) {
        if ((std::filesystem::path(entry) / "").lexically_normal() == (std::filesystem::path(dir) / "").lexically_normal()) {
          library.reason = "loaded through the LD_LIBRARY_PATH entry `" + entry + "`";
        }
      }
    }
    out.push_back(std::move(library));
  }
  return out;
}

namespace {

Check libraries_check(const FrameworkAnswer& answer, const std::vector<std::string>& ld_library_path,
                      const std::string& name)
{
  std::string flagged;
  for (const auto& library : classify_libraries(answer, ld_library_path)) {
    if (!library.expected) {
      flagged += (flagged.empty() ? "" : "; ") + library.path + " (" + library.reason + ")";
    }
  }
  if (flagged.empty()) {
    return make(name + ":libraries", CheckStatus::pass,
                std::to_string(answer.libraries.size()) + " CUDA libraries loaded, none from an unexpected place");
  }
  return make(name + ":libraries", CheckStatus::fail, "unexpected CUDA libraries: " + flagged,
              "unset LD_LIBRARY_PATH (or drop those folders from it) so the framework loads its own copies");
}

}  // namespace

std::vector<Check> framework_checks(const FrameworkAnswer& answer, bool gpu_expected,
                                    const std::vector<std::string>& ld_library_path)
{
  const std::string name = "framework:" + answer.framework;
  const std::string reinstall = "reinstall it: envsetup resolve --framework " + answer.framework +
                                " shows the build for this host";
  std::vector<Check> checks;
  if (!answer.version) {
    checks.push_back(make(name, CheckStatus::fail, "import " + answer.framework + " failed: " +
                                                     answer.error.value_or("no version reported"),
                          reinstall));
    return checks;
  }
  const bool cpu_build = answer.cuda_build && answer.cuda_build->empty();
  checks.push_back(make(name, CheckStatus::pass,
                        answer.framework + " " + *answer.version +
                          (cpu_build ? ", a CPU-only build"
                                     : ", built for CUDA " + answer.cuda_build.value_or("(unknown)"))));
  const std::string failure = answer.error ? " (" + *answer.error + ")" : "";
  if (cpu_build || !answer.cuda_available) {
    const std::string why = cpu_build ? "a CPU-only build cannot use the GPU"
                                      : "the framework sees no GPU" + failure;
    checks.push_back(gpu_expected ? make(name + ":gpu", CheckStatus::fail, why,
                                         cpu_build ? reinstall : "run `envsetup doctor` for the driver and library findings")
                                  : make(name + ":gpu", CheckStatus::skip, why + "; this host has no usable GPU"));
    checks.push_back(libraries_check(answer, ld_library_path, name));
    return checks;
  }
  std::string devices;
  for (std::size_t i = 0; i < answer.devices.size(); ++i) {
    devices += (i == 0 ? "" : ", ") + std::to_string(i) + ": " + answer.devices[i].name + " (" +
               answer.devices[i].capability + ")";
  }
  checks.push_back(make(name + ":gpu", CheckStatus::pass, "GPU available: " + devices));
  if (!answer.matmul_max_error) {
    checks.push_back(make(name + ":matmul", CheckStatus::fail, "the GPU matmul did not run" + failure,
                          "run `envsetup doctor`"));
  } else {
    const double error = *answer.matmul_max_error;
    Check check = error <= k_max_matmul_error
                    ? make(name + ":matmul", CheckStatus::pass, "GPU matmul matches the CPU (max relative error " + std::to_string(error) + ")")
                    : make(name + ":matmul", CheckStatus::fail, "GPU matmul differs from the CPU: max relative error " + std::to_string(error),
                           "a wrong result with a working driver points at a broken GPU or library: run `envsetup verify`");
    check.metrics.push_back({"max_rel_error", error});
    checks.push_back(std::move(check));
  }
  if (answer.framework == "torch") {
    checks.push_back(answer.conv_ok.value_or(false)
                       ? make(name + ":cudnn", CheckStatus::pass, "cuDNN convolution matches the CPU (cuDNN " + answer.cudnn_version.value_or("?") + ")")
                       : make(name + ":cudnn", CheckStatus::fail, "the cuDNN convolution failed or differs from the CPU" + failure,
                              "look for a foreign libcudnn in the framework:torch:libraries check"));
  }
  checks.push_back(libraries_check(answer, ld_library_path, name));
  return checks;
}

}  // namespace envsetup::verify
