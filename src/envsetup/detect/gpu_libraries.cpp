// SPDX-License-Identifier: Apache-2.0
// NVML and the CUDA driver API asked about the driver and the GPUs, through libraries loaded
// with util::DlHandle (closed again on return). Prototypes are declared here (no NVIDIA
// headers needed); they follow NVML's and the CUDA driver API's documented C ABI.
#include <envsetup/detect/gpu_libraries.hpp>

#include <envsetup/util/dl_handle.hpp>

#include <array>
#include <memory>

namespace envsetup::detect {

namespace {

constexpr int k_success = 0;
constexpr int k_name_length = 96;

// "cannot load `library`: <dlerror's text>".
std::string load_failure(const util::Error& error)
{
  return error.causes.empty() ? error.message : error.message + ": " + error.causes.front();
}

// NVML and the driver API encode CUDA versions as 1000 * major + 10 * minor.
std::optional<core::Version> cuda_from_int(int encoded)
{
  if (encoded <= 0) {
    return std::nullopt;
  }
  auto version = core::Version::parse(std::to_string(encoded / 1000) + "." +
                                      std::to_string((encoded % 1000) / 10));
  return version.ok() ? std::optional(*version) : std::nullopt;
}

std::string bounded_string(const char* buffer, std::size_t size)
{
  std::size_t length = 0;
  while (length < size && buffer[length] != '\0') {
    ++length;
  }
  return std::string(buffer, length);
}

struct NvmlMemory {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};

struct NvmlPciInfo {
  char bus_id_legacy[16];
  unsigned int domain;
  unsigned int bus;
  unsigned int device;
  unsigned int pci_device_id;
  unsigned int pci_subsystem_id;
  char bus_id[32];
};

using NvmlDevice = void*;
using NvmlInit = int (*)();
using NvmlShutdown = int (*)();
using NvmlDriverVersion = int (*)(char*, unsigned int);
using NvmlCudaVersion = int (*)(int*);
using NvmlCount = int (*)(unsigned int*);
using NvmlHandle = int (*)(unsigned int, NvmlDevice*);
using NvmlName = int (*)(NvmlDevice, char*, unsigned int);
using NvmlCapability = int (*)(NvmlDevice, int*, int*);
using NvmlMemoryInfo = int (*)(NvmlDevice, NvmlMemory*);
using NvmlPci = int (*)(NvmlDevice, NvmlPciInfo*);

void read_nvml_gpu(const util::DlHandle& nvml, NvmlDevice device, GpuInfo& gpu)
{
  std::array<char, k_name_length> name{};
  if (auto get_name = nvml.symbol<NvmlName>("nvmlDeviceGetName");
      get_name != nullptr && get_name(device, name.data(), name.size()) == k_success) {
    gpu.name = bounded_string(name.data(), name.size());
  }
  int major = 0;
  int minor = 0;
  if (auto get_cc = nvml.symbol<NvmlCapability>("nvmlDeviceGetCudaComputeCapability");
      get_cc != nullptr && get_cc(device, &major, &minor) == k_success && major > 0 &&
      minor >= 0 && minor <= 9) {
    gpu.compute_capability = core::ComputeCapability{major, minor};
  }
  NvmlMemory memory{};
  if (auto get_memory = nvml.symbol<NvmlMemoryInfo>("nvmlDeviceGetMemoryInfo");
      get_memory != nullptr && get_memory(device, &memory) == k_success) {
    gpu.memory_bytes = memory.total;
  }
  NvmlPciInfo pci{};
  if (auto get_pci = nvml.symbol<NvmlPci>("nvmlDeviceGetPciInfo_v3");
      get_pci != nullptr && get_pci(device, &pci) == k_success) {
    gpu.pci_bus_id = bounded_string(pci.bus_id, sizeof(pci.bus_id));
  }
}

}  // namespace

LibraryAnswer query_nvml(const std::string& library)
{
  LibraryAnswer answer;
  auto loaded = util::DlHandle::open(library);
  if (!loaded) {
    answer.failure = load_failure(loaded.error());
    return answer;
  }
  const util::DlHandle& nvml = *loaded;
  const auto init = nvml.symbol<NvmlInit>("nvmlInit_v2");
  const auto shutdown = nvml.symbol<NvmlShutdown>("nvmlShutdown");
  if (init == nullptr || shutdown == nullptr) {
    answer.failure = "`" + library + "` lacks nvmlInit_v2/nvmlShutdown";
    return answer;
  }
  if (const int status = init(); status != k_success) {
    answer.failure = "nvmlInit_v2 failed with NVML error " + std::to_string(status);
    return answer;
  }
  std::array<char, k_name_length> version{};
  if (auto get_version = nvml.symbol<NvmlDriverVersion>("nvmlSystemGetDriverVersion");
      get_version != nullptr && get_version(version.data(), version.size()) == k_success) {
    auto parsed = core::Version::parse(bounded_string(version.data(), version.size()));
    if (parsed.ok()) {
      answer.driver = *parsed;
    }
  }
  int cuda = 0;
  if (auto get_cuda = nvml.symbol<NvmlCudaVersion>("nvmlSystemGetCudaDriverVersion_v2");
      get_cuda != nullptr && get_cuda(&cuda) == k_success) {
    answer.cuda_version = cuda_from_int(cuda);
  }
  unsigned int count = 0;
  const auto get_count = nvml.symbol<NvmlCount>("nvmlDeviceGetCount_v2");
  const auto get_handle = nvml.symbol<NvmlHandle>("nvmlDeviceGetHandleByIndex_v2");
  if (get_count == nullptr || get_handle == nullptr || get_count(&count) != k_success) {
    answer.failure = "NVML could not count the GPUs";
    count = 0;
  }
  for (unsigned int i = 0; i < count && i < 64; ++i) {
    NvmlDevice device = nullptr;
    if (get_handle(i, &device) != k_success) {
      continue;
    }
    GpuInfo gpu;
    gpu.index = static_cast<int>(i);
    gpu.source = "nvml";
    read_nvml_gpu(nvml, device, gpu);
    answer.gpus.push_back(std::move(gpu));
  }
  shutdown();
  if (!answer.driver && answer.failure.empty()) {
    answer.failure = "NVML did not report the driver version";
  }
  return answer;
}

namespace {

using CuInit = int (*)(unsigned int);
using CuDriverVersion = int (*)(int*);
using CuCount = int (*)(int*);
using CuGet = int (*)(int*, int);
using CuName = int (*)(char*, int, int);
using CuAttribute = int (*)(int*, int, int);
using CuTotalMem = int (*)(std::size_t*, int);
using CuBusId = int (*)(char*, int, int);

constexpr int k_attribute_cc_major = 75;
constexpr int k_attribute_cc_minor = 76;

}  // namespace

LibraryAnswer query_cuda_driver(const std::string& library)
{
  LibraryAnswer answer;
  auto loaded = util::DlHandle::open(library);
  if (!loaded) {
    answer.failure = load_failure(loaded.error());
    return answer;
  }
  const util::DlHandle& cuda = *loaded;
  const auto init = cuda.symbol<CuInit>("cuInit");
  const auto driver_version = cuda.symbol<CuDriverVersion>("cuDriverGetVersion");
  const auto get_count = cuda.symbol<CuCount>("cuDeviceGetCount");
  const auto get_device = cuda.symbol<CuGet>("cuDeviceGet");
  const auto get_attribute = cuda.symbol<CuAttribute>("cuDeviceGetAttribute");
  if (init == nullptr || driver_version == nullptr || get_count == nullptr ||
      get_device == nullptr || get_attribute == nullptr) {
    answer.failure = "`" + library + "` lacks a driver API function envsetup needs";
    return answer;
  }
  int version = 0;
  if (driver_version(&version) == k_success) {
    answer.cuda_version = cuda_from_int(version);
  }
  if (const int status = init(0); status != k_success) {
    answer.failure = "cuInit failed with CUDA error " + std::to_string(status);
    return answer;
  }
  int count = 0;
  if (get_count(&count) != k_success) {
    answer.failure = "cuDeviceGetCount failed";
    return answer;
  }
  const auto get_name = cuda.symbol<CuName>("cuDeviceGetName");
  const auto total_mem = cuda.symbol<CuTotalMem>("cuDeviceTotalMem_v2");
  const auto bus_id = cuda.symbol<CuBusId>("cuDeviceGetPCIBusId");
  for (int i = 0; i < count && i < 64; ++i) {
    int device = 0;
    if (get_device(&device, i) != k_success) {
      continue;
    }
    GpuInfo gpu;
    gpu.index = i;
    gpu.source = "libcuda";
    std::array<char, k_name_length> text{};
    if (get_name != nullptr && get_name(text.data(), static_cast<int>(text.size()), device) == k_success) {
      gpu.name = bounded_string(text.data(), text.size());
    }
    int major = 0;
    int minor = 0;
    if (get_attribute(&major, k_attribute_cc_major, device) == k_success &&
        get_attribute(&minor, k_attribute_cc_minor, device) == k_success && major > 0 &&
        minor >= 0 && minor <= 9) {
      gpu.compute_capability = core::ComputeCapability{major, minor};
    }
    std::size_t bytes = 0;
    if (total_mem != nullptr && total_mem(&bytes, device) == k_success) {
      gpu.memory_bytes = bytes;
    }
    text.fill('\0');
    if (bus_id != nullptr && bus_id(text.data(), static_cast<int>(text.size()), device) == k_success) {
      gpu.pci_bus_id = bounded_string(text.data(), text.size());
    }
    answer.gpus.push_back(std::move(gpu));
  }
  return answer;
}

}  // namespace envsetup::detect
