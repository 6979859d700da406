// SPDX-License-Identifier: Apache-2.0
// A driver newer than the last branch that supports a GPU (matrix `last_driver_branch`):
// detection's warning. The matrix is built here: Pascal ends at R580, Ampere has no end.
#include <envsetup/detect/detect.hpp>

#include <gtest/gtest.h>

namespace envsetup::testing {
namespace {

core::Version version(const char* text)
{
  return core::Version::parse(text).value();
}

matrix::Matrix branch_matrix()
{
  matrix::Matrix matrix;
  matrix::Architecture pascal;
  pascal.name = "Pascal";
  pascal.capabilities = {{6, 0}, {6, 1}};
  pascal.min_driver = version("375.26");
  pascal.last_driver_branch = 580;
  matrix::Architecture ampere;
  ampere.name = "Ampere";
  ampere.capabilities = {{8, 0}, {8, 6}};
  ampere.min_driver = version("450.36.06");
  matrix.architectures = {pascal, ampere};
  return matrix;
}

detect::HostReport host(const char* driver, std::vector<std::pair<core::ComputeCapability, std::string>> gpus)
{
  detect::HostReport report;
  report.driver = detect::DriverInfo{version(driver), std::nullopt, "proc", "", std::nullopt, std::nullopt};
  int index = 0;
  for (auto& [capability, name] : gpus) {
    detect::GpuInfo gpu;
    gpu.index = index++;
    gpu.compute_capability = capability;
    gpu.name = name;
    report.gpus.push_back(gpu);
  }
  return report;
}

TEST(DetectDriverBranch, NewerBranchThanPascalSupports)
{
  const auto report = host("590.44", {{{6, 0}, "Tesla P100"}, {{8, 6}, "NVIDIA GeForce RTX 3090"}});
  const auto found = detect::driver_too_new(report, branch_matrix());
  ASSERT_EQ(found.size(), 1U);
  EXPECT_EQ(found[0].architecture, "Pascal");
  EXPECT_EQ(found[0].last_branch, 580);
  EXPECT_EQ(found[0].text(),
            "driver 590.44 is newer than R580, the last branch that supports Pascal GPUs (Tesla P100, sm_60)");
}

TEST(DetectDriverBranch, TheLastBranchItselfIsFine)
{
  EXPECT_TRUE(detect::driver_too_new(host("580.95.05", {{{6, 1}, "GeForce GTX 1080"}}), branch_matrix()).empty());
  EXPECT_TRUE(detect::driver_too_new(host("550.54.15", {{{6, 0}, "Tesla P100"}}), branch_matrix()).empty());
}

TEST(DetectDriverBranch, ArchitecturesWithoutALastBranchAreNeverFlagged)
{
  EXPECT_TRUE(detect::driver_too_new(host("999.1", {{{8, 0}, "A100"}}), branch_matrix()).empty());
  EXPECT_TRUE(detect::driver_too_new(host("999.1", {{{9, 0}, "H100"}}), branch_matrix()).empty());  // unknown
}

TEST(DetectDriverBranch, NoDriverNothingToFlag)
{
  auto report = host("590.44", {{{6, 0}, "Tesla P100"}});
  report.driver.reset();
  EXPECT_TRUE(detect::driver_too_new(report, branch_matrix()).empty());
}

TEST(DetectDriverBranch, OneEntryPerArchitectureNamingEachGpu)
{
  const auto report = host("590.44", {{{6, 0}, "Tesla P100"}, {{6, 1}, "GeForce GTX 1080"}, {{6, 0}, "Tesla P100"}, {{6, 1}, ""}});
  const auto found = detect::driver_too_new(report, branch_matrix());
  ASSERT_EQ(found.size(), 1U);
  EXPECT_EQ(found[0].gpus, (std::vector<std::string>{"Tesla P100, sm_60", "GeForce GTX 1080, sm_61", "sm_61"}));
  EXPECT_NE(found[0].text().find("GPUs (Tesla P100, sm_60; GeForce GTX 1080, sm_61; sm_61)"), std::string::npos);
}

TEST(DetectDriverBranch, DetectionWarnsWithTheBranchToInstall)
{
  auto report = host("590.44", {{{6, 0}, "Tesla P100"}});
  detect::add_warnings(detect::SystemProbe("/nonexistent-envsetup-sysroot", {}), branch_matrix(), report);
  ASSERT_EQ(report.warnings.size(), 1U);
  EXPECT_EQ(report.warnings[0], "driver 590.44 is newer than R580, the last branch that supports Pascal GPUs "
                                "(Tesla P100, sm_60): install an R580 driver");
}

}  // namespace
}  // namespace envsetup::testing
