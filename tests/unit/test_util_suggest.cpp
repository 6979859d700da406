// SPDX-License-Identifier: Apache-2.0
#include <envsetup/util/suggest.hpp>

#include <gtest/gtest.h>

namespace envsetup::util {
namespace {

TEST(UtilSuggest, EditDistanceCountsEditsAndTranspositions)
{
  EXPECT_EQ(edit_distance("install", "install"), 0U);
  EXPECT_EQ(edit_distance("instal", "install"), 1U);
  EXPECT_EQ(edit_distance("framwork", "framework"), 1U);
  EXPECT_EQ(edit_distance("tocrh", "torch"), 1U);  // one transposition
  EXPECT_EQ(edit_distance("", "abc"), 3U);
  EXPECT_EQ(edit_distance("JSON", "json"), 0U);
}

TEST(UtilSuggest, SuggestsTyposPrefixesAndContainedWords)
{
  const std::vector<std::string> commands = {"detect", "resolve", "install", "inspect", "spec"};
  EXPECT_EQ(closest_match("instal", commands), "install");
  EXPECT_EQ(closest_match("inspcet", commands), "inspect");
  const std::vector<std::string> frameworks = {"jax", "tensorflow", "torch", "none"};
  EXPECT_EQ(closest_match("pytorch", frameworks), "torch");
  EXPECT_EQ(closest_match("tensorflw", frameworks), "tensorflow");
  const std::vector<std::string> flags = {"--framework", "--format", "--python"};
  EXPECT_EQ(closest_match("--framwork", flags), "--framework");
  EXPECT_EQ(closest_match("--frame", flags), "--framework");
}

TEST(UtilSuggest, NothingForExactUnrelatedOrEmptyWords)
{
  const std::vector<std::string> words = {"pip", "conda", "pixi", "docker", "apptainer"};
  EXPECT_FALSE(closest_match("pip", words));
  EXPECT_FALSE(closest_match("", words));
  EXPECT_FALSE(closest_match("kubernetes", words));
  EXPECT_EQ(did_you_mean("kubernetes", words), "");
  EXPECT_EQ(did_you_mean("dokcer", words), "did you mean `docker`?");
}

}  // namespace
}  // namespace envsetup::util
