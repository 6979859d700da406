// SPDX-License-Identifier: Apache-2.0
#include <envsetup/verify/checks.hpp>

#include <cstdio>

namespace envsetup::verify {

namespace {

constexpr const char* k_check_dmesg =
  "check `sudo dmesg | grep -i -e nvrm -e xid` and `nvidia-smi`; a GPU in a bad state may need "
  "a reset or a reboot";

Check failed(std::string name, std::string detail, std::string hint)
{
  return Check{std::move(name), CheckStatus::fail, std::move(detail), std::move(hint), {}};
}

std::string cuda_text(int encoded)
{
  return std::to_string(encoded / 1000) + "." + std::to_string((encoded % 1000) / 10);
}

std::string format(const char* pattern, double value)
{
  char text[64];
  std::snprintf(text, sizeof text, pattern, value);
  return text;
}

bool library_loads(const DriverFacts& facts)
{
  return facts.library && (!facts.probe || facts.probe->loaded);
}

}  // namespace

Check driver_check(const DriverFacts& facts)
{
  const std::string name = "driver";
  const auto& module = facts.kernel_module;
  if (!module && !library_loads(facts)) {
    return failed(name, "no NVIDIA driver loaded (no kernel module, no loadable libcuda.so.1)",
                  facts.wsl ? "install NVIDIA's Windows driver (it brings WSL's libcuda.so.1)"
                            : "install the NVIDIA driver (Debian: `sudo apt install nvidia-driver`; "
                              "or NVIDIA's .run installer) and reboot");
  }
  if (!module && !facts.wsl) {
    return failed(name, "libcuda.so.1 is installed but the NVIDIA kernel module is not loaded",
                  "load it with `sudo modprobe nvidia`; if that fails, `sudo dmesg` says why "
                  "(Secure Boot signing, a kernel update without a DKMS rebuild), or reboot");
  }
  if (module && !library_loads(facts)) {
    std::string detail = "the kernel module " + module->text() + " is loaded but libcuda.so.1 ";
    detail += facts.library ? "cannot be loaded: " + facts.probe->load_error : "was not found";
    return failed(name, detail,
                  "install the user-space driver libraries of version " + module->text() +
                    " (the package that ships libcuda.so.1, e.g. `libcuda1` on Debian)");
  }
  if (module && facts.libcuda && *module != *facts.libcuda) {
    return failed(name,
                  "libcuda.so.1 is " + facts.libcuda->text() + " but the kernel module is " +
                    module->text(),
                  "user space and kernel module differ, usually after a driver update without a "
                  "reboot: reboot, or reinstall driver " + module->text() + " completely");
  }
  if (!facts.probe) {
    return failed(name, "loading libcuda.so.1 gave no answer: " + facts.probe_failure,
                  "the driver hung or crashed in cuInit; " + std::string(k_check_dmesg));
  }
  const DriverProbe& probe = *facts.probe;
  if (!probe.init_error.empty()) {
    const bool no_device = probe.init_error.find("NO_DEVICE") != std::string::npos;
    return failed(name, "cuInit failed: " + probe.init_error,
                  no_device ? "CUDA sees no GPU: check `nvidia-smi`, CUDA_VISIBLE_DEVICES and the "
                              "permissions of /dev/nvidia*"
                            : k_check_dmesg);
  }
  if (probe.device_count <= 0) {
    return failed(name, "cuInit succeeded but CUDA sees no GPU",
                  "check `nvidia-smi` and CUDA_VISIBLE_DEVICES");
  }
  std::string detail;
  if (module && facts.libcuda) {
    detail = module->text() + ": kernel module and libcuda.so.1 agree";
  } else if (module) {
    detail = module->text() + " (kernel module); libcuda.so.1's version is not in its file name, "
                              "not compared";
  } else {
    detail = "WSL: libcuda.so.1 loads (no kernel module to compare)";
  }
  detail += "; CUDA " + cuda_text(probe.cuda_version) + "; " + std::to_string(probe.device_count) +
            (probe.device_count == 1 ? " GPU" : " GPUs");
  return Check{name, CheckStatus::pass, detail, std::nullopt,
               {{"gpus", static_cast<double>(probe.device_count)}}};
}

bool gpus_usable(const DriverFacts& facts)
{
  return facts.probe && facts.probe->loaded && facts.probe->init_error.empty() &&
         facts.probe->device_count > 0;
}

std::string matmul_check_name(int gpu)
{
  return "gpu-matmul[" + std::to_string(gpu) + "]";
}

Check matmul_check(const MatmulResult& result)
{
  const std::string name = matmul_check_name(result.gpu);
  std::string gpu = "GPU " + std::to_string(result.gpu);
  if (!result.name.empty()) {
    gpu += " " + result.name;
  }
  if (!result.compute_capability.empty()) {
    gpu += " (" + result.compute_capability + ")";
  }
  if (!result.error.empty()) {
    if (!result.jit_log.empty()) {
      const auto line = result.jit_log.substr(0, result.jit_log.find('\n'));
      return failed(name, gpu + ": " + result.error + ": " + line,
                    "the driver could not compile the PTX kernel; drivers older than 450 cannot "
                    "read PTX 7.0: update the driver");
    }
    return failed(name, gpu + ": " + result.error, k_check_dmesg);
  }
  const std::string size = std::to_string(result.size);
  std::string numbers = "max relative error " + format("%.3g", result.max_relative_error) +
                        " (bound " + format("%.3g", result.error_bound) + ")";
  Check check{name, CheckStatus::pass, "", std::nullopt,
              {{"gflops", result.gflops},
               {"h2d_gb_per_s", result.h2d_gb_per_s},
               {"d2h_gb_per_s", result.d2h_gb_per_s},
               {"max_relative_error", result.max_relative_error},
               {"error_bound", result.error_bound}}};
  if (result.bad_elements > 0) {
    check.status = CheckStatus::fail;
    check.detail = gpu + ": " + std::to_string(result.bad_elements) + " of " + size + "x" + size +
                   " elements are wrong, " + numbers;
    check.hint = "the GPU computed wrong results: check `sudo dmesg` for Xid errors, "
                 "`nvidia-smi -q -d ECC,TEMPERATURE,CLOCK`, and report it with `envsetup verify --json`";
    return check;
  }
  check.detail = gpu + ": " + size + "x" + size + " SGEMM " + format("%.1f", result.gflops) +
                 " GFLOP/s, " + numbers + ", host->device " + format("%.2f", result.h2d_gb_per_s) +
                 " GB/s, device->host " + format("%.2f", result.d2h_gb_per_s) + " GB/s";
  return check;
}

Check matmul_worker_failed(int gpu, bool timed_out, std::chrono::milliseconds timeout,
                           const std::string& why)
{
  const std::string name = matmul_check_name(gpu);
  if (timed_out) {
    return failed(name,
                  "GPU " + std::to_string(gpu) + ": no answer within " +
                    format("%g", static_cast<double>(timeout.count()) / 1000.0) + " s (killed)",
                  "the driver hung; " + std::string(k_check_dmesg));
  }
  return failed(name, "GPU " + std::to_string(gpu) + ": the check's process failed: " + why,
                k_check_dmesg);
}

}  // namespace envsetup::verify
