// SPDX-License-Identifier: Apache-2.0
// The compute half of the fake CUDA driver (libcuda.so.1, with fake_cuda.c): what
// `envsetup verify`'s GPU matmul uses. "Device" memory is host memory, and cuLaunchKernel
// really computes C = A * B on the CPU from the kernel parameters, so the caller's result
// check runs for real. Every call checks what a real driver would reject (init, handles,
// launch geometry) and the PTX given to cuModuleLoadDataEx is sanity-checked, so a broken
// embedding or launch fails the tests.
//
// FAKE_CUDA_MODE values handled here (fake_cuda.c handles ok, init_fail and hang):
//   wrong        the kernel computes wrong numbers (every 7th element of C is off by >= 1)
//   jit_fail     cuModuleLoadDataEx fails with CUDA_ERROR_INVALID_PTX (218) and a log
//   hang_kernel  cuCtxSynchronize and cuEventSynchronize never return (a hung GPU)
//
// Kernel contract (src/envsetup/verify/sgemm.ptx): entry "envsetup_sgemm", params
// (u64 a, u64 b, u64 c, u32 m, u32 n, u32 k), row-major fp32, block (16, 16, 1),
// grid (ceil(n/16), ceil(m/16), 1). Anything else returns CUDA_ERROR_INVALID_VALUE.
#define _POSIX_C_SOURCE 200809L

#include "fakes_config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

enum {
  CUDA_SUCCESS = 0,
  CUDA_ERROR_INVALID_VALUE = 1,
  CUDA_ERROR_OUT_OF_MEMORY = 2,
  CUDA_ERROR_NOT_INITIALIZED = 3,
  CUDA_ERROR_NO_DEVICE = 100,
  CUDA_ERROR_INVALID_CONTEXT = 201,
  CUDA_ERROR_INVALID_PTX = 218,
  CUDA_ERROR_INVALID_HANDLE = 400,
  CUDA_ERROR_NOT_FOUND = 500,
  CUDA_ERROR_UNKNOWN = 999,
};

enum { CU_JIT_ERROR_LOG_BUFFER = 5, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6 };

#define FAKE_ENTRY "envsetup_sgemm"
#define FAKE_TILE 16u

extern atomic_int g_fake_cuda_initialized;  // fake_cuda.c: whether the latest cuInit succeeded

// Handles are addresses of these tokens.
static int g_context_token[FAKE_MAX_GPUS];
static int g_module_token;
static int g_function_token;
static atomic_int g_module_loaded = 0;
static atomic_int g_current_context = 0;  // 1 + the device whose context is current; 0: none

typedef struct {
  struct timespec when;
} fake_event;

static int ready(void) { return atomic_load(&g_fake_cuda_initialized); }

static void hang_forever(void) {
  for (;;) {
    struct timespec left = {3600, 0};
    while (nanosleep(&left, &left) != 0 && errno == EINTR) {
    }
  }
}

// Writes `message` into the JIT error log the caller passed in the options, if any.
static void write_jit_log(unsigned int count, const int* options, void** values, const char* message) {
  char* buffer = NULL;
  size_t size = 0;
  for (unsigned int i = 0; i < count && options != NULL && values != NULL; ++i) {
    if (options[i] == CU_JIT_ERROR_LOG_BUFFER) buffer = (char*)values[i];
    if (options[i] == CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES) size = (size_t)(uintptr_t)values[i];
  }
  if (buffer != NULL && size > 0) fake_copy_string(buffer, size, message);
}

// Whether a line of `ptx` starts with `text` (comments mention the directives too).
static int has_line(const char* ptx, const char* text) {
  size_t length = strlen(text);
  if (strncmp(ptx, text, length) == 0) return 1;
  for (const char* p = strchr(ptx, '\n'); p != NULL; p = strchr(p + 1, '\n')) {
    if (strncmp(p + 1, text, length) == 0) return 1;
  }
  return 0;
}

