// SPDX-License-Identifier: Apache-2.0
// Fake CUDA driver API (libcuda.so.1) for the host-detection tests: the subset detection
// resolves with dlsym, with real signatures (CUdevice is an int, CUresult an int enum).
// GPUs and the driver version come from the environment (fakes_config.h).
//
// FAKE_CUDA_MODE (read at call time; unset or unrecognised = "ok"):
//   ok         cuInit succeeds if FAKE_NVIDIA_GPUS lists at least one GPU, and otherwise
//              returns CUDA_ERROR_NO_DEVICE (100), as the real driver does on a GPU-less host
//   init_fail  cuInit returns CUDA_ERROR_NO_DEVICE (100)
//   hang       cuInit sleeps 30 s (signals do not cut it short), then behaves as "ok"
//   wrong, jit_fail, hang_kernel: the compute calls of `envsetup verify`, in
//              fake_cuda_compute.c (with cuGetErrorName), which is part of this library
//
// Error codes: 0 success, 1 CUDA_ERROR_INVALID_VALUE (NULL pointers, bad lengths, bad flags,
// unknown attributes, out-of-range ordinals: the real driver says CUDA_ERROR_INVALID_DEVICE,
// 101, for the latter; the tests' contract asks for 1), 3 CUDA_ERROR_NOT_INITIALIZED,
// 100 CUDA_ERROR_NO_DEVICE, 999 CUDA_ERROR_UNKNOWN.
// Every call but cuInit, cuDriverGetVersion and cuGetErrorString returns
// CUDA_ERROR_NOT_INITIALIZED unless the latest cuInit succeeded (the two exceptions need no
// init in the real driver either). Unlike the real driver, a failing cuInit clears an earlier
// success, so a test that reuses a loaded instance sees the mode it set.
// String getters truncate to length - 1 bytes plus NUL and still succeed, as the real ones do.
#define _POSIX_C_SOURCE 200809L

#include "fakes_config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

enum {
  CUDA_SUCCESS = 0,
  CUDA_ERROR_INVALID_VALUE = 1,
  CUDA_ERROR_NOT_INITIALIZED = 3,
  CUDA_ERROR_NO_DEVICE = 100,
  CUDA_ERROR_UNKNOWN = 999,
};

// CUdevice_attribute values the fake answers.
enum {
  CU_DEVICE_ATTRIBUTE_PCI_BUS_ID = 33,
  CU_DEVICE_ATTRIBUTE_PCI_DEVICE_ID = 34,  // the slot on the bus ("00" of 01:00.0), not the product id
  CU_DEVICE_ATTRIBUTE_PCI_DOMAIN_ID = 50,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
};

#define FAKE_HANG_SECONDS 30

// Whether the latest cuInit succeeded.
atomic_int g_fake_cuda_initialized = 0;  // also read by fake_cuda_compute.c

// Fills *list and returns the GPU for `ordinal`, or NULL if it is out of range.
static const fake_gpu* gpu_at(int ordinal, fake_gpu_list* list) {
  fake_gpus(list);
  if (ordinal < 0 || (unsigned int)ordinal >= list->count) return NULL;
  return &list->gpus[ordinal];
}

// Sleeps the whole `seconds`, resuming after signal interruptions.
static void sleep_fully(time_t seconds) {
  struct timespec left = {seconds, 0};
  while (nanosleep(&left, &left) != 0 && errno == EINTR) {
  }
}

FAKE_EXPORT int cuInit(unsigned int flags) {
  if (fake_mode_is("FAKE_CUDA_MODE", "hang")) sleep_fully(FAKE_HANG_SECONDS);
  int result = CUDA_SUCCESS;
  if (flags != 0) {
    result = CUDA_ERROR_INVALID_VALUE;
  } else if (fake_mode_is("FAKE_CUDA_MODE", "init_fail")) {
    result = CUDA_ERROR_NO_DEVICE;
  } else {
    fake_gpu_list list;
    fake_gpus(&list);
    if (list.count == 0) result = CUDA_ERROR_NO_DEVICE;
  }
  atomic_store(&g_fake_cuda_initialized, result == CUDA_SUCCESS);
  return result;
}

FAKE_EXPORT int cuDriverGetVersion(int* version) {
  if (version == NULL) return CUDA_ERROR_INVALID_VALUE;
  *version = fake_cuda_version();
  return CUDA_SUCCESS;
}

