// SPDX-License-Identifier: Apache-2.0
// The fields of plans on the shipped matrix (matrix/*.json, compiled in): indexes, packages,
// system toolkits, post releases, cuDNN pins, aarch64 builds and bare toolkits' cuDNN. The
// choices themselves, rule by rule, are in test_resolve_real_matrix.cpp.
#include "matrix_fixture.hpp"

#include <envsetup/resolve/resolver.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace envsetup::testing {
namespace {

core::Plan plan_for(const std::string& framework, const std::string& driver, const std::vector<std::string>& gpus,
                    const std::string& python = "", const std::string& cuda = "")
{
  auto resolution = resolve::resolve(real_matrix(), host(driver, gpus), request(framework, python, cuda));
  EXPECT_TRUE(resolution.ok());
  if (!resolution.ok() || !resolution->plan) {
    ADD_FAILURE() << "no plan for " << framework;
    return {};
  }
  return *resolution->plan;
}

TEST(ResolveRealPlan, TorchCu124CarriesIndexAndPackages)
{
  const auto plan = plan_for("torch==2.5.1", "550.54.15", {"8.9"});
  EXPECT_EQ(plan.framework, "torch");
  EXPECT_EQ(plan.display_name, "PyTorch");
  ASSERT_TRUE(plan.version.has_value());
  EXPECT_EQ(plan.version->text(), "2.5.1");
  EXPECT_EQ(plan.variant, "cu124");
  ASSERT_TRUE(plan.cuda.has_value());
  EXPECT_EQ(plan.cuda->text(), "12.4.1");
  ASSERT_TRUE(plan.cudnn.has_value());
  EXPECT_EQ(plan.cudnn->text(), "9.1.0.70");
  EXPECT_EQ(plan.index_url.value_or(""), "https://download.pytorch.org/whl/cu124");
  ASSERT_EQ(plan.packages.size(), 1U);
  EXPECT_EQ(plan.packages[0], "torch==2.5.1");
  EXPECT_TRUE(plan.pypi_default);
  EXPECT_FALSE(plan.system_toolkit);
  // No --python: the newest the release supports (2.5: 3.9-3.13; cp313 wheels were
  // published, experimental).
  ASSERT_TRUE(plan.python.has_value());
  EXPECT_EQ(plan.python->text(), "3.13");
  // All SASS: the 12.x minor-version floor (Ada's own 520.61.05 is lower).
  ASSERT_TRUE(plan.min_driver.has_value());
  EXPECT_EQ(plan.min_driver->text(), "525.60.13");
  ASSERT_EQ(plan.coverage.size(), 1U);
  EXPECT_EQ(plan.coverage[0].gpu.text(), "8.9");
  EXPECT_FALSE(plan.coverage[0].ptx);
  EXPECT_EQ(plan.coverage[0].target, "sm_86");
}

TEST(ResolveRealPlan, TorchPythonPinIsKept)
{
  const auto plan = plan_for("torch==2.5.1", "550.54.15", {"8.9"}, "3.10");
  ASSERT_TRUE(plan.python.has_value());
  EXPECT_EQ(plan.python->text(), "3.10");
  EXPECT_EQ(plan.variant, "cu124");
}

TEST(ResolveRealPlan, TorchCu118IndexUrl)
{
  const auto plan = plan_for("torch", "470.82.01", {"8.6"});
  EXPECT_EQ(plan.index_url.value_or(""), "https://download.pytorch.org/whl/cu118");
  ASSERT_EQ(plan.packages.size(), 1U);
  EXPECT_EQ(plan.packages[0], "torch==2.7.1");
  EXPECT_FALSE(plan.pypi_default);
  ASSERT_TRUE(plan.python.has_value());
  EXPECT_EQ(plan.python->text(), "3.13");
  // The 11.x floor is 450.80.02, but sm_86 needs 455.23 (first supported by CUDA 11.1).
  ASSERT_TRUE(plan.min_driver.has_value());
  EXPECT_EQ(plan.min_driver->text(), "455.23");
}

TEST(ResolveRealPlan, TorchBlackwellDriverIsArchitectureFloor)
{
  const auto plan = plan_for("torch", "570.124.06", {"12.0"});
  EXPECT_EQ(plan.variant, "cu128");
  EXPECT_EQ(plan.index_url.value_or(""), "https://download.pytorch.org/whl/cu128");
  ASSERT_TRUE(plan.min_driver.has_value());
  EXPECT_EQ(plan.min_driver->text(), "570.26");
  EXPECT_NE(plan.driver_rule.find("Blackwell"), std::string::npos) << plan.driver_rule;
  ASSERT_EQ(plan.coverage.size(), 1U);
  EXPECT_EQ(plan.coverage[0].target, "sm_120");
}

TEST(ResolveRealPlan, TensorflowBefore214NeedsSystemToolkit)
{
  // Hopper: 2.13's compute_80 reaches 9.0 only as PTX.
  const auto plan = plan_for("tensorflow==2.13.1", "525.60.13", {"9.0"});
  EXPECT_EQ(plan.variant, "cuda");
  EXPECT_TRUE(plan.system_toolkit);
  EXPECT_FALSE(plan.index_url.has_value());
  ASSERT_EQ(plan.packages.size(), 1U);
  EXPECT_EQ(plan.packages[0], "tensorflow==2.13.1");
  ASSERT_TRUE(plan.cuda.has_value());
  EXPECT_EQ(plan.cuda->text(), "11.8");
  ASSERT_TRUE(plan.cudnn.has_value());
  EXPECT_EQ(plan.cudnn->text(), "8.6");
  ASSERT_TRUE(plan.python.has_value());
  EXPECT_EQ(plan.python->text(), "3.11");
  // 9.0 runs the compute_80 PTX: the Table 3 driver of CUDA 11.8.0.
  ASSERT_TRUE(plan.min_driver.has_value());
  EXPECT_EQ(plan.min_driver->text(), "520.61.05");
  ASSERT_EQ(plan.coverage.size(), 1U);
  EXPECT_TRUE(plan.coverage[0].ptx);
  EXPECT_EQ(plan.coverage[0].target, "compute_80");
}

TEST(ResolveRealPlan, TensorflowFrom214UsesAndCudaExtra)
{
  const auto plan = plan_for("tensorflow==2.14.1", "550.54.15", {"8.6"});
  EXPECT_EQ(plan.variant, "and-cuda");
  EXPECT_FALSE(plan.system_toolkit);
  EXPECT_FALSE(plan.index_url.has_value());
  ASSERT_EQ(plan.packages.size(), 1U);
  EXPECT_EQ(plan.packages[0], "tensorflow[and-cuda]==2.14.1");
  EXPECT_TRUE(plan.pypi_default);

  const auto newest = plan_for("tensorflow", "550.54.15", {"8.6"});
  ASSERT_EQ(newest.packages.size(), 1U);
  EXPECT_EQ(newest.packages[0], "tensorflow[and-cuda]==2.21.0");
  EXPECT_FALSE(newest.system_toolkit);
  ASSERT_TRUE(newest.python.has_value());
  EXPECT_EQ(newest.python->text(), "3.13");
  ASSERT_TRUE(newest.cuda.has_value());
  EXPECT_EQ(newest.cuda->text(), "12.5");
}

// TensorFlow 2.15.0's [and-cuda] extra cannot be installed; 2.15.0.post1 can
// (tensorflow/tensorflow#62520): tensorflow.json's pip_versions.
TEST(ResolveRealPlan, Tensorflow2150InstallsPost1)
{
  const auto plan = plan_for("tensorflow==2.15.0", "550.54.15", {"8.6"});
  ASSERT_TRUE(plan.version.has_value());
  EXPECT_EQ(plan.version->text(), "2.15.0");
  ASSERT_EQ(plan.packages.size(), 1U);
  EXPECT_EQ(plan.packages[0], "tensorflow[and-cuda]==2.15.0.post1");
  bool noted = false;
  for (const auto& note : plan.notes) {
    noted = noted || note.find(
                       "installs 2.15.0.post1: 2.15.0's [and-cuda] extra cannot be installed "
                       "(tensorflow/tensorflow#62520)") != std::string::npos;
  }
  EXPECT_TRUE(noted);

  const auto later = plan_for("tensorflow==2.15.1", "550.54.15", {"8.6"});
  ASSERT_EQ(later.packages.size(), 1U);
  EXPECT_EQ(later.packages[0], "tensorflow[and-cuda]==2.15.1");
}

TEST(ResolveRealPlan, JaxCuda13Package)
{
  const auto plan = plan_for("jax", "580.95.05", {"8.9"});
  EXPECT_EQ(plan.variant, "cuda13");
  EXPECT_FALSE(plan.index_url.has_value());
  ASSERT_EQ(plan.packages.size(), 1U);
  EXPECT_EQ(plan.packages[0], "jax[cuda13]==0.11.0");
  EXPECT_FALSE(plan.pypi_default);
  EXPECT_FALSE(plan.system_toolkit);
  ASSERT_TRUE(plan.cuda.has_value());
  EXPECT_EQ(plan.cuda->text(), "13.0.0");
  ASSERT_TRUE(plan.cudnn.has_value());
  EXPECT_EQ(plan.cudnn->text(), "9.12.0.46");
  ASSERT_TRUE(plan.python.has_value());
  EXPECT_EQ(plan.python->text(), "3.14");
  ASSERT_TRUE(plan.min_driver.has_value());
  EXPECT_EQ(plan.min_driver->text(), "580.65.06");
}

TEST(ResolveRealPlan, JaxCuda12Package)
{
  const auto plan = plan_for("jax", "580.95.05", {"8.6"}, "", "12");
  EXPECT_EQ(plan.variant, "cuda12");
  ASSERT_EQ(plan.packages.size(), 1U);
  EXPECT_EQ(plan.packages[0], "jax[cuda12]==0.11.0");
  EXPECT_TRUE(plan.pypi_default);
  ASSERT_TRUE(plan.cuda.has_value());
  EXPECT_EQ(plan.cuda->text(), "12.9.1");
}

TEST(ResolveRealPlan, JaxMixedHostCoverage)
{
  const auto plan = plan_for("jax", "580.95.05", {"6.1", "12.0"});
  EXPECT_EQ(plan.variant, "cuda12");
  ASSERT_EQ(plan.coverage.size(), 2U);
  EXPECT_EQ(plan.coverage[0].gpu.text(), "6.1");
  EXPECT_FALSE(plan.coverage[0].ptx);
  EXPECT_EQ(plan.coverage[0].target, "sm_60");
  EXPECT_EQ(plan.coverage[1].gpu.text(), "12.0");
  // `compute_120` in bazel notation is SASS sm_120 as well.
  EXPECT_FALSE(plan.coverage[1].ptx);
  EXPECT_EQ(plan.coverage[1].target, "sm_120");
  // All SASS: the largest of the 12.x floor and the GPUs' floors (12.0: 570.26).
  ASSERT_TRUE(plan.min_driver.has_value());
  EXPECT_EQ(plan.min_driver->text(), "570.26");
}

// jax[cuda12] asks for nvidia-cudnn-cu12>=9.8,<10.0; pip would take the newest (9.11+ has
// no pre-Turing code), so a Pascal host gets the newest in range that supports sm_61.
TEST(ResolveRealPlan, JaxPascalPinsCudnn910)
{
  const auto plan = plan_for("jax", "580.95.05", {"6.1"});
  EXPECT_EQ(plan.variant, "cuda12");
  ASSERT_EQ(plan.packages.size(), 2U);
  EXPECT_EQ(plan.packages[0], "jax[cuda12]==0.11.0");
  EXPECT_EQ(plan.packages[1], "nvidia-cudnn-cu12==9.10.2.21");
  ASSERT_TRUE(plan.cudnn.has_value());
  EXPECT_EQ(plan.cudnn->text(), "9.10.2.21");

  // Turing and later: nothing pinned.
  const auto turing = plan_for("jax", "580.95.05", {"7.5"}, "", "12");
  ASSERT_EQ(turing.packages.size(), 1U);
  EXPECT_EQ(turing.packages[0], "jax[cuda12]==0.11.0");
}

// linux-aarch64 (SBSA): torch's own lists (8.0;9.0 for cu126, 8.0;9.0;10.0;11.0;12.0+PTX for
// cu130/cu132), JAX's x86_64 lists, no TensorFlow GPU build (platform_gaps).
core::Resolution resolve_aarch64(const std::string& framework, const std::string& driver,
                                 const std::vector<std::string>& gpus)
{
  auto facts = host(driver, gpus);
  facts.platform = core::Platform::linux_aarch64;
  auto resolution = resolve::resolve(real_matrix(), facts, request(framework));
  EXPECT_TRUE(resolution.ok());
  return resolution.ok() ? *resolution : core::Resolution{};
}

TEST(ResolveRealAarch64, TorchNewestUsesItsOwnIndexAndGlibc)
{
  const auto resolution = resolve_aarch64("torch", "580.95.05", {"9.0"});
  ASSERT_TRUE(resolution.plan.has_value()) << resolution.failure;
  EXPECT_EQ(chosen_name(resolution), "torch 2.14.0 cu132");
  EXPECT_EQ(resolution.plan->platform, core::Platform::linux_aarch64);
  EXPECT_EQ(resolution.plan->index_url.value_or(""), "https://download.pytorch.org/whl/cu132");
  ASSERT_TRUE(resolution.plan->glibc.has_value());
  EXPECT_EQ(resolution.plan->glibc->text(), "2.28");
}

TEST(ResolveRealAarch64, TorchCu126HasNoTuringOnAarch64)
{
  // 2.10's x86_64 cu126 covers 7.5; on aarch64 cu126 has only 8.0;9.0, and cu128 / cu130
  // start at 8.0 too: no 2.10 build for Turing on aarch64.
  const auto resolution = resolve_aarch64("torch==2.10.0", "580.95.05", {"7.5"});
  EXPECT_FALSE(resolution.plan.has_value());
  bool found = false;
  for (const auto& rejection : resolution.rejected) {
    if (rejection.candidate == "torch 2.10.0 cu126") {
      found = true;
      EXPECT_NE(rejection.reason.find("the build has sm_80, sm_90"), std::string::npos) << rejection.reason;
    }
  }
  EXPECT_TRUE(found);
}

TEST(ResolveRealAarch64, JaxAndTensorflow)
{
  const auto jax = resolve_aarch64("jax", "580.95.05", {"9.0"});
  EXPECT_EQ(chosen_name(jax), "jax 0.11.0 cuda13");
  ASSERT_TRUE(jax.plan.has_value());
  ASSERT_TRUE(jax.plan->glibc.has_value());
  EXPECT_EQ(jax.plan->glibc->text(), "2.27");

  const auto tf = resolve_aarch64("tensorflow", "580.95.05", {"9.0"});
  EXPECT_FALSE(tf.plan.has_value());
  ASSERT_FALSE(tf.rejected.empty());
  EXPECT_NE(tf.rejected[0].reason.find("TensorFlow publishes no CUDA-enabled Linux aarch64 wheels"), std::string::npos)
    << tf.rejected[0].reason;
}

TEST(ResolveRealPlan, ToolkitBlackwellCudnn)
{
  const auto plan = plan_for("none", "575.57.08", {"12.0"}, "", "12");
  EXPECT_EQ(plan.framework, "none");
  EXPECT_EQ(plan.variant, "toolkit");
  EXPECT_FALSE(plan.version.has_value());
  ASSERT_TRUE(plan.cuda.has_value());
  EXPECT_EQ(plan.cuda->text(), "12.9.2");
  // The newest cuDNN for 12.9 whose range reaches 12.0.
  ASSERT_TRUE(plan.cudnn.has_value());
  EXPECT_EQ(plan.cudnn->text(), "9.27.0.42");
  EXPECT_FALSE(plan.python.has_value());
  ASSERT_TRUE(plan.min_driver.has_value());
  EXPECT_EQ(plan.min_driver->text(), "575.57.08");
  ASSERT_EQ(plan.coverage.size(), 1U);
  EXPECT_FALSE(plan.coverage[0].ptx);
  EXPECT_EQ(plan.coverage[0].target, "sm_120");
}

TEST(ResolveRealPlan, ToolkitPascalCudnnStopsAt910)
{
  // cuDNN 9.11 and later start at 7.5: the newest for a Pascal GPU on 12.9 is 9.10.2.
  // R580: Pascal's last driver branch.
  const auto plan = plan_for("none", "580.95.05", {"6.1"});
  ASSERT_TRUE(plan.cuda.has_value());
  EXPECT_EQ(plan.cuda->text(), "12.9.2");
  ASSERT_TRUE(plan.cudnn.has_value());
  EXPECT_EQ(plan.cudnn->text(), "9.10.2.21");
}

}  // namespace
}  // namespace envsetup::testing
