/* SPDX-License-Identifier: Apache-2.0 */
/* Fake CUDA toolkit libraries for the verify toolkit-check tests: built three times, as
 * libcudart.so.12 (FAKE_CUDART: CUDA runtime 12.4), libcublas.so.12 (FAKE_CUBLAS: cuBLAS
 * 12.4.5) and libcudnn.so.9 (FAKE_CUDNN: cuDNN 9.1.0). Each exports only its version
 * function(s); cudaGetDeviceCount answers "no device" (100). */
#include <stddef.h>

#define EXPORT __attribute__((visibility("default")))

#if defined(FAKE_CUDART)
EXPORT int cudaRuntimeGetVersion(int* version)
{
  *version = 12040;
  return 0;
}
EXPORT int cudaGetDeviceCount(int* count)
{
  *count = 0;
  return 100;
}
#elif defined(FAKE_CUBLAS)
EXPORT int cublasGetProperty(int type, int* value)
{
  static const int parts[3] = {12, 4, 5};
  if (type < 0 || type > 2) {
    return 7; /* CUBLAS_STATUS_INVALID_VALUE */
  }
  *value = parts[type];
  return 0;
}
#elif defined(FAKE_CUDNN)
EXPORT size_t cudnnGetVersion(void)
{
  return 90100;
}
#endif
