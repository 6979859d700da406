// SPDX-License-Identifier: Apache-2.0
// `--gpu` names from the shipped matrix's chip table.
#include "matrix_fixture.hpp"

#include <envsetup/matrix/gpu_names.hpp>
#include <envsetup/util/strings.hpp>

#include <gtest/gtest.h>

namespace envsetup::testing {
namespace {

std::string capability(const std::string& text)
{
  auto gpu = matrix::parse_gpu(real_matrix(), text);
  return gpu ? gpu->capability.text() : "error: " + gpu.error().message;
}

TEST(GpuNames, ChipsProductsAndCapabilities)
{
  EXPECT_EQ(capability("8.9"), "8.9");
  EXPECT_EQ(capability("sm_90"), "9.0");
  EXPECT_EQ(capability("120"), "12.0");
  EXPECT_EQ(capability("a100"), "8.0");
  EXPECT_EQ(capability("A100"), "8.0");
  EXPECT_EQ(capability("h100"), "9.0");
  EXPECT_EQ(capability("RTX 3090"), "8.6");
  EXPECT_EQ(capability("rtx3090"), "8.6");
  EXPECT_EQ(capability("GeForce RTX 4090"), "8.9");
  EXPECT_EQ(capability("rtx 4070"), "8.9");  // AD103 and AD104: one capability
  EXPECT_EQ(capability("gb10"), "12.1");     // "NVIDIA GB10 (DGX Spark)", not GB100 / GB10B
  EXPECT_EQ(capability("GA100"), "8.0");
  EXPECT_EQ(capability("4090"), "8.9");
  EXPECT_EQ(capability("ga102"), "8.6");
  EXPECT_EQ(capability("jetson agx orin"), "8.7");
  auto gpu = matrix::parse_gpu(real_matrix(), "rtx 3090");
  ASSERT_TRUE(gpu);
  EXPECT_EQ(gpu->name, "GeForce RTX 3090 (GA102)");
  EXPECT_EQ(matrix::parse_gpu(real_matrix(), "ga100")->name, "GA100");
  EXPECT_EQ(matrix::parse_gpu(real_matrix(), "a100")->name, "a100 (GA100)");
  EXPECT_EQ(matrix::parse_gpu(real_matrix(), "rtx 4070")->name, "GeForce RTX 4070 (AD103, AD104)");
  EXPECT_EQ(matrix::parse_gpu(real_matrix(), "8.6")->name, "");
}

TEST(GpuNames, AmbiguousAndUnknownNamesListCloseMatches)
{
  auto ambiguous = matrix::parse_gpu(real_matrix(), "RTX 3050");  // GA107 (8.6) and "RTX 3050 A" (Ada, 8.9)
  ASSERT_FALSE(ambiguous);
  EXPECT_EQ(ambiguous.error().kind, util::ErrorKind::usage);
  const std::string causes = util::join(ambiguous.error().causes, "\n");
  EXPECT_NE(causes.find("compute capability 8.6"), std::string::npos) << causes;
  EXPECT_NE(causes.find("compute capability 8.9"), std::string::npos) << causes;

  auto unknown = matrix::parse_gpu(real_matrix(), "a10");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, util::ErrorKind::usage);
  ASSERT_FALSE(unknown.error().hints.empty());
  EXPECT_TRUE(unknown.error().hints.front().starts_with("close matches: A100 SXM4 40GB, A100 PCIe 40GB"))
    << unknown.error().hints.front();
  EXPECT_NE(unknown.error().hints.front().find("(GA100, 8.0)"), std::string::npos) << unknown.error().hints.front();

  auto typo = matrix::parse_gpu(real_matrix(), "RTX 9090");
  ASSERT_FALSE(typo);
  EXPECT_NE(typo.error().hints.front().find("GeForce RTX 3090, GeForce RTX 3080 (GA102, 8.6)"), std::string::npos)
    << typo.error().hints.front();

  for (const char* bad : {"", "8.10", "sm_8x", "1234", "\x1b[31m"}) {
    auto error = matrix::parse_gpu(real_matrix(), bad);
    ASSERT_FALSE(error) << bad;
    EXPECT_EQ(error.error().kind, util::ErrorKind::usage) << bad;
  }
  EXPECT_NE(matrix::parse_gpu(real_matrix(), "sm_8x").error().message.find("invalid compute capability"),
            std::string::npos);
}

}  // namespace
}  // namespace envsetup::testing
