// SPDX-License-Identifier: Apache-2.0
// libcuda.so.1 loaded through util::DlHandle, its entry points resolved once.
#include <envsetup/verify/cuda_driver.hpp>

#include <utility>

namespace envsetup::verify {

namespace {

// Resolves `names` in order (the newest ABI first) into `function`; false when none exists.
template <typename Function>
bool resolve(const util::DlHandle& library, Function& function, std::initializer_list<const char*> names,
             std::string& missing)
{
  for (const char* name : names) {
    if (auto symbol = library.symbol<Function>(name); symbol != nullptr) {
      function = symbol;
      return true;
    }
  }
  missing = *names.begin();
  return false;
}

bool resolve_all(const util::DlHandle& handle, CudaApi& api, std::string& missing)
{
  return resolve(handle, api.init, {"cuInit"}, missing) &&
         resolve(handle, api.driver_get_version, {"cuDriverGetVersion"}, missing) &&
         resolve(handle, api.device_get_count, {"cuDeviceGetCount"}, missing) &&
         resolve(handle, api.device_get, {"cuDeviceGet"}, missing) &&
         resolve(handle, api.device_get_name, {"cuDeviceGetName"}, missing) &&
         resolve(handle, api.device_get_attribute, {"cuDeviceGetAttribute"}, missing) &&
         resolve(handle, api.primary_ctx_retain, {"cuDevicePrimaryCtxRetain"}, missing) &&
         resolve(handle, api.primary_ctx_release,
                 {"cuDevicePrimaryCtxRelease_v2", "cuDevicePrimaryCtxRelease"}, missing) &&
         resolve(handle, api.ctx_set_current, {"cuCtxSetCurrent"}, missing) &&
         resolve(handle, api.ctx_synchronize, {"cuCtxSynchronize"}, missing) &&
         resolve(handle, api.module_load_data_ex, {"cuModuleLoadDataEx"}, missing) &&
         resolve(handle, api.module_get_function, {"cuModuleGetFunction"}, missing) &&
         resolve(handle, api.module_unload, {"cuModuleUnload"}, missing) &&
         resolve(handle, api.mem_alloc, {"cuMemAlloc_v2"}, missing) &&
         resolve(handle, api.mem_free, {"cuMemFree_v2"}, missing) &&
         resolve(handle, api.memcpy_htod, {"cuMemcpyHtoD_v2"}, missing) &&
         resolve(handle, api.memcpy_dtoh, {"cuMemcpyDtoH_v2"}, missing) &&
         resolve(handle, api.launch_kernel, {"cuLaunchKernel"}, missing) &&
         resolve(handle, api.event_create, {"cuEventCreate"}, missing) &&
         resolve(handle, api.event_record, {"cuEventRecord"}, missing) &&
         resolve(handle, api.event_synchronize, {"cuEventSynchronize"}, missing) &&
         resolve(handle, api.event_elapsed_time, {"cuEventElapsedTime"}, missing) &&
         resolve(handle, api.event_destroy, {"cuEventDestroy_v2", "cuEventDestroy"}, missing) &&
         resolve(handle, api.get_error_name, {"cuGetErrorName"}, missing);
}

}  // namespace

util::Result<CudaLibrary> CudaLibrary::load(const std::string& library)
{
  auto handle = util::DlHandle::open(library, util::ErrorKind::environment);
  if (!handle) {
    return std::move(handle).error();
  }
  CudaApi api;
  std::string missing;
  if (!resolve_all(*handle, api, missing)) {
    return util::make_error(util::ErrorKind::environment,
                            "`" + library + "` is not a usable CUDA driver")
      .with_cause("it does not export `" + missing + "`")
      .with_hint("envsetup needs an NVIDIA driver >= 450 (CUDA 11.0)");
  }
  return CudaLibrary(std::move(*handle), api);
}

std::string CudaLibrary::error_name(CuResult result) const
{
  const char* name = nullptr;
  if (m_api.get_error_name(result, &name) == k_cuda_success && name != nullptr) {
    return std::string(name) + " (" + std::to_string(result) + ")";
  }
  return "CUDA error " + std::to_string(result);
}

util::Status CudaLibrary::check(CuResult result, const std::string& what) const
{
  if (result == k_cuda_success) {
    return util::ok_status();
  }
  return util::make_error(util::ErrorKind::verification, what + " failed: " + error_name(result));
}

}  // namespace envsetup::verify
