// SPDX-License-Identifier: Apache-2.0
#include <envsetup/core/gpu_arch.hpp>
#include <envsetup/core/request.hpp>

#include <gtest/gtest.h>

namespace envsetup::core {
namespace {

ComputeCapability cc(const char* text)
{
  return ComputeCapability::parse(text).value();
}

ArchTarget target(const char* text)
{
  return ArchTarget::parse(text).value();
}

TEST(ComputeCapability, AcceptsAllSpellings)
{
  for (const char* text : {"8.9", "89", "sm_89", " 8.9 "}) {
    EXPECT_EQ(cc(text), (ComputeCapability{8, 9})) << text;
  }
  for (const char* text : {"12.0", "120", "sm_120"}) {
    EXPECT_EQ(cc(text), (ComputeCapability{12, 0})) << text;
  }
  EXPECT_EQ(cc("10.3").sm_name(), "sm_103");
  EXPECT_EQ(cc("75").text(), "7.5");
}

TEST(ComputeCapability, RejectsGarbage)
{
  for (const char* bad : {"", "8", "8.", ".9", "8.10", "sm_8", "1234", "abc", "09", "0.5", "8,9", "sm_89a"}) {
    auto parsed = ComputeCapability::parse(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.error().kind, util::ErrorKind::input);
  }
}

TEST(ArchTarget, ParsesKindsAndSuffixes)
{
  EXPECT_EQ(target("sm_86").kind, ArchTarget::Kind::sass);
  EXPECT_EQ(target("sm_86").suffix, '\0');
  EXPECT_EQ(target("sm_90a").kind, ArchTarget::Kind::sass);
  EXPECT_EQ(target("sm_90a").suffix, 'a');
  EXPECT_EQ(target("sm_100f").suffix, 'f');
  EXPECT_EQ(target("compute_120").kind, ArchTarget::Kind::ptx);
  EXPECT_EQ(target("compute_120").capability, (ComputeCapability{12, 0}));
  EXPECT_EQ(target("compute_90a").kind, ArchTarget::Kind::ptx);
  EXPECT_EQ(target("compute_90a").suffix, 'a');
  EXPECT_EQ(target("compute_100f").suffix, 'f');
  EXPECT_EQ(target("compute_100f").capability, (ComputeCapability{10, 0}));
  for (const char* text : {"sm_86", "sm_90a", "sm_100f", "compute_90", "compute_90a", "compute_120f", "sm_37"}) {
    EXPECT_EQ(target(text).text(), text);
  }
  for (const char* bad : {"sm86", "sm_8", "compute_", "sm_90b", "lto_90", "8.6", "sm_a", "compute_f", "sm_90af",
                          "compute_90aa", "sm_1000a"}) {
    EXPECT_FALSE(ArchTarget::parse(bad).ok()) << bad;
  }
  EXPECT_NE(target("sm_90"), target("sm_90a"));
  EXPECT_NE(target("compute_90"), target("compute_90a"));
}

TEST(ArchTarget, SassRunsOnSameMajorNewerMinorOnly)
{
  EXPECT_TRUE(target("sm_80").runs_on(cc("8.0")));
  EXPECT_TRUE(target("sm_80").runs_on(cc("8.6")));
  EXPECT_TRUE(target("sm_80").runs_on(cc("8.9")));
  EXPECT_FALSE(target("sm_86").runs_on(cc("8.0")));
  EXPECT_FALSE(target("sm_80").runs_on(cc("9.0")));
  EXPECT_FALSE(target("sm_90").runs_on(cc("10.0")));
  EXPECT_TRUE(target("sm_120").runs_on(cc("12.1")));
}

TEST(ArchTarget, ArchSpecificRunsOnExactlyItsCapability)
{
  EXPECT_TRUE(target("sm_90a").runs_on(cc("9.0")));
  EXPECT_FALSE(target("sm_90a").runs_on(cc("10.0")));
  EXPECT_FALSE(target("sm_100a").runs_on(cc("10.3")));
  EXPECT_FALSE(target("sm_120a").runs_on(cc("12.1")));
  EXPECT_TRUE(target("compute_90a").runs_on(cc("9.0")));
  EXPECT_FALSE(target("compute_90a").runs_on(cc("10.0")));
  EXPECT_FALSE(target("compute_100a").runs_on(cc("10.3")));
}

TEST(ArchTarget, FamilyRunsWithinItsFamilyFromItsMinor)
{
  EXPECT_TRUE(target("sm_100f").runs_on(cc("10.0")));
  EXPECT_TRUE(target("sm_100f").runs_on(cc("10.3")));
  EXPECT_FALSE(target("sm_100f").runs_on(cc("12.0")));
  EXPECT_FALSE(target("sm_103f").runs_on(cc("10.0")));
  EXPECT_TRUE(target("sm_120f").runs_on(cc("12.1")));
  EXPECT_TRUE(target("compute_100f").runs_on(cc("10.3")));
  EXPECT_FALSE(target("compute_100f").runs_on(cc("12.0")));  // plain PTX would run there
  EXPECT_FALSE(target("compute_120f").runs_on(cc("10.0")));
}

TEST(ArchTarget, PtxRunsOnEveryNewerGpu)
{
  EXPECT_TRUE(target("compute_80").runs_on(cc("8.0")));
  EXPECT_TRUE(target("compute_80").runs_on(cc("9.0")));
  EXPECT_TRUE(target("compute_80").runs_on(cc("12.0")));
  EXPECT_FALSE(target("compute_90").runs_on(cc("8.9")));
}

TEST(Request, PostReleasePinIsTheReleaseWithItsSpellingKept)
{
  const auto request = Request::parse_framework("tensorflow==2.15.0.post1").value();
  EXPECT_EQ(request.version.text(), "==2.15.0");
  ASSERT_TRUE(request.post_release.has_value());
  EXPECT_EQ(*request.post_release, "2.15.0.post1");
  EXPECT_FALSE(Request::parse_framework("tensorflow==2.15.0.postx").ok());
  EXPECT_FALSE(Request::parse_framework("tensorflow>=2.15.0.post1").ok());
  EXPECT_FALSE(Request::parse_framework("tensorflow==2.15.0").value().post_release.has_value());
}

TEST(Request, ParsesFrameworkAndSpecifier)
{
  auto request = Request::parse_framework("torch>=2.4,<2.7").value();
  EXPECT_EQ(request.framework, "torch");
  EXPECT_EQ(request.version.text(), ">=2.4,<2.7");
  EXPECT_EQ(Request::parse_framework("PyTorch==2.5.1").value().framework, "torch");
  EXPECT_EQ(Request::parse_framework("tf").value().framework, "tensorflow");
  EXPECT_TRUE(Request::parse_framework("jax").value().version.empty());
  EXPECT_EQ(Request::parse_framework("none").value().framework, "none");
}

TEST(Request, RejectsBadRequests)
{
  for (const char* bad : {"", "==2.5", "torch==", "torch=2.5", "none==12.4", "torch>=two"}) {
    auto parsed = Request::parse_framework(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.error().kind, util::ErrorKind::usage) << bad;
  }
}

}  // namespace
}  // namespace envsetup::core
