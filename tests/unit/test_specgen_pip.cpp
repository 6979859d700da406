// SPDX-License-Identifier: Apache-2.0
#include "matrix_fixture.hpp"

#include <envsetup/specgen/pip_requirements.hpp>

#include <gtest/gtest.h>

namespace envsetup::specgen {
namespace {

core::Plan torch_plan(const std::string& version, const std::string& variant)
{
  core::Plan plan;
  plan.framework = "torch";
  plan.version = core::Version::parse(version).value();
  plan.variant = variant;
  plan.index_url = "https://download.pytorch.org/whl/" + variant;
  plan.packages = {"torch==" + version};
  plan.companions = {{"torchvision", "0.20"}, {"torchaudio", "2.5"}};
  return plan;
}

TEST(PipRequirements, PinsTheIndexLocalTagAndKeepsTheDefaultIndex)
{
  const auto requirements = pip_requirements(torch_plan("2.5.1", "cu124"), {});
  ASSERT_TRUE(requirements) << requirements.error().message;
  EXPECT_EQ(requirements->extra_index_url, "https://download.pytorch.org/whl/cu124");
  EXPECT_EQ(requirements->requirements, std::vector<std::string>{"torch==2.5.1+cu124"});
  EXPECT_EQ(requirements->framework_package, "torch");
  EXPECT_EQ(requirements->expected_version, "2.5.1+cu124");
}

TEST(PipRequirements, CompanionsFollowTheFrameworkPatch)
{
  const auto requirements = pip_requirements(torch_plan("2.5.1", "cu124"), {{"torchvision", "torchaudio"}, {}});
  ASSERT_TRUE(requirements);
  EXPECT_EQ(requirements->requirements,
            (std::vector<std::string>{"torch==2.5.1+cu124", "torchvision==0.20.1+cu124", "torchaudio==2.5.1+cu124"}));
  auto old = torch_plan("2.0.0", "cu118");
  old.companions = {{"torchvision", "0.15"}};
  const auto torch20 = pip_requirements(old, {{"torchvision"}, {}});
  ASSERT_TRUE(torch20);
  EXPECT_EQ(torch20->requirements.back(), "torchvision==0.15.1+cu118");
}

TEST(PipRequirements, WheelMirrorReplacesThePytorchRoot)
{
  const auto requirements = pip_requirements(torch_plan("2.5.1", "cu124"), {{}, "http://127.0.0.1:8080/whl"});
  ASSERT_TRUE(requirements);
  EXPECT_EQ(requirements->extra_index_url, "http://127.0.0.1:8080/whl/cu124");
  EXPECT_FALSE(pip_requirements(torch_plan("2.5.1", "cu124"), {{}, "mirror.lab"}));
}

TEST(PipRequirements, PypiFrameworksKeepTheirExtrasAndNoIndex)
{
  core::Plan plan;
  plan.framework = "jax";
  plan.version = core::Version::parse("0.4.30").value();
  plan.packages = {"jax[cuda12]==0.4.30"};
  const auto requirements = pip_requirements(plan, {});
  ASSERT_TRUE(requirements);
  EXPECT_FALSE(requirements->extra_index_url);
  EXPECT_EQ(requirements->requirements, std::vector<std::string>{"jax[cuda12]==0.4.30"});
  EXPECT_EQ(requirements->framework_package, "jax");
  EXPECT_EQ(requirements->expected_version, "0.4.30");
}

TEST(PipRequirements, RefusesUnknownCompanionsAndBareToolkits)
{
  const auto unknown = pip_requirements(torch_plan("2.5.1", "cu124"), {{"torchtext"}, {}});
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().hints.front().find("torchvision"), std::string::npos);
  core::Plan toolkit;
  toolkit.framework = "none";
  EXPECT_FALSE(pip_requirements(toolkit, {}));
}

}  // namespace
}  // namespace envsetup::specgen
