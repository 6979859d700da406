// SPDX-License-Identifier: Apache-2.0
#include <envsetup/verify/cuda_driver.hpp>
#include <envsetup/verify/embedded.hpp>
#include <envsetup/verify/gpu_matmul.hpp>
#include <envsetup/verify/sgemm.hpp>

#include <array>
#include <chrono>
#include <functional>
#include <utility>

namespace envsetup::verify {

namespace {

constexpr unsigned int k_tile = 16;  // the kernel's block is k_tile x k_tile (sgemm.ptx)
constexpr int k_timed_launches = 10;
constexpr std::size_t k_log_size = 8192;

// Runs `release` on scope exit (driver resources must go in reverse order of creation).
class Defer {
public:
  explicit Defer(std::function<void()> release) : m_release(std::move(release)) {}
  ~Defer() { m_release(); }
  Defer(const Defer&) = delete;
  Defer& operator=(const Defer&) = delete;

private:
  std::function<void()> m_release;
};

double seconds_since(std::chrono::steady_clock::time_point start)
{
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double gb_per_s(std::size_t bytes, double seconds)
{
  return seconds > 0.0 ? static_cast<double>(bytes) / seconds / 1e9 : 0.0;
}

// The device part: everything after cuInit succeeded; fills `result`, or returns the error
// of the first failing step.
util::Status run_on_device(const CudaLibrary& cuda, MatmulResult& result)
{
  const CudaApi& api = cuda.api();
  CuDevice device = 0;
  ENVSETUP_TRY(cuda.check(api.device_get(&device, result.gpu), "cuDeviceGet"));
  std::array<char, 256> name{};
  if (api.device_get_name(name.data(), static_cast<int>(name.size() - 1), device) == 0) {
    result.name = name.data();
  }
  int major = 0;
  int minor = 0;
  if (api.device_get_attribute(&major, k_attribute_cc_major, device) == 0 &&
      api.device_get_attribute(&minor, k_attribute_cc_minor, device) == 0) {
    result.compute_capability = std::to_string(major) + "." + std::to_string(minor);
  }
  CuContext context = nullptr;
  ENVSETUP_TRY(cuda.check(api.primary_ctx_retain(&context, device), "cuDevicePrimaryCtxRetain"));
  const Defer release_context([&] { api.primary_ctx_release(device); });
  ENVSETUP_TRY(cuda.check(api.ctx_set_current(context), "cuCtxSetCurrent"));

  // JIT the PTX, keeping the compiler's error log.
  const std::string ptx(sgemm_ptx());
  std::array<char, k_log_size> log{};
  std::array<int, 2> options{k_jit_error_log_buffer, k_jit_error_log_buffer_size};
  std::array<void*, 2> values{log.data(), reinterpret_cast<void*>(log.size() - 1)};
  CuModule module = nullptr;
  const CuResult loaded =
    api.module_load_data_ex(&module, ptx.c_str(), 2, options.data(), values.data());
  if (loaded != k_cuda_success) {
    result.jit_log = log.data();
    return cuda.check(loaded, "cuModuleLoadDataEx (JIT of the PTX kernel)");
  }
  const Defer unload([&] { api.module_unload(module); });
  CuFunction kernel = nullptr;
  ENVSETUP_TRY(cuda.check(api.module_get_function(&kernel, module, k_sgemm_entry), "cuModuleGetFunction"));

  const int n = result.size;
  const auto a = random_matrix(n, n, 1);
  const auto b = random_matrix(n, n, 2);
  std::vector<float> c(a.size(), 0.0F);
  const std::size_t bytes = a.size() * sizeof(float);
  std::array<CuDevicePtr, 3> buffers{};
  for (auto& buffer : buffers) {
    ENVSETUP_TRY(cuda.check(api.mem_alloc(&buffer, bytes), "cuMemAlloc"));
  }
  const Defer free_buffers([&] {
    for (auto buffer : buffers) {
      if (buffer != 0) {
        api.mem_free(buffer);
      }
    }
  });

  auto start = std::chrono::steady_clock::now();
  ENVSETUP_TRY(cuda.check(api.memcpy_htod(buffers[0], a.data(), bytes), "cuMemcpyHtoD"));
  ENVSETUP_TRY(cuda.check(api.memcpy_htod(buffers[1], b.data(), bytes), "cuMemcpyHtoD"));
  ENVSETUP_TRY(cuda.check(api.ctx_synchronize(), "cuCtxSynchronize"));
  result.h2d_gb_per_s = gb_per_s(2 * bytes, seconds_since(start));

  auto dims = static_cast<unsigned int>(n);
  std::array<void*, 6> params{&buffers[0], &buffers[1], &buffers[2], &dims, &dims, &dims};
  const unsigned int grid = (dims + k_tile - 1) / k_tile;
  const auto launch = [&] {
    return cuda.check(api.launch_kernel(kernel, grid, grid, 1, k_tile, k_tile, 1, 0, nullptr,
                                        params.data(), nullptr),
                      "cuLaunchKernel");
  };
  ENVSETUP_TRY(launch());  // warm-up, and the result that is checked
  ENVSETUP_TRY(cuda.check(api.ctx_synchronize(), "cuCtxSynchronize after the kernel"));

  std::array<CuEvent, 2> events{};
  for (auto& event : events) {
    ENVSETUP_TRY(cuda.check(api.event_create(&event, 0), "cuEventCreate"));
  }
  const Defer destroy_events([&] {
    for (auto event : events) {
      if (event != nullptr) {
        api.event_destroy(event);
      }
    }
  });
  ENVSETUP_TRY(cuda.check(api.event_record(events[0], nullptr), "cuEventRecord"));
  for (int i = 0; i < k_timed_launches; ++i) {
    ENVSETUP_TRY(launch());
  }
  ENVSETUP_TRY(cuda.check(api.event_record(events[1], nullptr), "cuEventRecord"));
  ENVSETUP_TRY(cuda.check(api.event_synchronize(events[1]), "cuEventSynchronize"));
  float milliseconds = 0.0F;
  ENVSETUP_TRY(cuda.check(api.event_elapsed_time(&milliseconds, events[0], events[1]), "cuEventElapsedTime"));
  const double flops = 2.0 * static_cast<double>(n) * n * n * k_timed_launches;
  result.gflops = milliseconds > 0.0F ? flops / (milliseconds * 1e-3) / 1e9 : 0.0;

  start = std::chrono::steady_clock::now();
  ENVSETUP_TRY(cuda.check(api.memcpy_dtoh(c.data(), buffers[2], bytes), "cuMemcpyDtoH"));
  result.d2h_gb_per_s = gb_per_s(bytes, seconds_since(start));

  const auto reference = reference_sgemm(a, b, n, n, n);
  result.error_bound = error_bound(n);
  const auto comparison = compare(c, reference, result.error_bound);
  result.max_relative_error = comparison.max_relative_error;
  result.bad_elements = comparison.bad_elements;
  return util::ok_status();
}

}  // namespace

std::string_view sgemm_ptx()
{
  for (const auto& file : embedded_kernels()) {
    if (file.name == "sgemm.ptx") {
      return file.content;
    }
  }
  return {};
}

DriverProbe probe_driver(const std::string& library)
{
  DriverProbe probe;
  probe.library = library;
  auto cuda = CudaLibrary::load(library);
  if (!cuda) {
    probe.load_error = cuda.error().message;
    for (const auto& cause : cuda.error().causes) {
      probe.load_error += ": " + cause;
    }
    return probe;
  }
  probe.loaded = true;
  const CudaApi& api = cuda->api();
  if (api.driver_get_version(&probe.cuda_version) != k_cuda_success) {
    probe.cuda_version = 0;
  }
  if (const CuResult init = api.init(0); init != k_cuda_success) {
    probe.init_error = cuda->error_name(init);
    return probe;
  }
  if (api.device_get_count(&probe.device_count) != k_cuda_success) {
    probe.device_count = 0;
  }
  return probe;
}

MatmulResult run_matmul(const std::string& library, int gpu, int size)
{
  MatmulResult result;
  result.gpu = gpu;
  result.size = size;
  auto cuda = CudaLibrary::load(library);
  if (!cuda) {
    result.error = cuda.error().message;
    return result;
  }
  if (auto init = cuda->check(cuda->api().init(0), "cuInit"); !init) {
    result.error = init.error().message;
    return result;
  }
  if (auto status = run_on_device(*cuda, result); !status) {
    result.error = status.error().message;
  }
  return result;
}

}  // namespace envsetup::verify
