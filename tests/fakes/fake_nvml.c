// SPDX-License-Identifier: Apache-2.0
// Fake NVML (libnvidia-ml.so.1) for the host-detection tests: the subset of the NVML C API
// that detection resolves with dlsym, with real NVML signatures, struct layouts and error
// codes. GPUs, versions and driver version come from the environment (fakes_config.h).
//
// FAKE_NVML_MODE (read at call time; unset or unrecognised = "ok"):
//   ok               everything works
//   init_fail        nvmlInit_v2 returns NVML_ERROR_DRIVER_NOT_LOADED (9); the library stays
//                    uninitialised, so later calls return NVML_ERROR_UNINITIALIZED (1)
//   count_fail       nvmlDeviceGetCount_v2 returns NVML_ERROR_UNKNOWN (999)
//   no_cuda_version  nvmlSystemGetCudaDriverVersion_v2 returns NVML_ERROR_NOT_SUPPORTED (3)
//
// Like real NVML: init is reference-counted (each successful nvmlInit_v2 needs one
// nvmlShutdown); every call but nvmlInit_v2 and nvmlErrorString returns
// NVML_ERROR_UNINITIALIZED while not initialised; string getters whose buffer is too small
// return NVML_ERROR_INSUFFICIENT_SIZE (7), but (as the tests' contract asks) still store the
// truncated, NUL-terminated string when length > 0. Device handles are (void*)(index + 1).
// Memory info reports free = total, used = 0. pciSubSystemId is 0.
#define _POSIX_C_SOURCE 200809L

#include "fakes_config.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

enum {
  NVML_SUCCESS = 0,
  NVML_ERROR_UNINITIALIZED = 1,
  NVML_ERROR_INVALID_ARGUMENT = 2,
  NVML_ERROR_NOT_SUPPORTED = 3,
  NVML_ERROR_INSUFFICIENT_SIZE = 7,
  NVML_ERROR_DRIVER_NOT_LOADED = 9,
  NVML_ERROR_UNKNOWN = 999,
};

// Real NVML layouts (nvml.h).
typedef struct {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
} nvmlMemory_t;

typedef struct {
  char busIdLegacy[16];  // NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE: "0000:01:00.0"
  unsigned int domain;
  unsigned int bus;
  unsigned int device;
  unsigned int pciDeviceId;  // (product id << 16) | 0x10de (NVIDIA's vendor id)
  unsigned int pciSubSystemId;
  char busId[32];  // NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE: "00000000:01:00.0"
} nvmlPciInfo_t;

// Outstanding successful nvmlInit_v2 calls.
static atomic_int g_init_count = 0;

static int initialized(void) { return atomic_load(&g_init_count) > 0; }

// Resolves a handle from nvmlDeviceGetHandleByIndex_v2 to its GPU in *list (filled here).
// Returns NULL for a NULL, forged or stale (GPU list changed since) handle.
static const fake_gpu* resolve(void* device, fake_gpu_list* list) {
  uintptr_t encoded = (uintptr_t)device;
  fake_gpus(list);
  if (encoded == 0 || encoded > list->count) return NULL;
  return &list->gpus[encoded - 1];
}

FAKE_EXPORT int nvmlInit_v2(void) {
  if (fake_mode_is("FAKE_NVML_MODE", "init_fail")) return NVML_ERROR_DRIVER_NOT_LOADED;
  atomic_fetch_add(&g_init_count, 1);
  return NVML_SUCCESS;
}

FAKE_EXPORT int nvmlShutdown(void) {
  int current = atomic_load(&g_init_count);
  do {
    if (current <= 0) return NVML_ERROR_UNINITIALIZED;
  } while (!atomic_compare_exchange_weak(&g_init_count, &current, current - 1));
  return NVML_SUCCESS;
}