// The PTX contract: ISA <= 7.0 for sm_50, 64-bit addresses, the expected entry.
static const char* ptx_problem(const char* ptx) {
  int major = 0;
  int minor = 0;
  const char* version = strstr(ptx, "\n.version ");
  if (version == NULL || sscanf(version + 1, ".version %d.%d", &major, &minor) != 2) return "no .version";
  if (major > 7 || (major == 7 && minor > 0)) return ".version is above 7.0";
  if (!has_line(ptx, ".target sm_50\n")) return "not .target sm_50";
  if (!has_line(ptx, ".address_size 64\n")) return "not .address_size 64";
  if (!has_line(ptx, ".visible .entry " FAKE_ENTRY "(")) return "no .visible .entry " FAKE_ENTRY;
  return NULL;
}

FAKE_EXPORT int cuGetErrorName(int error, const char** name) {
  if (name == NULL) return CUDA_ERROR_INVALID_VALUE;
  switch (error) {
    case CUDA_SUCCESS: *name = "CUDA_SUCCESS"; break;
    case CUDA_ERROR_INVALID_VALUE: *name = "CUDA_ERROR_INVALID_VALUE"; break;
    case CUDA_ERROR_OUT_OF_MEMORY: *name = "CUDA_ERROR_OUT_OF_MEMORY"; break;
    case CUDA_ERROR_NOT_INITIALIZED: *name = "CUDA_ERROR_NOT_INITIALIZED"; break;
    case CUDA_ERROR_NO_DEVICE: *name = "CUDA_ERROR_NO_DEVICE"; break;
    case CUDA_ERROR_INVALID_CONTEXT: *name = "CUDA_ERROR_INVALID_CONTEXT"; break;
    case CUDA_ERROR_INVALID_PTX: *name = "CUDA_ERROR_INVALID_PTX"; break;
    case CUDA_ERROR_INVALID_HANDLE: *name = "CUDA_ERROR_INVALID_HANDLE"; break;
    case CUDA_ERROR_NOT_FOUND: *name = "CUDA_ERROR_NOT_FOUND"; break;
    case CUDA_ERROR_UNKNOWN: *name = "CUDA_ERROR_UNKNOWN"; break;
    default: *name = NULL; return CUDA_ERROR_INVALID_VALUE;
  }
  return CUDA_SUCCESS;
}

FAKE_EXPORT int cuDevicePrimaryCtxRetain(void** context, int device) {
  if (!ready()) return CUDA_ERROR_NOT_INITIALIZED;
  fake_gpu_list list;
  fake_gpus(&list);
  if (context == NULL || device < 0 || (unsigned int)device >= list.count) return CUDA_ERROR_INVALID_VALUE;
  *context = &g_context_token[device];
  return CUDA_SUCCESS;
}

FAKE_EXPORT int cuDevicePrimaryCtxRelease_v2(int device) {
  if (!ready()) return CUDA_ERROR_NOT_INITIALIZED;
  if (device < 0 || device >= FAKE_MAX_GPUS) return CUDA_ERROR_INVALID_VALUE;
  return CUDA_SUCCESS;
}

FAKE_EXPORT int cuCtxSetCurrent(void* context) {
  if (!ready()) return CUDA_ERROR_NOT_INITIALIZED;
  if (context == NULL) {
    atomic_store(&g_current_context, 0);
    return CUDA_SUCCESS;
  }
  const int* token = (const int*)context;
  if (token < &g_context_token[0] || token >= &g_context_token[FAKE_MAX_GPUS]) return CUDA_ERROR_INVALID_CONTEXT;
  atomic_store(&g_current_context, (int)(token - &g_context_token[0]) + 1);
  return CUDA_SUCCESS;
}

// Calls below need an initialised driver and a current context.
static int context_ready(void) {
  if (!ready()) return CUDA_ERROR_NOT_INITIALIZED;
  return atomic_load(&g_current_context) != 0 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_CONTEXT;
}

FAKE_EXPORT int cuCtxSynchronize(void) {
  int status = context_ready();
  if (status == CUDA_SUCCESS && fake_mode_is("FAKE_CUDA_MODE", "hang_kernel")) hang_forever();
  return status;
}

