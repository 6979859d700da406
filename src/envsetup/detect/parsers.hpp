// SPDX-License-Identifier: Apache-2.0
// Pure parsers for the text sources host detection reads. None does I/O; each takes the
// file's (or command's) text and returns nullopt / an empty result on anything it does not
// recognise — garbage never throws or crashes (they are fuzzed in tests).
#pragma once

#include <envsetup/core/gpu_arch.hpp>
#include <envsetup/core/version.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace envsetup::detect {

// /proc/driver/nvidia/version, e.g.
// "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  Sat Aug 19 01:15:15 UTC 2023"
// "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  570.86.15  Release Build ..."
// -> 535.104.05. Also accepts the bare version of /sys/module/nvidia/version ("535.104.05\n").
[[nodiscard]] std::optional<core::Version> parse_driver_version(std::string_view text);

// /etc/os-release (KEY=value lines, values optionally quoted) -> map of keys to unquoted
// values; malformed lines are skipped.
[[nodiscard]] std::map<std::string, std::string> parse_os_release(std::string_view text);

// One GPU of /proc/driver/nvidia/gpus/<bus>/information:
// "Model: \t\t NVIDIA GeForce RTX 3090\nIRQ: ...\nBus Location: \t 0000:01:00.0\n..."
struct ProcGpuInformation {
  std::string model;
  std::string bus_location;
};
[[nodiscard]] std::optional<ProcGpuInformation> parse_proc_gpu_information(std::string_view text);

// A toolkit's version.json ({"cuda": {"name": ..., "version": "12.4.1"}, ...}) -> 12.4.1.
[[nodiscard]] std::optional<core::Version> parse_cuda_version_json(std::string_view text);

// A toolkit's version.txt ("CUDA Version 11.0.228") -> 11.0.228.
[[nodiscard]] std::optional<core::Version> parse_cuda_version_txt(std::string_view text);

// `nvcc --version` output ("Cuda compilation tools, release 12.4, V12.4.131") -> 12.4
// (the toolkit release; V12.4.131 is nvcc's own component version).
[[nodiscard]] std::optional<core::Version> parse_nvcc_version(std::string_view text);

// cuda_runtime_api.h: "#define CUDART_VERSION 12040" -> 12.4.
[[nodiscard]] std::optional<core::Version> parse_cudart_header(std::string_view text);

// cudnn_version.h (or cudnn.h of cuDNN <= 8.0): CUDNN_MAJOR / CUDNN_MINOR /
// CUDNN_PATCHLEVEL defines -> 9.19.0.
[[nodiscard]] std::optional<core::Version> parse_cudnn_header(std::string_view text);

// A shared library's versioned file name: ("libcudnn.so.9.1.0", "libcudnn.so") -> 9.1.0;
// ("libcuda.so.535.104.05", "libcuda.so") -> 535.104.05; nullopt when `file_name` is not
// `library` followed by ".N[.N...]".
[[nodiscard]] std::optional<core::Version> parse_library_file_version(std::string_view file_name,
                                                                      std::string_view library);

// A Python distribution's metadata folder name, e.g. "torch-2.5.1+cu124.dist-info",
// "nvidia_cudnn_cu12-9.1.0.70.dist-info", "numpy-1.26.4.dist-info", "jax-0.4.30.egg-info".
struct DistributionName {
  std::string name;           // normalised: lower-case, '-' and '.' replaced by '_'
  std::string version;        // as written, local tag included: "2.5.1+cu124"
  core::Version release;      // the numeric release part: 2.5.1
  std::string local;          // the local tag without '+': "cu124"; empty when none
};
[[nodiscard]] std::optional<DistributionName> parse_distribution_dir(std::string_view dir_name);

// torch/version.py: "cuda: Optional[str] = '12.4'" or "cuda = None" -> "12.4" or "" (CPU
// build); nullopt when the file has no cuda assignment.
[[nodiscard]] std::optional<std::string> parse_torch_version_py(std::string_view text);

// tensorflow/python/platform/build_info.py: ('is_cuda_build', True) and
// ('cuda_version', '12.2') entries -> "12.2", "" for a CPU build, nullopt when unknown.
[[nodiscard]] std::optional<std::string> parse_tensorflow_build_info(std::string_view text);

// pci.ids: the name of NVIDIA (vendor 10de) device `device_id`, e.g. 0x2204 ->
// "GA102 [GeForce RTX 3090]"; nullopt when absent.
[[nodiscard]] std::optional<std::string> find_pci_device_name(std::string_view pci_ids,
                                                              std::uint16_t device_id);

// A sysfs hex attribute ("0x10de\n") -> 0x10de.
[[nodiscard]] std::optional<std::uint32_t> parse_sysfs_hex(std::string_view text);

// `nvidia-smi --query-gpu=index,name,compute_cap,memory.total,pci.bus_id,driver_version
//  --format=csv,noheader,nounits` output, one line per GPU:
// "0, NVIDIA H100 80GB HBM3, 9.0, 81559, 00000000:19:00.0, 580.95.05".
struct SmiGpu {
  int index = 0;
  std::string name;
  std::optional<core::ComputeCapability> compute_capability;
  std::optional<std::uint64_t> memory_bytes;  // memory.total is in MiB
  std::string pci_bus_id;
  std::optional<core::Version> driver;
};
[[nodiscard]] std::vector<SmiGpu> parse_nvidia_smi_csv(std::string_view text);

// The version glibc reports in its binary ("GNU C Library (Debian GLIBC 2.36-9) stable release
// version 2.36.") or in a file name ("libc-2.31.so") -> 2.36 / 2.31.
[[nodiscard]] std::optional<core::Version> parse_glibc_version(std::string_view text);

// The L4T release of /etc/nv_tegra_release ("# R36 (release), REVISION: 4.0, GCID: ...")
// -> "R36.4.0"; nullopt when the text is not such a line.
[[nodiscard]] std::optional<std::string> parse_l4t_release(std::string_view text);

// The Tegra entry of a device-tree `compatible` property (NUL-separated strings such as
// "nvidia,p3768-0000+p3767-0005", "nvidia,tegra234") -> "nvidia,tegra234"; nullopt when no
// entry starts with "nvidia,tegra".
[[nodiscard]] std::optional<std::string> parse_tegra_compatible(std::string_view text);

}  // namespace envsetup::detect
