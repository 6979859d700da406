// SPDX-License-Identifier: Apache-2.0
#include <envsetup/core/version.hpp>
#include <envsetup/core/version_spec.hpp>

#include <gtest/gtest.h>

namespace envsetup::core {
namespace {

Version v(const char* text)
{
  return Version::parse(text).value();
}

TEST(Version, ParsesDottedNumbersAndKeepsSpelling)
{
  const auto driver = v("535.104.05");
  EXPECT_EQ(driver.parts(), (std::vector<int>{535, 104, 5}));
  EXPECT_EQ(driver.text(), "535.104.05");
  EXPECT_EQ(driver.major(), 535);
  EXPECT_EQ(driver.minor(), 104);
  EXPECT_EQ(v("9.1.0.70").part(3), 70);
}

TEST(Version, RejectsGarbage)
{
  for (const char* bad : {"", ".", "1.", ".1", "1..2", "a.b", "1.2a", "-1.2", "1 .2", "1.2.3.4.5.6.7",
                          "99999999999999.1"}) {
    auto parsed = Version::parse(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.error().kind, util::ErrorKind::input);
    EXPECT_NE(parsed.error().message.find(bad), std::string::npos);
  }
}

TEST(Version, ComparesNumericallyWithZeroPadding)
{
  EXPECT_LT(v("535.86.10"), v("535.104.05"));
  EXPECT_EQ(v("12.4"), v("12.4.0"));
  EXPECT_LT(v("12.4"), v("12.4.1"));
  EXPECT_GT(v("13.0"), v("12.9.1"));
  EXPECT_LT(v("2.9.1"), v("2.10.0"));
}

TEST(Version, Prefix)
{
  EXPECT_EQ(v("12.4.1").prefix(2).text(), "12.4");
  EXPECT_EQ(v("12").prefix(2).text(), "12");
}

bool matches(const char* spec, const char* version)
{
  return VersionSpec::parse(spec).value().matches(v(version));
}

TEST(VersionSpec, Operators)
{
  EXPECT_TRUE(matches("", "1.0"));
  EXPECT_TRUE(matches("==2.5.1", "2.5.1"));
  EXPECT_FALSE(matches("==2.5.1", "2.5.0"));
  EXPECT_TRUE(matches("==2.5", "2.5.0"));
  EXPECT_FALSE(matches("==2.5", "2.5.1"));
  EXPECT_TRUE(matches("==2.5.*", "2.5.1"));
  EXPECT_FALSE(matches("==2.5.*", "2.6.0"));
  EXPECT_TRUE(matches("!=2.5.*", "2.6.0"));
  EXPECT_TRUE(matches(">=2.4,<2.7", "2.6.0"));
  EXPECT_FALSE(matches(">=2.4,<2.7", "2.7.0"));
  EXPECT_FALSE(matches(">=2.4,<2.7", "2.3.1"));
  EXPECT_TRUE(matches(">2.4", "2.4.1"));
  EXPECT_TRUE(matches("<=2.4", "2.4.0"));
  EXPECT_TRUE(matches("~=2.5", "2.9.0"));
  EXPECT_FALSE(matches("~=2.5", "3.0.0"));
  EXPECT_TRUE(matches("~=2.5.1", "2.5.3"));
  EXPECT_FALSE(matches("~=2.5.1", "2.6.0"));
  EXPECT_TRUE(matches(" >= 2.4 , != 2.5.0 ", "2.5.1"));
  EXPECT_FALSE(matches(" >= 2.4 , != 2.5.0 ", "2.5.0"));
}

TEST(VersionSpec, RejectsBadSpecifiers)
{
  for (const char* bad : {"2.5", "=2.5", "==", ">=2.x", "~=2", ">=2.*", "==2.5,", "=>2.4"}) {
    auto parsed = VersionSpec::parse(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_FALSE(parsed.error().hints.empty()) << bad;
  }
}

}  // namespace
}  // namespace envsetup::core
