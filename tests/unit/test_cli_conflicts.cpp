// SPDX-License-Identifier: Apache-2.0
#include <envsetup/cli/colour.hpp>
#include <envsetup/cli/conflicts.hpp>

#include <gtest/gtest.h>

namespace envsetup::cli {
namespace {

TEST(CliConflicts, CpuWithCudaFlagsNamesBoth)
{
  for (const auto& [flags, second] : {std::pair{RequestedFlags{"torch", true, true}, "--cuda"},
                                      std::pair{RequestedFlags{"torch", true, false, true}, "--cudnn"},
                                      std::pair{RequestedFlags{"torch", true, false, false, true}, "--with-toolkit"}}) {
    const auto status = check_conflicts(flags);
    ASSERT_FALSE(status) << second;
    EXPECT_EQ(status.error().kind, util::ErrorKind::usage);
    EXPECT_NE(status.error().message.find("`--cpu`"), std::string::npos);
    EXPECT_NE(status.error().message.find(second), std::string::npos);
  }
  EXPECT_TRUE(check_conflicts({"torch", true}));
  EXPECT_TRUE(check_conflicts({"torch", false, true, true, true}));
}

TEST(CliConflicts, WheelMirrorOnlyForTorch)
{
  EXPECT_TRUE(check_conflicts({"torch==2.5.1", false, false, false, false, true}));
  EXPECT_TRUE(check_conflicts({"pytorch", false, false, false, false, true}));  // the alias
  for (const char* framework : {"tensorflow", "tf>=2.15", "jax", "none"}) {
    const auto status = check_conflicts({framework, false, false, false, false, true});
    ASSERT_FALSE(status) << framework;
    EXPECT_NE(status.error().message.find("--wheel-mirror"), std::string::npos);
  }
  const auto missing = check_conflicts({"", false, false, false, false, true});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("needs `--framework`"), std::string::npos);
  EXPECT_TRUE(check_conflicts({"tensorflow"}));  // no mirror: nothing to refuse
}

TEST(CliColour, ModesParseAndJsonOrNeverTurnColourOff)
{
  EXPECT_EQ(*parse_colour_mode("always"), ColourMode::always);
  EXPECT_EQ(*parse_colour_mode("never"), ColourMode::never);
  EXPECT_EQ(*parse_colour_mode("auto"), ColourMode::automatic);
  const auto bad = parse_colour_mode("alwys");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().hints.front(), "did you mean `--color always`?");
  set_colour(ColourMode::always, false);
  EXPECT_TRUE(colour_enabled(2));
  set_colour(ColourMode::always, true);  // --json wins over --color always
  EXPECT_FALSE(colour_enabled(2));
  set_colour(ColourMode::never, false);
  EXPECT_FALSE(colour_enabled(2));
  EXPECT_TRUE(stderr_palette().reset.empty());
  set_colour(ColourMode::automatic, false);
}

}  // namespace
}  // namespace envsetup::cli

namespace envsetup::cli {
namespace {

TEST(CliColour, TakeColourFlagAnywhereBeforeDoubleDash)
{
  std::string program = "envsetup", color = "--color", never = "never", detect = "detect", json = "--json",
              equals = "--color=always", dashes = "--", late = "--color";
  std::vector<char*> args = {program.data(), detect.data(), color.data(), never.data(), json.data()};
  const auto mode = take_colour_flag(args);
  ASSERT_TRUE(mode);
  EXPECT_EQ(*mode, ColourMode::never);
  EXPECT_EQ(args, (std::vector<char*>{program.data(), detect.data(), json.data()}));
  args = {program.data(), equals.data(), detect.data(), dashes.data(), late.data()};
  ASSERT_EQ(*take_colour_flag(args), ColourMode::always);
  EXPECT_EQ(args, (std::vector<char*>{program.data(), detect.data(), dashes.data(), late.data()}));
  args = {program.data(), detect.data(), color.data()};
  EXPECT_FALSE(take_colour_flag(args));  // no value
}

}  // namespace
}  // namespace envsetup::cli
