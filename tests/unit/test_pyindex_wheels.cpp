// SPDX-License-Identifier: Apache-2.0
// Wheel file names and compatibility tags (PEP 427, PEP 425, PEP 600).
#include <envsetup/pyindex/wheel_name.hpp>

#include <gtest/gtest.h>

namespace envsetup::pyindex {
namespace {

core::Version v(const char* text)
{
  return core::Version::parse(text).value();
}

WheelName wheel(const char* name)
{
  auto parsed = parse_wheel_name(name);
  EXPECT_TRUE(parsed.has_value()) << name;
  return parsed.value_or(WheelName{});
}

TEST(PyindexWheelName, ReadsEveryField)
{
  const auto w = wheel("torch-2.5.1+cu124-cp311-cp311-manylinux_2_28_x86_64.whl");
  EXPECT_EQ(w.distribution, "torch");
  EXPECT_EQ(w.version, "2.5.1+cu124");
  EXPECT_TRUE(w.build.empty());
  EXPECT_EQ(w.python_tags, std::vector<std::string>{"cp311"});
  EXPECT_EQ(w.platform_tags, std::vector<std::string>{"manylinux_2_28_x86_64"});
  const auto built = wheel("Jax_Cuda12.Plugin-0.4.30-1-cp310.cp311-abi3-manylinux2014_x86_64.linux_x86_64.whl");
  EXPECT_EQ(built.distribution, "jax-cuda12-plugin");
  EXPECT_EQ(built.build, "1");
  EXPECT_EQ(built.python_tags.size(), 2u);
  EXPECT_EQ(built.platform_tags.size(), 2u);
}

TEST(PyindexWheelName, RefusesWhatIsNotAWheel)
{
  for (const char* name : {"torch-2.5.1.tar.gz", "torch-2.5.1-cp311-cp311.whl", "-2.5.1-cp311-cp311-any.whl",
                           "torch--cp311-cp311-any.whl", "a-b-c-d-e-f-g.whl", "torch-2.5.1-cp311-cp311-linux x.whl",
                           "../../etc-1-py3-none-any.whl", "torch-1-py3-none-any.whl\n", ".whl", ""}) {
    EXPECT_FALSE(parse_wheel_name(name).has_value()) << name;
  }
  EXPECT_FALSE(parse_wheel_name(std::string(600, 'a') + "-1-py3-none-any.whl").has_value());
}

TEST(PyindexWheelName, NormalizesProjectNames)
{
  EXPECT_EQ(normalize_project("Friendly-Bard"), "friendly-bard");
  EXPECT_EQ(normalize_project("FRIENDLY__bard"), "friendly-bard");
  EXPECT_EQ(normalize_project("friendly.-_bard"), "friendly-bard");
}

TEST(PyindexPlatformTag, ManylinuxAliasesAndPep600)
{
  const auto legacy = parse_platform_tag("manylinux2014_x86_64");
  EXPECT_EQ(legacy.kind, PlatformTag::Kind::manylinux);
  EXPECT_EQ(legacy.arch, "x86_64");
  EXPECT_EQ(*legacy.libc, v("2.17"));
  EXPECT_EQ(*parse_platform_tag("manylinux2010_x86_64").libc, v("2.12"));
  EXPECT_EQ(*parse_platform_tag("manylinux1_x86_64").libc, v("2.5"));
  const auto modern = parse_platform_tag("manylinux_2_28_aarch64");
  EXPECT_EQ(modern.arch, "aarch64");
  EXPECT_EQ(*modern.libc, v("2.28"));
  EXPECT_EQ(parse_platform_tag("musllinux_1_2_x86_64").kind, PlatformTag::Kind::musllinux);
  EXPECT_EQ(parse_platform_tag("linux_x86_64").kind, PlatformTag::Kind::linux);
  EXPECT_EQ(parse_platform_tag("any").kind, PlatformTag::Kind::any);
  for (const char* other : {"win_amd64", "macosx_11_0_arm64", "manylinux_2_x86_64", "manylinux_99999_1_x86_64",
                            "manylinux_2_28_", "manylinux2014_", "linux_"}) {
    EXPECT_EQ(parse_platform_tag(other).kind, PlatformTag::Kind::other) << other;
  }
}

TEST(PyindexPlatformTag, GlibcNeededIsTheLowestFittingTag)
{
  const auto both = wheel("torch-2.5.1-cp311-cp311-manylinux_2_28_x86_64.manylinux2014_x86_64.whl");
  EXPECT_EQ(*glibc_needed(both, core::Platform::linux_x86_64), v("2.17"));
  EXPECT_FALSE(glibc_needed(both, core::Platform::linux_aarch64).has_value());
  const auto pure = wheel("jax-0.4.30-py3-none-any.whl");
  EXPECT_EQ(*glibc_needed(pure, core::Platform::linux_aarch64), v("0.0"));
  const auto mac = wheel("torch-2.5.1-cp311-none-macosx_11_0_arm64.whl");
  EXPECT_FALSE(glibc_needed(mac, core::Platform::linux_x86_64).has_value());
}

TEST(PyindexPythonTag, CpythonAbi3AndPureWheels)
{
  const auto cp311 = wheel("torch-2.5.1-cp311-cp311-linux_x86_64.whl");
  EXPECT_TRUE(supports_python(cp311, v("3.11")));
  EXPECT_FALSE(supports_python(cp311, v("3.12")));
  EXPECT_FALSE(supports_python(cp311, v("3.10")));
  const auto abi3 = wheel("jaxlib-0.4.30-cp39-abi3-manylinux2014_x86_64.whl");
  EXPECT_TRUE(supports_python(abi3, v("3.13")));
  EXPECT_FALSE(supports_python(abi3, v("3.8")));
  const auto freethreaded = wheel("torch-2.6.0-cp313-cp313t-linux_x86_64.whl");
  EXPECT_FALSE(supports_python(freethreaded, v("3.13")));
  const auto py3 = wheel("jax-0.4.30-py3-none-any.whl");
  EXPECT_TRUE(supports_python(py3, v("3.14")));
  const auto py310 = wheel("x-1-py310-none-any.whl");
  EXPECT_TRUE(supports_python(py310, v("3.12")));
  EXPECT_FALSE(supports_python(py310, v("3.9")));
  const auto pypy = wheel("x-1-pp310-pypy310_pp73-linux_x86_64.whl");
  EXPECT_FALSE(supports_python(pypy, v("3.10")));
  EXPECT_EQ(cpython_tag(v("3.13")), "cp313");
}

}  // namespace
}  // namespace envsetup::pyindex
