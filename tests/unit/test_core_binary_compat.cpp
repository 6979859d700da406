// SPDX-License-Identifier: Apache-2.0
#include <envsetup/core/binary_compat.hpp>

#include <gtest/gtest.h>

#include <vector>

namespace envsetup::core {
namespace {

ComputeCapability cc(const char* text)
{
  return ComputeCapability::parse(text).value();
}

// "sm_80", or "compute_90@8.5" for PTX with its ISA.
std::vector<CodeTarget> code(std::initializer_list<const char*> texts)
{
  std::vector<CodeTarget> out;
  for (const std::string text : texts) {
    const auto at = text.find('@');
    CodeTarget entry{ArchTarget::parse(text.substr(0, at)).value(), std::nullopt};
    if (at != std::string::npos) {
      entry.ptx_isa = Version::parse(text.substr(at + 1)).value();
    }
    out.push_back(entry);
  }
  return out;
}

// The chosen target's text, "jit:" before PTX, "none" when nothing runs.
std::string chosen(std::initializer_list<const char*> texts, const char* gpu)
{
  const auto targets = code(texts);
  const auto match = best_match(targets, cc(gpu));
  if (!match) {
    return "none";
  }
  EXPECT_EQ(match->jit, match->target.kind == ArchTarget::Kind::ptx);
  return (match->jit ? "jit:" : "") + match->target.text();
}

TEST(BinaryCompat, NewestRunnableSassWins)
{
  EXPECT_EQ(chosen({"sm_75", "sm_80", "sm_86", "sm_90"}, "8.9"), "sm_86");
  EXPECT_EQ(chosen({"sm_90", "sm_80", "sm_86"}, "8.6"), "sm_86");
  EXPECT_EQ(chosen({"sm_80", "sm_90"}, "12.0"), "none");
}

TEST(BinaryCompat, SassBeforePtxEvenWhenPtxIsNewer)
{
  EXPECT_EQ(chosen({"sm_80", "compute_86"}, "8.6"), "sm_80");
  EXPECT_EQ(chosen({"sm_80", "compute_90"}, "9.0"), "jit:compute_90");
  EXPECT_EQ(chosen({"sm_80", "compute_80", "compute_75"}, "12.0"), "jit:compute_80");
}

TEST(BinaryCompat, ArchSpecificOnlyOnItsCapabilityAndPreferredThere)
{
  EXPECT_EQ(chosen({"sm_90", "sm_90a"}, "9.0"), "sm_90a");
  EXPECT_EQ(chosen({"sm_90a", "sm_90"}, "9.0"), "sm_90a");
  EXPECT_EQ(chosen({"sm_90a"}, "10.0"), "none");
  EXPECT_EQ(chosen({"sm_90a", "compute_90a"}, "10.0"), "none");
  EXPECT_EQ(chosen({"sm_90a", "compute_90"}, "10.0"), "jit:compute_90");
  EXPECT_EQ(chosen({"sm_100a"}, "10.3"), "none");
}

TEST(BinaryCompat, FamilyWithinItsFamilyAndBetweenArchSpecificAndPlain)
{
  EXPECT_EQ(chosen({"sm_100f"}, "10.3"), "sm_100f");
  EXPECT_EQ(chosen({"sm_100f"}, "12.0"), "none");
  EXPECT_EQ(chosen({"sm_100", "sm_100f", "sm_100a"}, "10.0"), "sm_100a");
  EXPECT_EQ(chosen({"sm_100", "sm_100f", "sm_100a"}, "10.3"), "sm_100f");
  EXPECT_EQ(chosen({"sm_100", "sm_100f"}, "10.0"), "sm_100f");
  // A newer capability beats a more specific suffix.
  EXPECT_EQ(chosen({"sm_100a", "sm_103"}, "10.3"), "sm_103");
  EXPECT_EQ(chosen({"sm_120f", "compute_100f"}, "12.1"), "sm_120f");
  EXPECT_EQ(chosen({"compute_100f"}, "12.0"), "none");
}

TEST(BinaryCompat, PtxCarriesItsIsaAndTheNewestIsaDecidesAtEqualTarget)
{
  const auto targets = code({"sm_80", "compute_90@8.4", "compute_90@9.0", "compute_80@9.1"});
  const auto match = best_match(targets, cc("12.0"));
  ASSERT_TRUE(match.has_value());
  EXPECT_TRUE(match->jit);
  EXPECT_EQ(match->target.text(), "compute_90");
  ASSERT_TRUE(match->ptx_isa.has_value());
  EXPECT_EQ(match->ptx_isa->text(), "9.0");
  // An unknown ISA is the one a driver is least likely to JIT: it is reported.
  const auto unknown = code({"compute_90@9.0", "compute_90"});
  EXPECT_FALSE(best_match(unknown, cc("9.0"))->ptx_isa.has_value());
  // SASS reports no ISA.
  EXPECT_FALSE(best_match(targets, cc("8.0"))->ptx_isa.has_value());
}

TEST(BinaryCompat, NothingRunsOnOlderGpus)
{
  EXPECT_EQ(chosen({"sm_90", "compute_90"}, "8.9"), "none");
  EXPECT_EQ(chosen({}, "8.0"), "none");
}

}  // namespace
}  // namespace envsetup::core
