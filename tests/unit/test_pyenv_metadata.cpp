// SPDX-License-Identifier: Apache-2.0
// METADATA parsing and the check of the installed framework against the plan.
#include <envsetup/pyenv/metadata.hpp>

#include <gtest/gtest.h>

namespace envsetup::pyenv {
namespace {

using Outcome = InstallCheck::Outcome;

Metadata metadata(const std::string& text)
{
  auto parsed = parse_metadata(text);
  EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error().message);
  return parsed ? parsed.value() : Metadata{};
}

const char* k_jax =
  "Metadata-Version: 2.1\r\nName: jax\r\nVersion: 0.4.30\r\n"
  "Requires-Dist: ml_dtypes>=0.2.0\r\n"
  "Provides-Extra: cuda12\r\n"
  "Requires-Dist: jaxlib==0.4.30; extra == \"cuda12\"\r\n"
  "Requires-Dist: jax-cuda12-plugin[with_cuda] (==0.4.30) ; extra == 'cuda12'\r\n"
  "\r\nRequires-Dist: body-text-is-not-a-field\r\n";

TEST(PyenvMetadata, ParsesHeaderFieldsOnly)
{
  const auto m = metadata(k_jax);
  EXPECT_EQ(m.name, "jax");
  EXPECT_EQ(m.version, "0.4.30");
  EXPECT_EQ(m.provides_extras, std::vector<std::string>{"cuda12"});
  ASSERT_EQ(m.requires_dist.size(), 3U);
  EXPECT_EQ(m.requires_dist[0].name, "ml-dtypes");
  EXPECT_EQ(m.requires_dist[0].extra, "");
  EXPECT_EQ(m.requires_dist[2].name, "jax-cuda12-plugin");
  EXPECT_EQ(m.requires_dist[2].extra, "cuda12");
}

TEST(PyenvMetadata, RejectsMetadataWithoutVersion)
{
  const auto parsed = parse_metadata("Metadata-Version: 2.1\nName: torch\n");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().kind, util::ErrorKind::input);
}

TEST(PyenvMetadata, NormalizesNames)
{
  EXPECT_EQ(normalize_name("Jax_CUDA12.plugin"), "jax-cuda12-plugin");
  EXPECT_EQ(normalize_name("nvidia-cudnn-cu12"), "nvidia-cudnn-cu12");
}

TEST(PyenvMetadata, TheCudaBuildAsPlannedPasses)
{
  const ExpectedInstall expected{"torch", "2.5.1+cu124", "", true, "http://m/cu124"};
  const auto check = check_install(expected, metadata("Name: torch\nVersion: 2.5.1+cu124\n"), {"torch"});
  EXPECT_EQ(check.outcome, Outcome::expected);
  EXPECT_EQ(check.installed_version, "2.5.1+cu124");
}

TEST(PyenvMetadata, ACpuTagWhereCudaWasPlannedIsACpuBuild)
{
  const ExpectedInstall expected{"torch", "2.5.1+cu124", "", true, "http://m/cu124"};
  const auto check = check_install(expected, metadata("Name: torch\nVersion: 2.5.1+cpu\n"), {"torch"});
  EXPECT_EQ(check.outcome, Outcome::cpu_build);
  EXPECT_NE(check.explanation.find("shadowed"), std::string::npos) << check.explanation;
  EXPECT_NE(check.explanation.find("http://m/cu124"), std::string::npos) << check.explanation;
}

TEST(PyenvMetadata, APlannedCpuBuildIsNotAnError)
{
  const ExpectedInstall expected{"torch", "2.5.1+cpu", "", false, "http://m/cpu"};
  EXPECT_EQ(check_install(expected, metadata("Name: torch\nVersion: 2.5.1+cpu\n"), {}).outcome, Outcome::expected);
}

TEST(PyenvMetadata, AnotherVersionIsReported)
{
  const ExpectedInstall expected{"torch", "2.5.1+cu124", "", true, std::nullopt};
  const auto check = check_install(expected, metadata("Name: torch\nVersion: 2.4.0+cu124\n"), {});
  EXPECT_EQ(check.outcome, Outcome::other_version);
  EXPECT_EQ(check_install(expected, std::nullopt, {}).outcome, Outcome::missing);
}

TEST(PyenvMetadata, APlainVersionMatchesAPinWithoutLocalTag)
{
  const ExpectedInstall expected{"tensorflow", "2.13.1", "", true, std::nullopt};
  EXPECT_EQ(check_install(expected, metadata("Name: tensorflow\nVersion: 2.13.1\n"), {}).outcome, Outcome::expected);
}

TEST(PyenvMetadata, AnExtraWithItsPackagesInstalledPasses)
{
  const ExpectedInstall expected{"jax", "0.4.30", "cuda12", true, std::nullopt};
  EXPECT_EQ(check_install(expected, metadata(k_jax), {"jax", "jaxlib", "jax-cuda12-plugin"}).outcome, Outcome::expected);
}

TEST(PyenvMetadata, AnExtraWithoutItsPackagesIsACpuBuild)
{
  const ExpectedInstall expected{"jax", "0.4.30", "cuda12", true, std::nullopt};
  const auto check = check_install(expected, metadata(k_jax), {"jax", "jaxlib"});
  EXPECT_EQ(check.outcome, Outcome::cpu_build);
  EXPECT_NE(check.explanation.find("jax-cuda12-plugin"), std::string::npos) << check.explanation;
}

TEST(PyenvMetadata, AFrameworkThatDoesNotProvideTheExtraIsACpuBuild)
{
  const ExpectedInstall expected{"tensorflow", "2.17.0", "and-cuda", true, std::nullopt};
  const auto check = check_install(expected, metadata("Name: tensorflow\nVersion: 2.17.0\n"), {"tensorflow"});
  EXPECT_EQ(check.outcome, Outcome::cpu_build);
  EXPECT_NE(check.explanation.find("[and-cuda]"), std::string::npos) << check.explanation;
}

}  // namespace
}  // namespace envsetup::pyenv
