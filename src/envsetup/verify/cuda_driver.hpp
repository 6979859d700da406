// SPDX-License-Identifier: Apache-2.0
// A thin wrapper of the CUDA driver API (libcuda.so.1), loaded with util::DlHandle: the few
// types and functions `envsetup verify` uses, declared here from the driver API's documented
// C ABI, so neither the build nor the host needs CUDA headers or a toolkit.
#pragma once

#include <envsetup/util/dl_handle.hpp>
#include <envsetup/util/error.hpp>

#include <cstddef>
#include <string>
#include <utility>

namespace envsetup::verify {

using CuResult = int;  // CUresult; 0 = CUDA_SUCCESS
using CuDevice = int;
using CuContext = void*;
using CuModule = void*;
using CuFunction = void*;
using CuEvent = void*;
using CuStream = void*;
using CuDevicePtr = unsigned long long;

inline constexpr CuResult k_cuda_success = 0;

// CUjit_option values used with cuModuleLoadDataEx.
inline constexpr int k_jit_info_log_buffer = 3;
inline constexpr int k_jit_info_log_buffer_size = 4;
inline constexpr int k_jit_error_log_buffer = 5;
inline constexpr int k_jit_error_log_buffer_size = 6;

// CUdevice_attribute values.
inline constexpr int k_attribute_cc_major = 75;
inline constexpr int k_attribute_cc_minor = 76;

// The entry points, by the ABI of their exported (_v2 where one exists) symbols.
struct CudaApi {
  CuResult (*init)(unsigned int) = nullptr;
  CuResult (*driver_get_version)(int*) = nullptr;
  CuResult (*device_get_count)(int*) = nullptr;
  CuResult (*device_get)(CuDevice*, int) = nullptr;
  CuResult (*device_get_name)(char*, int, CuDevice) = nullptr;
  CuResult (*device_get_attribute)(int*, int, CuDevice) = nullptr;
  CuResult (*primary_ctx_retain)(CuContext*, CuDevice) = nullptr;
  CuResult (*primary_ctx_release)(CuDevice) = nullptr;
  CuResult (*ctx_set_current)(CuContext) = nullptr;
  CuResult (*ctx_synchronize)() = nullptr;
  CuResult (*module_load_data_ex)(CuModule*, const void*, unsigned int, int*, void**) = nullptr;
  CuResult (*module_get_function)(CuFunction*, CuModule, const char*) = nullptr;
  CuResult (*module_unload)(CuModule) = nullptr;
  CuResult (*mem_alloc)(CuDevicePtr*, std::size_t) = nullptr;
  CuResult (*mem_free)(CuDevicePtr) = nullptr;
  CuResult (*memcpy_htod)(CuDevicePtr, const void*, std::size_t) = nullptr;
  CuResult (*memcpy_dtoh)(void*, CuDevicePtr, std::size_t) = nullptr;
  CuResult (*launch_kernel)(CuFunction, unsigned int, unsigned int, unsigned int, unsigned int,
                            unsigned int, unsigned int, unsigned int, CuStream, void**,
                            void**) = nullptr;
  CuResult (*event_create)(CuEvent*, unsigned int) = nullptr;
  CuResult (*event_record)(CuEvent, CuStream) = nullptr;
  CuResult (*event_synchronize)(CuEvent) = nullptr;
  CuResult (*event_elapsed_time)(float*, CuEvent, CuEvent) = nullptr;
  CuResult (*event_destroy)(CuEvent) = nullptr;
  CuResult (*get_error_name)(CuResult, const char**) = nullptr;
};

// One loaded libcuda.so.1 (closed on destruction), with every entry point resolved.
class CudaLibrary {
public:
  // Loads `library` (a path, or a bare name for the system search) and resolves every
  // function of CudaApi. Errors (environment): the library cannot be loaded, or lacks one of
  // the functions (a driver older than 450 or not a CUDA driver).
  [[nodiscard]] static util::Result<CudaLibrary> load(const std::string& library);

  CudaLibrary(CudaLibrary&& other) noexcept = default;
  CudaLibrary& operator=(CudaLibrary&&) = delete;
  CudaLibrary(const CudaLibrary&) = delete;
  CudaLibrary& operator=(const CudaLibrary&) = delete;
  ~CudaLibrary() = default;

  [[nodiscard]] const CudaApi& api() const { return m_api; }

  // "CUDA_ERROR_NO_DEVICE (100)"; "CUDA error 12345" when the driver does not know the code.
  [[nodiscard]] std::string error_name(CuResult result) const;

  // Error (kind verification) "`what` failed: <error name>" for a non-success `result`.
  [[nodiscard]] util::Status check(CuResult result, const std::string& what) const;

private:
  CudaLibrary(util::DlHandle handle, const CudaApi& api) : m_handle(std::move(handle)), m_api(api) {}

  util::DlHandle m_handle;  // closed with this object; m_api points into it
  CudaApi m_api;
};

}  // namespace envsetup::verify
