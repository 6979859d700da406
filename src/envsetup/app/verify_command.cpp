// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/detect_command.hpp>
#include <envsetup/app/kernel_checks.hpp>
#include <envsetup/app/setup_checks.hpp>
#include <envsetup/app/verify_command.hpp>

#include <envsetup/detect/detect.hpp>
#include <envsetup/util/process.hpp>
#include <envsetup/verify/checks.hpp>
#include <envsetup/verify/worker_json.hpp>

#include <algorithm>
#include <chrono>
#include <iterator>

namespace envsetup::app {

namespace {

// The libcuda.so.1 to load: a file inside the sysroot, or the bare name for the system's
// search (dlopen then reports whether it exists).
std::optional<std::string> libcuda_path(const detect::SystemProbe& probe)
{
  if (!probe.has_sysroot()) {
    return std::string("libcuda.so.1");
  }
  for (const auto& dir : detect::library_dirs()) {
    if (probe.is_file(dir + "/libcuda.so.1")) {
      return probe.real_path(*probe.canonical(dir + "/libcuda.so.1")).string();
    }
  }
  return std::nullopt;
}

struct WorkerRun {
  std::optional<std::string> out;  // stdout, when the worker finished
  bool timed_out = false;
  std::string failure;             // why there is no output
};

WorkerRun run_worker(const VerifyOptions& options, const std::vector<std::string>& args)
{
  WorkerRun run;
  const auto start = std::chrono::steady_clock::now();
  auto output = util::run_process(options.worker, args, options.timeout);
  if (!output) {
    // run_process fails for a program that cannot start (at once) or one it had to kill.
    run.timed_out = std::chrono::steady_clock::now() - start >= options.timeout;
    run.failure = output.error().message;
    for (const auto& cause : output.error().causes) {
      run.failure += ": " + cause;
    }
    return run;
  }
  if (output->exit_code != 0) {
    run.failure = "it exited with status " + std::to_string(output->exit_code);
    if (!output->err.empty()) {
      run.failure += ": " + output->err.substr(0, output->err.find('\n'));
    }
    return run;
  }
  run.out = std::move(output->out);
  return run;
}

verify::Check matmul_on(const VerifyOptions& options, const std::string& library, int gpu)
{
  const auto run = run_worker(options, {"verify-gpu-worker", "--library", library, "--gpu",
                                        std::to_string(gpu), "--size", std::to_string(options.size)});
  if (!run.out) {
    return verify::matmul_worker_failed(gpu, run.timed_out, options.timeout, run.failure);
  }
  auto result = verify::parse_matmul_line(*run.out);
  if (!result) {
    return verify::matmul_worker_failed(gpu, false, options.timeout,
                                        result.error().message + ": " + result.error().causes.front());
  }
  return verify::matmul_check(*result);
}

// "framework:<name>:kernels" for the frameworks detection found in the venv `venv`.
std::vector<verify::Check> kernel_checks_of(const detect::HostReport& host, const matrix::Matrix& matrix,
                                            const std::string& venv)
{
  std::vector<std::string> frameworks;
  for (const auto& python : host.pythons) {
    if (venv_of_python(python.path) != std::filesystem::path(venv)) {
      continue;
    }
    for (const auto& framework : python.frameworks) {
      if (has_check_script(framework.name) &&
          std::find(frameworks.begin(), frameworks.end(), framework.name) == frameworks.end()) {
        frameworks.push_back(framework.name);
      }
    }
  }
  return venv_kernel_checks(venv, frameworks, host, matrix);
}

// Checks 3 and 4: the toolkit of --prefix, else the first one detection found (a process
// loads one toolkit's libraries: the others are named in a skip); the frameworks of --venv,
// else of every detected Python that has one.
void setup_checks(const VerifyOptions& options, const detect::SystemProbe& probe, const detect::HostReport& host,
                  const matrix::Matrix& matrix, bool gpu_usable, const std::optional<std::filesystem::path>& venv,
                  std::vector<verify::Check>& checks)
{
  auto append = [&](std::vector<verify::Check> more) {
    checks.insert(checks.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
  };
  if (options.prefix) {
    append(prefix_checks(probe, host, *options.prefix, gpu_usable));
  } else if (!host.toolkits.empty()) {
    append(prefix_checks(probe, host, host.toolkits.front().path, gpu_usable));
    for (std::size_t i = 1; i < host.toolkits.size(); ++i) {
      checks.push_back({"toolkit", verify::CheckStatus::skip,
                        "not checked in this run: " + host.toolkits[i].path,
                        "envsetup verify --prefix " + host.toolkits[i].path, {}});
    }
  } else {
    checks.push_back({"toolkit", verify::CheckStatus::skip, "no CUDA toolkit found (none is needed for pip wheels)",
                      std::nullopt, {}});
  }
  const auto library_path = ld_library_path(probe);
  if (venv) {
    append(venv_checks(probe, host, library_path, *venv, options.framework_timeout));
    append(kernel_checks_of(host, matrix, venv->string()));
    return;
  }
  const std::size_t before = checks.size();
  for (const auto& python : host.pythons) {
    append(python_checks(python, probe, host, library_path, options.framework_timeout));
    if (const auto python_venv = venv_of_python(python.path)) {
      append(kernel_checks_of(host, matrix, python_venv->string()));
    }
  }
  if (checks.size() == before) {
    checks.push_back({"framework", verify::CheckStatus::skip,
                      "no torch, tensorflow or jax found in the detected Pythons", "pass --venv DIR to check one",
                      {}});
  }
}

}  // namespace

util::Result<VerifyReport> run_verify(const VerifyOptions& options)
{
  detect::SystemProbe::Environment overrides;
  std::optional<std::filesystem::path> venv;
  if (options.venv) {
    venv = normalized_venv(*options.venv);
    overrides.emplace("VIRTUAL_ENV", venv->string());  // so detection looks at its Python
  }
  auto probe = make_probe(options.sysroot, overrides);
  if (!probe) {
    return std::move(probe).error();
  }
  auto matrix = load_matrix(with_environment(options.matrix));
  if (!matrix) {
    return std::move(matrix).error();
  }
  const auto host = detect::detect_host(*probe, *matrix);
  VerifyReport report;
  report.warnings = host.warnings;

  verify::DriverFacts facts;
  if (host.driver) {
    facts.kernel_module = host.driver->kernel_module;
    // A driver version has at least two parts; "1" is a bare libcuda.so.1 file, no version.
    if (host.driver->libcuda && host.driver->libcuda->parts().size() >= 2) {
      facts.libcuda = host.driver->libcuda;
    }
  }
  facts.wsl = host.host.wsl;
  facts.library = libcuda_path(*probe);
  if (facts.library) {
    const auto run = run_worker(options, {"verify-gpu-worker", "--library", *facts.library});
    if (run.out) {
      auto answer = verify::parse_probe_line(*run.out);
      if (answer) {
        facts.probe = std::move(*answer);
      } else {
        facts.probe_failure = answer.error().message + ": " + answer.error().causes.front();
      }
    } else {
      facts.probe_failure = run.failure;
    }
  }
  report.checks.push_back(verify::driver_check(facts));

  if (!verify::gpus_usable(facts)) {
    report.checks.push_back({"gpu-matmul", verify::CheckStatus::skip,
                             "skipped: the driver check found no usable GPU",
                             "fix the driver check first", {}});
  } else if (options.gpu && *options.gpu >= facts.probe->device_count) {
    report.checks.push_back({verify::matmul_check_name(*options.gpu), verify::CheckStatus::fail,
                             "no GPU " + std::to_string(*options.gpu) + ": CUDA sees " +
                               std::to_string(facts.probe->device_count),
                             "pick one of 0.." + std::to_string(facts.probe->device_count - 1) +
                               " or `--gpu all`",
                             {}});
  } else {
    const int first = options.gpu.value_or(0);
    const int last = options.gpu.value_or(facts.probe->device_count - 1);
    for (int gpu = first; gpu <= last; ++gpu) {
      report.checks.push_back(matmul_on(options, *facts.library, gpu));
    }
  }
  setup_checks(options, *probe, host, *matrix, verify::gpus_usable(facts), venv, report.checks);
  return report;
}

std::string run_verify_worker(const WorkerOptions& options)
{
  if (!options.gpu) {
    return verify::probe_to_json_line(verify::probe_driver(options.library));
  }
  return verify::matmul_to_json_line(verify::run_matmul(options.library, *options.gpu, options.size));
}

}  // namespace envsetup::app