FAKE_EXPORT int cuModuleLoadDataEx(void** module, const void* image, unsigned int count, int* options,
                                   void** values) {
  int status = context_ready();
  if (status != CUDA_SUCCESS) return status;
  if (module == NULL || image == NULL) return CUDA_ERROR_INVALID_VALUE;
  const char* problem = ptx_problem((const char*)image);
  if (problem == NULL && fake_mode_is("FAKE_CUDA_MODE", "jit_fail")) problem = "fake JIT failure (FAKE_CUDA_MODE=jit_fail)";
  if (problem != NULL) {
    char log[256];
    snprintf(log, sizeof log, "ptxas application ptx input, line 1; fatal   : %s\n", problem);
    write_jit_log(count, options, values, log);
    return CUDA_ERROR_INVALID_PTX;
  }
  atomic_store(&g_module_loaded, 1);
  *module = &g_module_token;
  return CUDA_SUCCESS;
}

FAKE_EXPORT int cuModuleGetFunction(void** function, void* module, const char* name) {
  int status = context_ready();
  if (status != CUDA_SUCCESS) return status;
  if (function == NULL || name == NULL) return CUDA_ERROR_INVALID_VALUE;
  if (module != &g_module_token || !atomic_load(&g_module_loaded)) return CUDA_ERROR_INVALID_HANDLE;
  if (strcmp(name, FAKE_ENTRY) != 0) return CUDA_ERROR_NOT_FOUND;
  *function = &g_function_token;
  return CUDA_SUCCESS;
}

FAKE_EXPORT int cuModuleUnload(void* module) {
  if (module != &g_module_token || !atomic_load(&g_module_loaded)) return CUDA_ERROR_INVALID_HANDLE;
  atomic_store(&g_module_loaded, 0);
  return CUDA_SUCCESS;
}

FAKE_EXPORT int cuMemAlloc_v2(unsigned long long* pointer, size_t bytes) {
  int status = context_ready();
  if (status != CUDA_SUCCESS) return status;
  if (pointer == NULL || bytes == 0) return CUDA_ERROR_INVALID_VALUE;
  void* memory = malloc(bytes);
  if (memory == NULL) return CUDA_ERROR_OUT_OF_MEMORY;
  *pointer = (unsigned long long)(uintptr_t)memory;
  return CUDA_SUCCESS;
}

FAKE_EXPORT int cuMemFree_v2(unsigned long long pointer) {
  int status = context_ready();
  if (status != CUDA_SUCCESS) return status;
  free((void*)(uintptr_t)pointer);
  return CUDA_SUCCESS;
}

FAKE_EXPORT int cuMemcpyHtoD_v2(unsigned long long destination, const void* source, size_t bytes) {
  int status = context_ready();
  if (status != CUDA_SUCCESS) return status;
  if (destination == 0 || source == NULL) return CUDA_ERROR_INVALID_VALUE;
  memcpy((void*)(uintptr_t)destination, source, bytes);
  return CUDA_SUCCESS;
}

FAKE_EXPORT int cuMemcpyDtoH_v2(void* destination, unsigned long long source, size_t bytes) {
  int status = context_ready();
  if (status != CUDA_SUCCESS) return status;
  if (destination == NULL || source == 0) return CUDA_ERROR_INVALID_VALUE;
  memcpy(destination, (const void*)(uintptr_t)source, bytes);
  return CUDA_SUCCESS;
}

// C = A * B as the kernel would compute it: fp32 accumulation in increasing k.
static void sgemm(const float* a, const float* b, float* c, unsigned int m, unsigned int n, unsigned int k) {
  for (unsigned int row = 0; row < m; ++row) {
    for (unsigned int col = 0; col < n; ++col) {
      float sum = 0.0f;
      for (unsigned int i = 0; i < k; ++i) sum += a[(size_t)row * k + i] * b[(size_t)i * n + col];
      c[(size_t)row * n + col] = sum;
    }
  }
  if (fake_mode_is("FAKE_CUDA_MODE", "wrong")) {
    for (size_t i = 0; i < (size_t)m * n; i += 7) c[i] += 1.0f + (c[i] < 0 ? -c[i] : c[i]);
  }
}

