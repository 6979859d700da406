// SPDX-License-Identifier: Apache-2.0
// The driver and matmul checks as pure functions of their facts, and the worker's JSON line.
#include <envsetup/verify/checks.hpp>
#include <envsetup/verify/sgemm.hpp>
#include <envsetup/verify/worker_json.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace envsetup::verify {
namespace {

core::Version version(const char* text)
{
  return core::Version::parse(text).value();
}

DriverProbe working_probe(int devices = 2)
{
  return DriverProbe{"/usr/lib/x86_64-linux-gnu/libcuda.so.1", true, "", "", 12040, devices};
}

DriverFacts healthy()
{
  DriverFacts facts;
  facts.kernel_module = version("550.54.15");
  facts.libcuda = version("550.54.15");
  facts.library = "/usr/lib/x86_64-linux-gnu/libcuda.so.1";
  facts.probe = working_probe();
  return facts;
}

bool contains(const std::string& text, const std::string& part)
{
  return text.find(part) != std::string::npos;
}

TEST(VerifyDriverCheck, HealthyDriverPasses)
{
  const auto check = driver_check(healthy());
  EXPECT_EQ(check.name, "driver");
  EXPECT_EQ(check.status, CheckStatus::pass);
  EXPECT_EQ(check.detail, "550.54.15: kernel module and libcuda.so.1 agree; CUDA 12.4; 2 GPUs");
  EXPECT_FALSE(check.hint);
  EXPECT_TRUE(gpus_usable(healthy()));
}

TEST(VerifyDriverCheck, NoDriverAtAll)
{
  DriverFacts facts;
  const auto check = driver_check(facts);
  EXPECT_EQ(check.status, CheckStatus::fail);
  EXPECT_TRUE(contains(check.detail, "no NVIDIA driver loaded"));
  ASSERT_TRUE(check.hint);
  EXPECT_TRUE(contains(*check.hint, "install the NVIDIA driver"));
  EXPECT_FALSE(gpus_usable(facts));
  // The same when the library is tried by name and dlopen finds none.
  facts.library = "libcuda.so.1";
  facts.probe = DriverProbe{"libcuda.so.1", false, "cannot load", "", 0, 0};
  EXPECT_TRUE(contains(driver_check(facts).detail, "no NVIDIA driver loaded"));
}

TEST(VerifyDriverCheck, LibraryWithoutKernelModule)
{
  auto facts = healthy();
  facts.kernel_module.reset();
  const auto check = driver_check(facts);
  EXPECT_EQ(check.status, CheckStatus::fail);
  EXPECT_TRUE(contains(check.detail, "kernel module is not loaded"));
  EXPECT_TRUE(contains(*check.hint, "modprobe nvidia"));
  facts.wsl = true;  // WSL has no kernel module
  const auto wsl = driver_check(facts);
  EXPECT_EQ(wsl.status, CheckStatus::pass);
  EXPECT_TRUE(contains(wsl.detail, "WSL"));
}

TEST(VerifyDriverCheck, KernelModuleWithoutLibrary)
{
  auto facts = healthy();
  facts.library.reset();
  facts.probe.reset();
  const auto check = driver_check(facts);
  EXPECT_EQ(check.status, CheckStatus::fail);
  EXPECT_TRUE(contains(check.detail, "libcuda.so.1 was not found"));
  EXPECT_TRUE(contains(*check.hint, "550.54.15"));
}

TEST(VerifyDriverCheck, VersionMismatchFails)
{
  auto facts = healthy();
  facts.libcuda = version("535.104.05");
  const auto check = driver_check(facts);
  EXPECT_EQ(check.status, CheckStatus::fail);
  EXPECT_EQ(check.detail, "libcuda.so.1 is 535.104.05 but the kernel module is 550.54.15");
  EXPECT_TRUE(contains(*check.hint, "reboot"));
}

TEST(VerifyDriverCheck, UnknownLibraryVersionIsNotCompared)
{
  auto facts = healthy();
  facts.libcuda.reset();
  const auto check = driver_check(facts);
  EXPECT_EQ(check.status, CheckStatus::pass);
  EXPECT_TRUE(contains(check.detail, "not compared"));
}

TEST(VerifyDriverCheck, InitFailureAndHangAndNoDevices)
{
  auto facts = healthy();
  facts.probe->init_error = "CUDA_ERROR_NO_DEVICE (100)";
  auto check = driver_check(facts);
  EXPECT_EQ(check.status, CheckStatus::fail);
  EXPECT_EQ(check.detail, "cuInit failed: CUDA_ERROR_NO_DEVICE (100)");
  EXPECT_TRUE(contains(*check.hint, "CUDA_VISIBLE_DEVICES"));
  EXPECT_FALSE(gpus_usable(facts));

  facts.probe.reset();
  facts.probe_failure = "`envsetup` did not finish";
  check = driver_check(facts);
  EXPECT_EQ(check.status, CheckStatus::fail);
  EXPECT_TRUE(contains(check.detail, "gave no answer: `envsetup` did not finish"));

  facts.probe = working_probe(0);
  EXPECT_EQ(driver_check(facts).status, CheckStatus::fail);
  EXPECT_FALSE(gpus_usable(facts));
}

MatmulResult good_matmul()
{
  MatmulResult result;
  result.gpu = 1;
  result.size = 256;
  result.name = "NVIDIA H100 80GB HBM3";
  result.compute_capability = "9.0";
  result.max_relative_error = 1e-7;
  result.error_bound = error_bound(256);
  result.gflops = 1234.5;
  result.h2d_gb_per_s = 10.0;
  result.d2h_gb_per_s = 9.0;
  return result;
}

TEST(VerifyMatmulCheck, PassFailAndMetrics)
{
  auto result = good_matmul();
  auto check = matmul_check(result);
  EXPECT_EQ(check.name, "gpu-matmul[1]");
  EXPECT_EQ(check.status, CheckStatus::pass);
  EXPECT_TRUE(contains(check.detail, "GPU 1 NVIDIA H100 80GB HBM3 (9.0): 256x256 SGEMM 1234.5 GFLOP/s"));
  ASSERT_EQ(check.metrics.size(), 5U);
  EXPECT_EQ(check.metrics[0].name, "gflops");
  EXPECT_DOUBLE_EQ(check.metrics[0].value, 1234.5);

  result.bad_elements = 3;
  check = matmul_check(result);
  EXPECT_EQ(check.status, CheckStatus::fail);
  EXPECT_TRUE(contains(check.detail, "3 of 256x256 elements are wrong"));
  EXPECT_TRUE(check.hint);

  result = good_matmul();
  result.error = "cuModuleLoadDataEx (JIT of the PTX kernel) failed: CUDA_ERROR_INVALID_PTX (218)";
  result.jit_log = "ptxas fatal: bad\nmore";
  check = matmul_check(result);
  EXPECT_EQ(check.status, CheckStatus::fail);
  EXPECT_TRUE(contains(check.detail, "CUDA_ERROR_INVALID_PTX (218): ptxas fatal: bad"));
  EXPECT_FALSE(contains(check.detail, "more"));
}

TEST(VerifyMatmulCheck, WorkerTimeoutAndCrash)
{
  auto check = matmul_worker_failed(0, true, std::chrono::milliseconds(1500), "killed");
  EXPECT_EQ(check.status, CheckStatus::fail);
  EXPECT_EQ(check.detail, "GPU 0: no answer within 1.5 s (killed)");
  EXPECT_TRUE(contains(*check.hint, "hung"));
  check = matmul_worker_failed(2, false, std::chrono::milliseconds(1500), "it exited with status 139");
  EXPECT_EQ(check.name, "gpu-matmul[2]");
  EXPECT_TRUE(contains(check.detail, "status 139"));
}

TEST(VerifyWorkerJson, ProbeRoundTrips)
{
  const auto probe = working_probe(3);
  const auto line = probe_to_json_line(probe);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto parsed = parse_probe_line("some driver noise\n" + line + "\n");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->library, probe.library);
  EXPECT_TRUE(parsed->loaded);
  EXPECT_EQ(parsed->cuda_version, 12040);
  EXPECT_EQ(parsed->device_count, 3);
}

TEST(VerifyWorkerJson, MatmulRoundTripsWithInfiniteError)
{
  auto result = good_matmul();
  result.max_relative_error = std::numeric_limits<double>::infinity();
  result.bad_elements = 7;
  auto parsed = parse_matmul_line(matmul_to_json_line(result));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->gpu, 1);
  EXPECT_EQ(parsed->name, result.name);
  EXPECT_TRUE(std::isinf(parsed->max_relative_error));
  EXPECT_EQ(parsed->bad_elements, 7U);
  EXPECT_DOUBLE_EQ(parsed->gflops, 1234.5);
}

TEST(VerifyWorkerJson, BadAnswersAreErrors)
{
  for (const char* output : {"", "\n\n", "not json", "[1]", R"({"kind": "matmul"})",
                             R"({"kind": "probe", "library": 3})"}) {
    const auto parsed = parse_probe_line(output);
    ASSERT_FALSE(parsed) << output;
    EXPECT_EQ(parsed.error().kind, util::ErrorKind::verification);
    EXPECT_EQ(parsed.error().message, "the GPU worker gave no valid answer");
  }
  EXPECT_FALSE(parse_matmul_line(probe_to_json_line(working_probe())));
}

}  // namespace
}  // namespace envsetup::verify