FAKE_EXPORT int nvmlSystemGetDriverVersion(char* version, unsigned int length) {
  if (!initialized()) return NVML_ERROR_UNINITIALIZED;
  if (version == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  return fake_copy_string(version, length, fake_driver_version()) ? NVML_SUCCESS
                                                                   : NVML_ERROR_INSUFFICIENT_SIZE;
}

FAKE_EXPORT int nvmlSystemGetCudaDriverVersion_v2(int* cudaDriverVersion) {
  if (!initialized()) return NVML_ERROR_UNINITIALIZED;
  if (cudaDriverVersion == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  if (fake_mode_is("FAKE_NVML_MODE", "no_cuda_version")) return NVML_ERROR_NOT_SUPPORTED;
  *cudaDriverVersion = fake_cuda_version();
  return NVML_SUCCESS;
}

FAKE_EXPORT int nvmlDeviceGetCount_v2(unsigned int* count) {
  if (!initialized()) return NVML_ERROR_UNINITIALIZED;
  if (count == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  if (fake_mode_is("FAKE_NVML_MODE", "count_fail")) return NVML_ERROR_UNKNOWN;
  fake_gpu_list list;
  fake_gpus(&list);
  *count = list.count;
  return NVML_SUCCESS;
}

FAKE_EXPORT int nvmlDeviceGetHandleByIndex_v2(unsigned int index, void** device) {
  if (!initialized()) return NVML_ERROR_UNINITIALIZED;
  if (device == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  fake_gpu_list list;
  fake_gpus(&list);
  if (index >= list.count) return NVML_ERROR_INVALID_ARGUMENT;
  *device = (void*)((uintptr_t)index + 1);
  return NVML_SUCCESS;
}

FAKE_EXPORT int nvmlDeviceGetName(void* device, char* name, unsigned int length) {
  if (!initialized()) return NVML_ERROR_UNINITIALIZED;
  fake_gpu_list list;
  const fake_gpu* gpu = resolve(device, &list);
  if (gpu == NULL || name == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  return fake_copy_string(name, length, gpu->name) ? NVML_SUCCESS : NVML_ERROR_INSUFFICIENT_SIZE;
}

FAKE_EXPORT int nvmlDeviceGetCudaComputeCapability(void* device, int* major, int* minor) {
  if (!initialized()) return NVML_ERROR_UNINITIALIZED;
  fake_gpu_list list;
  const fake_gpu* gpu = resolve(device, &list);
  if (gpu == NULL || major == NULL || minor == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  *major = gpu->cc_major;
  *minor = gpu->cc_minor;
  return NVML_SUCCESS;
}

FAKE_EXPORT int nvmlDeviceGetMemoryInfo(void* device, nvmlMemory_t* memory) {
  if (!initialized()) return NVML_ERROR_UNINITIALIZED;
  fake_gpu_list list;
  const fake_gpu* gpu = resolve(device, &list);
  if (gpu == NULL || memory == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  memory->total = gpu->memory_bytes;
  memory->free = gpu->memory_bytes;
  memory->used = 0;
  return NVML_SUCCESS;
}

FAKE_EXPORT int nvmlDeviceGetPciInfo_v3(void* device, nvmlPciInfo_t* pci) {
  if (!initialized()) return NVML_ERROR_UNINITIALIZED;
  fake_gpu_list list;
  const fake_gpu* gpu = resolve(device, &list);
  if (gpu == NULL || pci == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  memset(pci, 0, sizeof *pci);
  // A domain above 0xffff does not fit the legacy buffer; snprintf truncates it, as intended.
  snprintf(pci->busIdLegacy, sizeof pci->busIdLegacy, "%04x:%02x:%02x.%x", gpu->pci_domain,
           gpu->pci_bus, gpu->pci_device, gpu->pci_function);
  snprintf(pci->busId, sizeof pci->busId, "%08x:%02x:%02x.%x", gpu->pci_domain, gpu->pci_bus,
           gpu->pci_device, gpu->pci_function);
  pci->domain = gpu->pci_domain;
  pci->bus = gpu->pci_bus;
  pci->device = gpu->pci_device;
  pci->pciDeviceId = (gpu->device_id << 16) | 0x10deu;
  pci->pciSubSystemId = 0;
  return NVML_SUCCESS;
}

// Real NVML's wording; never NULL, needs no init.
FAKE_EXPORT const char* nvmlErrorString(int result) {
  switch (result) {
    case NVML_SUCCESS: return "Success";
    case NVML_ERROR_UNINITIALIZED: return "Uninitialized";
    case NVML_ERROR_INVALID_ARGUMENT: return "Invalid Argument";
    case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
    case NVML_ERROR_INSUFFICIENT_SIZE: return "Insufficient Size";
    case NVML_ERROR_DRIVER_NOT_LOADED: return "Driver Not Loaded";
    default: return "Unknown Error";
  }
}