FAKE_EXPORT int cuDeviceGetCount(int* count) {
  if (!atomic_load(&g_fake_cuda_initialized)) return CUDA_ERROR_NOT_INITIALIZED;
  if (count == NULL) return CUDA_ERROR_INVALID_VALUE;
  fake_gpu_list list;
  fake_gpus(&list);
  *count = (int)list.count;
  return CUDA_SUCCESS;
}

FAKE_EXPORT int cuDeviceGet(int* device, int ordinal) {
  if (!atomic_load(&g_fake_cuda_initialized)) return CUDA_ERROR_NOT_INITIALIZED;
  fake_gpu_list list;
  if (device == NULL || gpu_at(ordinal, &list) == NULL) return CUDA_ERROR_INVALID_VALUE;
  *device = ordinal;  // a CUdevice is its ordinal
  return CUDA_SUCCESS;
}

FAKE_EXPORT int cuDeviceGetName(char* name, int length, int device) {
  if (!atomic_load(&g_fake_cuda_initialized)) return CUDA_ERROR_NOT_INITIALIZED;
  fake_gpu_list list;
  const fake_gpu* gpu = gpu_at(device, &list);
  if (gpu == NULL || name == NULL || length <= 0) return CUDA_ERROR_INVALID_VALUE;
  fake_copy_string(name, (size_t)length, gpu->name);
  return CUDA_SUCCESS;
}

FAKE_EXPORT int cuDeviceGetAttribute(int* value, int attribute, int device) {
  if (!atomic_load(&g_fake_cuda_initialized)) return CUDA_ERROR_NOT_INITIALIZED;
  fake_gpu_list list;
  const fake_gpu* gpu = gpu_at(device, &list);
  if (gpu == NULL || value == NULL) return CUDA_ERROR_INVALID_VALUE;
  switch (attribute) {
    case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR: *value = gpu->cc_major; break;
    case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR: *value = gpu->cc_minor; break;
    case CU_DEVICE_ATTRIBUTE_PCI_BUS_ID: *value = (int)gpu->pci_bus; break;
    case CU_DEVICE_ATTRIBUTE_PCI_DEVICE_ID: *value = (int)gpu->pci_device; break;
    case CU_DEVICE_ATTRIBUTE_PCI_DOMAIN_ID: *value = (int)gpu->pci_domain; break;
    default: return CUDA_ERROR_INVALID_VALUE;
  }
  return CUDA_SUCCESS;
}

FAKE_EXPORT int cuDeviceTotalMem_v2(size_t* bytes, int device) {
  if (!atomic_load(&g_fake_cuda_initialized)) return CUDA_ERROR_NOT_INITIALIZED;
  fake_gpu_list list;
  const fake_gpu* gpu = gpu_at(device, &list);
  if (gpu == NULL || bytes == NULL) return CUDA_ERROR_INVALID_VALUE;
  *bytes = (size_t)gpu->memory_bytes;
  return CUDA_SUCCESS;
}

// "0000:01:00.0": 4-digit domain (more digits when the domain needs them), as the real driver.
FAKE_EXPORT int cuDeviceGetPCIBusId(char* bus_id, int length, int device) {
  if (!atomic_load(&g_fake_cuda_initialized)) return CUDA_ERROR_NOT_INITIALIZED;
  fake_gpu_list list;
  const fake_gpu* gpu = gpu_at(device, &list);
  if (gpu == NULL || bus_id == NULL || length <= 0) return CUDA_ERROR_INVALID_VALUE;
  char text[32];
  snprintf(text, sizeof text, "%04x:%02x:%02x.%x", gpu->pci_domain, gpu->pci_bus,
           gpu->pci_device, gpu->pci_function);
  fake_copy_string(bus_id, (size_t)length, text);
  return CUDA_SUCCESS;
}

// Real driver wording; needs no init. Unknown codes: *text = NULL, CUDA_ERROR_INVALID_VALUE.
FAKE_EXPORT int cuGetErrorString(int error, const char** text) {
  if (text == NULL) return CUDA_ERROR_INVALID_VALUE;
  switch (error) {
    case CUDA_SUCCESS: *text = "no error"; break;
    case CUDA_ERROR_INVALID_VALUE: *text = "invalid argument"; break;
    case CUDA_ERROR_NOT_INITIALIZED: *text = "initialization error"; break;
    case CUDA_ERROR_NO_DEVICE: *text = "no CUDA-capable device is detected"; break;
    case CUDA_ERROR_UNKNOWN: *text = "unknown error"; break;
    default: *text = NULL; return CUDA_ERROR_INVALID_VALUE;
  }
  return CUDA_SUCCESS;
}