FAKE_EXPORT int cuLaunchKernel(void* function, unsigned int grid_x, unsigned int grid_y, unsigned int grid_z,
                               unsigned int block_x, unsigned int block_y, unsigned int block_z,
                               unsigned int shared_bytes, void* stream, void** params, void** extra) {
  int status = context_ready();
  if (status != CUDA_SUCCESS) return status;
  if (function != &g_function_token || !atomic_load(&g_module_loaded)) return CUDA_ERROR_INVALID_HANDLE;
  if (params == NULL || extra != NULL || stream != NULL || shared_bytes != 0) return CUDA_ERROR_INVALID_VALUE;
  if (block_x != FAKE_TILE || block_y != FAKE_TILE || block_z != 1 || grid_z != 1) return CUDA_ERROR_INVALID_VALUE;
  const float* a = (const float*)(uintptr_t)(*(unsigned long long*)params[0]);
  const float* b = (const float*)(uintptr_t)(*(unsigned long long*)params[1]);
  float* c = (float*)(uintptr_t)(*(unsigned long long*)params[2]);
  unsigned int m = *(unsigned int*)params[3];
  unsigned int n = *(unsigned int*)params[4];
  unsigned int k = *(unsigned int*)params[5];
  if (a == NULL || b == NULL || c == NULL || m == 0 || n == 0 || k == 0) return CUDA_ERROR_INVALID_VALUE;
  if (grid_x != (n + FAKE_TILE - 1) / FAKE_TILE || grid_y != (m + FAKE_TILE - 1) / FAKE_TILE) return CUDA_ERROR_INVALID_VALUE;
  sgemm(a, b, c, m, n, k);
  return CUDA_SUCCESS;
}

FAKE_EXPORT int cuEventCreate(void** event, unsigned int flags) {
  int status = context_ready();
  if (status != CUDA_SUCCESS) return status;
  if (event == NULL || flags != 0) return CUDA_ERROR_INVALID_VALUE;
  fake_event* created = calloc(1, sizeof *created);
  if (created == NULL) return CUDA_ERROR_OUT_OF_MEMORY;
  *event = created;
  return CUDA_SUCCESS;
}

FAKE_EXPORT int cuEventRecord(void* event, void* stream) {
  int status = context_ready();
  if (status != CUDA_SUCCESS) return status;
  if (event == NULL || stream != NULL) return CUDA_ERROR_INVALID_HANDLE;
  clock_gettime(CLOCK_MONOTONIC, &((fake_event*)event)->when);
  return CUDA_SUCCESS;
}

FAKE_EXPORT int cuEventSynchronize(void* event) {
  int status = context_ready();
  if (status != CUDA_SUCCESS) return status;
  if (event == NULL) return CUDA_ERROR_INVALID_HANDLE;
  if (fake_mode_is("FAKE_CUDA_MODE", "hang_kernel")) hang_forever();
  return CUDA_SUCCESS;
}

FAKE_EXPORT int cuEventElapsedTime(float* milliseconds, void* start, void* end) {
  int status = context_ready();
  if (status != CUDA_SUCCESS) return status;
  if (milliseconds == NULL || start == NULL || end == NULL) return CUDA_ERROR_INVALID_VALUE;
  const struct timespec* s = &((fake_event*)start)->when;
  const struct timespec* e = &((fake_event*)end)->when;
  *milliseconds = (float)((double)(e->tv_sec - s->tv_sec) * 1e3 + (double)(e->tv_nsec - s->tv_nsec) / 1e6);
  return CUDA_SUCCESS;
}

FAKE_EXPORT int cuEventDestroy_v2(void* event) {
  if (event == NULL) return CUDA_ERROR_INVALID_HANDLE;
  free(event);
  return CUDA_SUCCESS;
}
