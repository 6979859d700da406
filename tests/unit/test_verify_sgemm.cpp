// SPDX-License-Identifier: Apache-2.0
// The CPU side of the GPU matmul check (reference, error bound, comparison) and the same
// check run in-process against the fake libcuda of tests/fakes, which computes on the CPU.
#include <envsetup/verify/gpu_matmul.hpp>
#include <envsetup/verify/sgemm.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>

namespace envsetup::verify {
namespace {

TEST(VerifySgemm, RandomMatricesAreDeterministicAndInRange)
{
  const auto a = random_matrix(8, 9, 1);
  EXPECT_EQ(a.size(), 72U);
  EXPECT_EQ(a, random_matrix(8, 9, 1));
  EXPECT_NE(a, random_matrix(8, 9, 2));
  for (const float value : a) {
    EXPECT_GE(value, -1.0F);
    EXPECT_LT(value, 1.0F);
  }
}

TEST(VerifySgemm, ReferenceIsTheProductAndItsMagnitude)
{
  // A (2 x 3) * B (3 x 2), row-major.
  const std::vector<float> a = {1, -2, 3, 0, 0.5F, -1};
  const std::vector<float> b = {2, 1, 1, -1, 4, 0};
  const auto reference = reference_sgemm(a, b, 2, 2, 3);
  EXPECT_EQ(reference.product, (std::vector<double>{12, 3, -3.5, -0.5}));
  EXPECT_EQ(reference.magnitude, (std::vector<double>{16, 3, 4.5, 0.5}));
}

TEST(VerifySgemm, BoundIsKTimesTwoToTheMinus23)
{
  EXPECT_DOUBLE_EQ(error_bound(1), std::ldexp(1.0, -23));
  EXPECT_DOUBLE_EQ(error_bound(1024), 1024 * std::ldexp(1.0, -23));
}

TEST(VerifySgemm, Fp32ProductsPassAndPerturbedOnesFail)
{
  const int n = 64;
  const auto a = random_matrix(n, n, 1);
  const auto b = random_matrix(n, n, 2);
  const auto reference = reference_sgemm(a, b, n, n, n);
  std::vector<float> c(static_cast<std::size_t>(n * n));
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      float sum = 0.0F;  // fp32 accumulation in reverse k, as a GPU might order it
      for (int p = n - 1; p >= 0; --p) {
        sum = std::fma(a[static_cast<std::size_t>(i * n + p)], b[static_cast<std::size_t>(p * n + j)], sum);
      }
      c[static_cast<std::size_t>(i * n + j)] = sum;
    }
  }
  const auto good = compare(c, reference, error_bound(n));
  EXPECT_EQ(good.bad_elements, 0U);
  EXPECT_GT(good.max_relative_error, 0.0);
  EXPECT_LT(good.max_relative_error, error_bound(n));

  c[77] += 0.01F;
  const auto bad = compare(c, reference, error_bound(n));
  EXPECT_EQ(bad.bad_elements, 1U);
  EXPECT_EQ(bad.worst_index, 77U);
  EXPECT_GT(bad.max_relative_error, error_bound(n));
}

TEST(VerifySgemm, NanZeroMagnitudeAndShortResultsAreErrors)
{
  Reference reference{{1.0, 0.0, 2.0}, {1.0, 0.0, 2.0}};
  EXPECT_EQ(compare({1.0F, 0.0F, 2.0F}, reference, 1e-6).bad_elements, 0U);
  EXPECT_EQ(compare({1.0F, 1e-30F, 2.0F}, reference, 1e-6).bad_elements, 1U);
  const auto nan = compare({std::numeric_limits<float>::quiet_NaN(), 0.0F, 2.0F}, reference, 1e-6);
  EXPECT_EQ(nan.bad_elements, 1U);
  EXPECT_TRUE(std::isinf(nan.max_relative_error));
  EXPECT_EQ(compare({1.0F}, reference, 1e-6).bad_elements, 2U);  // the two missing ones
}

TEST(VerifyPtx, EmbeddedKernelIsTheLowIsaSgemm)
{
  const auto ptx = sgemm_ptx();
  EXPECT_NE(ptx.find(".version 7.0\n"), std::string_view::npos);
  EXPECT_NE(ptx.find(".target sm_50\n"), std::string_view::npos);
  EXPECT_NE(ptx.find(".address_size 64\n"), std::string_view::npos);
  EXPECT_NE(ptx.find(std::string(".entry ") + k_sgemm_entry + "("), std::string_view::npos);
}

// The matmul against the fake driver, in this process (the CLI tests cover the worker).
class VerifyFakeDriver : public ::testing::Test {
protected:
  void TearDown() override { ::unsetenv("FAKE_CUDA_MODE"); }
};

TEST_F(VerifyFakeDriver, ProbeAndMatmulPass)
{
  const auto probe = probe_driver(ENVSETUP_FAKE_CUDA);
  ASSERT_TRUE(probe.loaded) << probe.load_error;
  EXPECT_EQ(probe.init_error, "");
  EXPECT_EQ(probe.cuda_version, 12020);
  EXPECT_EQ(probe.device_count, 1);

  const auto result = run_matmul(ENVSETUP_FAKE_CUDA, 0, 37);
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.name, "NVIDIA GeForce RTX 3090");
  EXPECT_EQ(result.compute_capability, "8.6");
  EXPECT_EQ(result.bad_elements, 0U);
  EXPECT_GT(result.gflops, 0.0);
  EXPECT_DOUBLE_EQ(result.error_bound, error_bound(37));
}

TEST_F(VerifyFakeDriver, WrongNumbersAreCounted)
{
  ::setenv("FAKE_CUDA_MODE", "wrong", 1);
  const auto result = run_matmul(ENVSETUP_FAKE_CUDA, 0, 20);
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.bad_elements, (20U * 20U + 6U) / 7U);
}

TEST_F(VerifyFakeDriver, FailuresNameTheDriverCall)
{
  ::setenv("FAKE_CUDA_MODE", "init_fail", 1);
  EXPECT_EQ(probe_driver(ENVSETUP_FAKE_CUDA).init_error, "CUDA_ERROR_NO_DEVICE (100)");
  EXPECT_EQ(run_matmul(ENVSETUP_FAKE_CUDA, 0, 8).error, "cuInit failed: CUDA_ERROR_NO_DEVICE (100)");
  ::setenv("FAKE_CUDA_MODE", "jit_fail", 1);
  const auto jit = run_matmul(ENVSETUP_FAKE_CUDA, 0, 8);
  EXPECT_NE(jit.error.find("CUDA_ERROR_INVALID_PTX (218)"), std::string::npos) << jit.error;
  EXPECT_NE(jit.jit_log.find("fake JIT failure"), std::string::npos) << jit.jit_log;
  ::unsetenv("FAKE_CUDA_MODE");
  EXPECT_EQ(run_matmul(ENVSETUP_FAKE_CUDA, 3, 8).error, "cuDeviceGet failed: CUDA_ERROR_INVALID_VALUE (1)");
}

TEST(VerifyDriverLibrary, MissingLibraryIsALoadError)
{
  const auto probe = probe_driver("/nonexistent/libcuda.so.1");
  EXPECT_FALSE(probe.loaded);
  EXPECT_NE(probe.load_error.find("cannot load `/nonexistent/libcuda.so.1`"), std::string::npos);
}

}  // namespace
}  // namespace envsetup::verify
