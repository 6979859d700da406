// SPDX-License-Identifier: Apache-2.0
// Last driver branches on the shipped matrix: Kepler ends at R470, Maxwell/Pascal/Volta at R580
// (gpus.json). A driver above the branch is refused with the branch to install; plans and hints
// never need more than the branch allows; a host without a driver gets no crash and a plan hint.
#include "matrix_fixture.hpp"

#include <envsetup/resolve/resolver.hpp>

#include <gtest/gtest.h>

namespace envsetup::testing {
namespace {

bool any_contains(const std::vector<std::string>& texts, const std::string& part)
{
  return std::any_of(texts.begin(), texts.end(), [&](const auto& t) { return t.find(part) != std::string::npos; });
}

TEST(ResolveRealBranches, KeplerOnADriverAboveR470IsRefusedWithTheBranch)
{
  auto resolution = resolve::resolve(real_matrix(), host("550.54.15", {"3.7"}), request("torch"));
  ASSERT_TRUE(resolution.ok()) << resolution.error().message;
  EXPECT_FALSE(resolution->plan.has_value());
  EXPECT_TRUE(any_contains(resolution->hints, "install an R470 driver")) << resolution->failure;
}

TEST(ResolveRealBranches, KeplerToolkitStaysWithinR470)
{
  auto resolution = resolve::resolve(real_matrix(), host("470.256.02", {"3.7"}), request("none"));
  ASSERT_TRUE(resolution.ok()) << resolution.error().message;
  ASSERT_TRUE(resolution->plan.has_value()) << resolution->failure;
  ASSERT_TRUE(resolution->plan->min_driver.has_value());
  EXPECT_LE(resolution->plan->min_driver->major(), 470);
}

TEST(ResolveRealBranches, NoDriverWithBranchLimitedGpusGivesHintsNotACrash)
{
  for (const auto* gpu : {"3.7", "5.0", "6.1", "7.0"}) {
    for (const auto* framework : {"torch", "tensorflow", "jax", "none"}) {
      auto resolution = resolve::resolve(real_matrix(), host("", {gpu}), request(framework));
      ASSERT_TRUE(resolution.ok()) << resolution.error().message;
      EXPECT_FALSE(resolution->plan.has_value()) << framework << " on " << gpu;
      EXPECT_FALSE(resolution->hints.empty()) << framework << " on " << gpu;
      // No JAX build covers sm_37: its hint is about coverage, not a driver.
      if (std::string(framework) != "jax" || std::string(gpu) != "3.7") {
        EXPECT_TRUE(any_contains(resolution->hints, "install an NVIDIA driver >= ")) << framework << " on " << gpu;
      }
      for (const auto& hint : resolution->hints) {
        EXPECT_EQ(hint.find("install an R"), std::string::npos) << "no driver to downgrade: " << hint;
      }
    }
  }
}

}  // namespace
}  // namespace envsetup::testing
