// SPDX-License-Identifier: Apache-2.0
// toolkit:cublas-sgemm: one SGEMM through the prefix's libcublas, checked against the CPU,
// then a timed larger one for TFLOP/s.
#include <envsetup/verify/loaded_library.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <vector>

namespace envsetup::verify::detail {

namespace {

// CUDA runtime and cuBLAS prototypes (C ABI; enums are ints).
using GetDeviceCount = int (*)(int*);
using Malloc = int (*)(void**, std::size_t);
using Free = int (*)(void*);
using Memcpy = int (*)(void*, const void*, std::size_t, int);  // 1 host->device, 2 device->host
using Synchronize = int (*)();
using GetErrorString = const char* (*)(int);
using Create = int (*)(void**);
using Destroy = int (*)(void*);
using Sgemm = int (*)(void*, int, int, int, int, int, const float*, const float*, int, const float*,
                      int, const float*, float*, int);

constexpr int k_check_size = 256;   // compared against the CPU
constexpr int k_timed_size = 4096;  // timed
constexpr int k_timed_runs = 10;

struct Api {
  GetDeviceCount device_count;
  Malloc malloc;
  Free free;
  Memcpy memcpy;
  Synchronize synchronize;
  GetErrorString error_string;
  Create create;
  Destroy destroy;
  Sgemm sgemm;
};

Check fail(std::string detail)
{
  return {"toolkit:cublas-sgemm", CheckStatus::fail, std::move(detail),
          std::string("run `envsetup verify` for the driver checks; a failing cuBLAS with a working "
                      "driver means a damaged prefix"),
          {}};
}

// n x n matrices on the device; C = A * B (column-major), timed over `runs` calls.
bool gemm(const Api& api, void* handle, int n, const std::vector<float>& a, const std::vector<float>& b,
          std::vector<float>& c, int runs, double& seconds)
{
  const std::size_t bytes = sizeof(float) * static_cast<std::size_t>(n) * static_cast<std::size_t>(n);
  void* d[3] = {nullptr, nullptr, nullptr};
  bool ok = true;
  for (auto*& buffer : d) {
    ok = ok && api.malloc(&buffer, bytes) == 0;
  }
  ok = ok && api.memcpy(d[0], a.data(), bytes, 1) == 0 && api.memcpy(d[1], b.data(), bytes, 1) == 0;
  const float alpha = 1.0F;
  const float beta = 0.0F;
  const auto start = std::chrono::steady_clock::now();
  for (int run = 0; ok && run < runs; ++run) {
    ok = api.sgemm(handle, 0, 0, n, n, n, &alpha, static_cast<const float*>(d[0]), n,
                   static_cast<const float*>(d[1]), n, &beta, static_cast<float*>(d[2]), n) == 0;
  }
  ok = ok && api.synchronize() == 0;
  seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  c.resize(a.size());
  ok = ok && api.memcpy(c.data(), d[2], bytes, 2) == 0;
  for (auto* buffer : d) {
    if (buffer != nullptr) {
      api.free(buffer);
    }
  }
  return ok;
}

double max_relative_error(int n, const std::vector<float>& a, const std::vector<float>& b,
                          const std::vector<float>& c)
{
  double worst = 0.0;
  double scale = 1e-30;
  std::vector<double> reference(c.size(), 0.0);
  for (int j = 0; j < n; ++j) {
    for (int k = 0; k < n; ++k) {
      const double bkj = b[static_cast<std::size_t>(j * n + k)];
      for (int i = 0; i < n; ++i) {
        reference[static_cast<std::size_t>(j * n + i)] += a[static_cast<std::size_t>(k * n + i)] * bkj;
      }
    }
  }
  for (std::size_t i = 0; i < c.size(); ++i) {
    worst = std::max(worst, std::abs(reference[i] - c[i]));
    scale = std::max(scale, std::abs(reference[i]));
  }
  return worst / scale;
}

}  // namespace

Check cublas_sgemm_check(const LoadedLibrary& cudart, const LoadedLibrary& cublas)
{
  const Api api{cudart.symbol<GetDeviceCount>("cudaGetDeviceCount"), cudart.symbol<Malloc>("cudaMalloc"),
                cudart.symbol<Free>("cudaFree"),         cudart.symbol<Memcpy>("cudaMemcpy"),
                cudart.symbol<Synchronize>("cudaDeviceSynchronize"),
                cudart.symbol<GetErrorString>("cudaGetErrorString"),
                cublas.symbol<Create>("cublasCreate_v2"), cublas.symbol<Destroy>("cublasDestroy_v2"),
                cublas.symbol<Sgemm>("cublasSgemm_v2")};
  if (!api.device_count || !api.malloc || !api.free || !api.memcpy || !api.synchronize ||
      !api.error_string || !api.create || !api.destroy || !api.sgemm) {
    return fail("the prefix's libcudart or libcublas lacks a function the SGEMM needs");
  }
  int devices = 0;
  if (const int status = api.device_count(&devices); status != 0 || devices == 0) {
    return {"toolkit:cublas-sgemm", CheckStatus::skip,
            std::string("no usable GPU: cudaGetDeviceCount says ") +
              (status != 0 ? api.error_string(status) : "0 devices"),
            std::nullopt, {}};
  }
  void* handle = nullptr;
  if (const int status = api.create(&handle); status != 0) {
    return fail("cublasCreate failed with status " + std::to_string(status));
  }
  std::mt19937 random(42);
  std::uniform_real_distribution<float> uniform(-1.0F, 1.0F);
  auto fill = [&](int n) {
    std::vector<float> m(static_cast<std::size_t>(n) * static_cast<std::size_t>(n));
    std::generate(m.begin(), m.end(), [&] { return uniform(random); });
    return m;
  };
  const auto a = fill(k_check_size);
  const auto b = fill(k_check_size);
  std::vector<float> c;
  double seconds = 0.0;
  Check check{"toolkit:cublas-sgemm", CheckStatus::pass, "", std::nullopt, {}};
  if (!gemm(api, handle, k_check_size, a, b, c, 1, seconds)) {
    check = fail("the SGEMM through " + cublas.path().string() + " failed");
  } else if (const double error = max_relative_error(k_check_size, a, b, c); error > 1e-4) {
    check = fail("SGEMM result differs from the CPU: max relative error " + std::to_string(error));
  } else {
    check.metrics.push_back({"max_rel_error", error});
    const auto big_a = fill(k_timed_size);
    const auto big_b = fill(k_timed_size);
    (void)gemm(api, handle, k_timed_size, big_a, big_b, c, 1, seconds);  // warm-up
    if (gemm(api, handle, k_timed_size, big_a, big_b, c, k_timed_runs, seconds) && seconds > 0.0) {
      const double flops = 2.0 * std::pow(static_cast<double>(k_timed_size), 3) * k_timed_runs;
      check.metrics.push_back({"tflops", flops / seconds / 1e12});
    }
    check.detail = "SGEMM " + std::to_string(k_check_size) + "^3 matches the CPU (max relative error " +
                   std::to_string(error) + ") through " + cublas.path().string();
  }
  api.destroy(handle);
  return check;
}

}  // namespace envsetup::verify::detail
