// SPDX-License-Identifier: Apache-2.0
// Driver and GPUs, from the best source that answers: overrides, NVML, the driver API,
// kernel interfaces with a PCI scan, and nvidia-smi as the last resort.
#include <envsetup/detect/detect.hpp>
#include <envsetup/detect/gpu_libraries.hpp>
#include <envsetup/detect/parsers.hpp>
#include <envsetup/util/strings.hpp>

#include <algorithm>

namespace envsetup::detect {

namespace {

using namespace std::chrono_literals;

// The library to dlopen: a file inside the sysroot, or the bare name for the system search.
std::optional<std::string> find_library(const SystemProbe& probe, const std::string& name)
{
  if (!probe.has_sysroot()) {
    return name;
  }
  for (const auto& dir : library_dirs()) {
    if (probe.is_file(dir + "/" + name)) {
      return probe.real_path(*probe.canonical(dir + "/" + name)).string();
    }
  }
  return std::nullopt;
}

// The user-space driver library's version, from the name libcuda.so.1 resolves to. A bare
// libcuda.so.1 file (no link to libcuda.so.<driver version>) says nothing: a driver version
// has at least two parts, the "1" is the soname's.
std::optional<core::Version> libcuda_version(const SystemProbe& probe)
{
  for (const auto& dir : library_dirs()) {
    if (auto resolved = probe.canonical(dir + "/libcuda.so.1")) {
      if (auto version = parse_library_file_version(resolved->filename().string(), "libcuda.so");
          version && version->parts().size() >= 2) {
        return version;
      }
    }
  }
  return std::nullopt;
}

std::optional<std::pair<core::Version, std::string>> kernel_module_version(const SystemProbe& probe)
{
  if (auto text = probe.read_file("/proc/driver/nvidia/version", 65536)) {
    if (auto version = parse_driver_version(*text)) {
      return std::pair{*version, std::string("proc")};
    }
  }
  if (auto text = probe.read_file("/sys/module/nvidia/version", 4096)) {
    if (auto version = parse_driver_version(*text)) {
      return std::pair{*version, std::string("sysfs")};
    }
  }
  return std::nullopt;
}

const matrix::Chip* chip_for_device(const matrix::Matrix& matrix, std::uint32_t device_id)
{
  for (const auto& chip : matrix.chips) {
    for (const auto& [first, last] : chip.pci_device_ids) {
      if (device_id >= first && device_id <= last) {
        return &chip;
      }
    }
  }
  return nullptr;
}

// NVIDIA display and 3D controllers on the PCI bus, named from /proc (when the driver is
// loaded) or pci.ids, with the compute capability from the matrix's chip table.
std::vector<GpuInfo> scan_pci(const SystemProbe& probe, const matrix::Matrix& matrix)
{
  std::optional<std::string> pci_ids;
  bool pci_ids_read = false;
  std::vector<GpuInfo> gpus;
  const std::string devices = "/sys/bus/pci/devices";
  for (const auto& address : probe.list_dir(devices)) {
    const std::string dir = devices + "/" + address;
    const auto vendor = parse_sysfs_hex(probe.read_file(dir + "/vendor", 64).value_or(""));
    const auto klass = parse_sysfs_hex(probe.read_file(dir + "/class", 64).value_or(""));
    const auto device = parse_sysfs_hex(probe.read_file(dir + "/device", 64).value_or(""));
    if (vendor != 0x10deU || !klass || !device ||
        ((*klass >> 8) != 0x0300U && (*klass >> 8) != 0x0302U)) {
      continue;
    }
    GpuInfo gpu;
    gpu.index = static_cast<int>(gpus.size());
    gpu.pci_bus_id = address;
    gpu.source = "pci";
    const auto* chip = chip_for_device(matrix, *device);
    if (chip != nullptr) {
      gpu.compute_capability = chip->capability;
    }
    if (auto info = probe.read_file("/proc/driver/nvidia/gpus/" + address + "/information", 65536)) {
      if (auto parsed = parse_proc_gpu_information(*info); parsed && !parsed->model.empty()) {
        gpu.name = parsed->model;
      }
    }
    if (gpu.name.empty()) {
      if (!pci_ids_read) {
        pci_ids_read = true;
        pci_ids = probe.read_file("/usr/share/misc/pci.ids", 8 << 20);
        if (!pci_ids) {
          pci_ids = probe.read_file("/usr/share/hwdata/pci.ids", 8 << 20);
        }
      }
      const auto name = pci_ids ? find_pci_device_name(*pci_ids, static_cast<std::uint16_t>(*device))
                                : std::nullopt;
      gpu.name = name ? *name
                      : (chip != nullptr ? chip->name : "NVIDIA device 0x" + [&] {
                          char hex[8];
                          std::snprintf(hex, sizeof hex, "%04x", *device);
                          return std::string(hex);
                        }());
    }
    gpus.push_back(std::move(gpu));
  }
  return gpus;
}

// ENVSETUP_GPUS for detection: a field that does not parse is ignored with a warning (the cli
// has refused such a value before detection runs; see parse_gpus_override).
std::vector<GpuInfo> gpus_from_override(const std::string& value, std::vector<std::string>& warnings)
{
  std::vector<GpuInfo> gpus;
  if (util::trim(value) == "none") {
    return gpus;
  }
  for (const auto field : util::split(value, ',')) {
    auto capability = core::ComputeCapability::parse(field);
    if (!capability) {
      warnings.push_back("ENVSETUP_GPUS: ignoring `" + util::escape_control_characters(field) +
                         "`, not a compute capability");
      continue;
    }
    GpuInfo gpu;
    gpu.index = static_cast<int>(gpus.size());
    gpu.compute_capability = *capability;
    gpu.source = "ENVSETUP_GPUS";
    gpus.push_back(std::move(gpu));
  }
  return gpus;
}

void use_nvidia_smi(const SystemProbe& probe, HostReport& report)
{
  for (const auto& dir : probe.env_paths("PATH")) {
    const auto smi = dir / "nvidia-smi";
    if (!probe.is_executable(smi)) {
      continue;
    }
    auto output = probe.run(smi,
                            {"--query-gpu=index,name,compute_cap,memory.total,pci.bus_id,driver_version",
                             "--format=csv,noheader,nounits"},
                            10s);
    if (!output || output->exit_code != 0) {
      report.warnings.push_back("nvidia-smi failed: " +
                                (output ? std::string(util::trim(output->out + output->err))
                                        : output.error().message));
      return;
    }
    std::vector<GpuInfo> gpus;
    for (const auto& row : parse_nvidia_smi_csv(output->out)) {
      GpuInfo gpu{row.index, row.name, row.compute_capability, row.memory_bytes, row.pci_bus_id,
                  "nvidia-smi"};
      if (!report.driver && row.driver) {
        report.driver = DriverInfo{*row.driver, {}, "nvidia-smi", "", {}, {}};
      }
      gpus.push_back(std::move(gpu));
    }
    if (!gpus.empty()) {
      report.gpus = std::move(gpus);
    }
    return;
  }
}

}  // namespace

void detect_driver_and_gpus(const SystemProbe& probe, const matrix::Matrix& matrix,
                            HostReport& report)
{
  const auto module = kernel_module_version(probe);
  LibraryAnswer nvml;
  if (const auto library = find_library(probe, "libnvidia-ml.so.1")) {
    nvml = query_nvml(*library);
  }
  if (nvml.driver) {
    report.driver = DriverInfo{*nvml.driver, nvml.cuda_version, "nvml",
                               nvml.cuda_version ? "nvml" : "", {}, {}};
  } else if (!nvml.failure.empty() && module) {
    report.warnings.push_back("the NVIDIA kernel module " + module->first.text() +
                              " is loaded but NVML gave no answer: " + nvml.failure);
  }
  report.gpus = nvml.gpus;
  if (report.gpus.empty() && (module || probe.has_sysroot())) {
    if (const auto library = find_library(probe, "libcuda.so.1")) {
      const LibraryAnswer cuda = query_cuda_driver(*library);
      report.gpus = cuda.gpus;
      if (report.driver && !report.driver->cuda_version && cuda.cuda_version) {
        report.driver->cuda_version = cuda.cuda_version;
        report.driver->cuda_source = "libcuda";
      }
    }
  }
  if (report.gpus.empty()) {
    report.gpus = scan_pci(probe, matrix);
  }
  if (!report.driver && module) {
    report.driver = DriverInfo{module->first, {}, module->second, "", {}, {}};
  }
  const bool some_capability_unknown =
    std::any_of(report.gpus.begin(), report.gpus.end(),
                [](const GpuInfo& gpu) { return !gpu.compute_capability; });
  if (module && (report.gpus.empty() || some_capability_unknown)) {
    use_nvidia_smi(probe, report);
  }
  if (const auto value = probe.env(std::string(k_driver_override))) {
    auto version = parse_driver_override(*value);
    if (!version) {
      report.warnings.push_back("ENVSETUP_DRIVER_VERSION: ignoring `" + util::escape_control_characters(*value) +
                                "`, not a driver version");
    } else if (!*version) {
      report.driver.reset();
    } else {
      report.driver = DriverInfo{**version, {}, "ENVSETUP_DRIVER_VERSION", "", {}, {}};
    }
  }
  if (const auto value = probe.env("ENVSETUP_GPUS")) {
    report.gpus = gpus_from_override(*value, report.warnings);
  }
  if (report.driver) {
    report.driver->kernel_module = module ? std::optional(module->first) : std::nullopt;
    report.driver->libcuda = libcuda_version(probe);
    if (!report.driver->cuda_version) {
      if (const auto* cuda = matrix.newest_cuda_for_driver(report.driver->version)) {
        report.driver->cuda_version = cuda->version.prefix(2);
        report.driver->cuda_source = "matrix";
      }
    }
  }
}

util::Result<std::optional<core::Version>> parse_driver_override(std::string_view value)
{
  const auto text = util::trim(value);
  if (text == "none") {
    return std::optional<core::Version>{};
  }
  auto fail = [&](std::string why) {
    return util::make_error(util::ErrorKind::usage, std::string(k_driver_override) + "=`" +
                                                      util::escape_control_characters(value) +
                                                      "` is not a driver version")
      .with_cause(std::move(why))
      .with_hint("set ENVSETUP_DRIVER_VERSION to the driver's version (550.54.15) or `none`, or unset it to "
                 "detect the driver; `--driver` takes the same values");
  };
  auto version = core::Version::parse(text);
  if (!version) {
    return fail(util::escape_control_characters(version.error().causes.empty() ? version.error().message
                                                                            : version.error().causes.front()));
  }
  if (version->parts().size() < 2 || version->parts().size() > 4) {
    return fail("expected 2 to 4 dot-separated numbers");
  }
  return std::optional<core::Version>(*version);
}

util::Result<std::vector<core::ComputeCapability>> parse_gpus_override(std::string_view value)
{
  std::vector<core::ComputeCapability> capabilities;
  if (util::trim(value) == "none") {
    return capabilities;
  }
  for (const auto field : util::split(value, ',')) {
    auto capability = core::ComputeCapability::parse(field);
    if (!capability) {
      return util::make_error(util::ErrorKind::usage, std::string(k_gpus_override) + "=`" +
                                                        util::escape_control_characters(value) +
                                                        "` is not a list of compute capabilities")
        .with_cause("`" + util::escape_control_characters(field) + "` is not a compute capability")
        .with_hint("set ENVSETUP_GPUS to compute capabilities separated by commas (8.6,8.9 or sm_86,sm_89) or "
                   "`none`, or unset it to detect the GPUs; `--gpu` takes the same values");
    }
    capabilities.push_back(*capability);
  }
  return capabilities;
}

}  // namespace envsetup::detect
