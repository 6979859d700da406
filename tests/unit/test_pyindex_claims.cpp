// SPDX-License-Identifier: Apache-2.0
// The matrix's wheel claims against an index, and the resolver's exclusions built from them.
#include "matrix_fixture.hpp"

#include <envsetup/pyindex/claims.hpp>
#include <envsetup/resolve/resolver.hpp>

#include <gtest/gtest.h>

namespace envsetup::pyindex {
namespace {

core::Version v(const char* text)
{
  return core::Version::parse(text).value();
}

// torch 2.5 with cu124 on x86_64 and aarch64, Python 3.9 to 3.12, glibc 2.17.
matrix::Framework small_torch()
{
  matrix::Variant x86;
  x86.name = "cu124";
  x86.platform = core::Platform::linux_x86_64;
  x86.glibc = v("2.17");
  x86.index_url = "https://download.pytorch.org/whl/cu124";
  x86.packages = {"torch=={version}"};
  matrix::Variant arm = x86;
  arm.platform = core::Platform::linux_aarch64;
  matrix::FrameworkRelease release;
  release.series = v("2.5");
  release.versions = {v("2.5.0"), v("2.5.1")};
  release.python_min = v("3.9");
  release.python_max = v("3.12");
  release.variants = {x86, arm};
  matrix::Framework framework;
  framework.name = "torch";
  framework.releases = {release};
  return framework;
}

Listing listing(const std::vector<std::string>& names)
{
  Listing result;
  result.found = true;
  for (const auto& name : names) {
    result.wheels.push_back(parse_wheel_name(name).value());
  }
  return result;
}

TEST(PyindexClaims, IndexUrlsFollowTheRoot)
{
  const auto framework = small_torch();
  const auto& variant = framework.releases[0].variants[0];
  EXPECT_EQ(index_of(variant, std::nullopt), "https://download.pytorch.org/whl/cu124/");
  EXPECT_EQ(index_of(variant, "http://127.0.0.1:8000/whl"), "http://127.0.0.1:8000/whl/cu124/");
  matrix::Variant pypi;
  pypi.packages = {"tensorflow[and-cuda]=={version}"};
  EXPECT_EQ(index_of(pypi, std::nullopt), "https://pypi.org/simple/");
  EXPECT_EQ(index_of(pypi, "file:///srv/simple"), "file:///srv/simple/");
  EXPECT_EQ(project_of(pypi), "tensorflow");
  EXPECT_EQ(wheel_version(framework.releases[0], v("2.5.1"), variant), "2.5.1+cu124");
  EXPECT_EQ(pages_for(framework, std::nullopt),
            std::vector<std::string>{"https://download.pytorch.org/whl/cu124/torch/"});
}

TEST(PyindexClaims, EachKindOfContradiction)
{
  const auto framework = small_torch();
  Listings listings;
  std::vector<std::string> names;
  for (const char* py : {"cp39", "cp310", "cp311", "cp312"}) {
    names.push_back(std::string("torch-2.5.1+cu124-") + py + "-" + py + "-manylinux2014_x86_64.whl");
  }
  // 2.5.1 on aarch64: only manylinux_2_28, and no cp312.
  for (const char* py : {"cp39", "cp310", "cp311"}) {
    names.push_back(std::string("torch-2.5.1+cu124-") + py + "-" + py + "-manylinux_2_28_aarch64.whl");
  }
  // 2.5.0: x86_64 only.
  names.push_back("torch-2.5.0+cu124-cp39-abi3-manylinux2014_x86_64.whl");
  names.push_back("torch-2.5.0+cu124-cp39-abi3-macosx_11_0_arm64.whl");
  names.push_back("torch-2.5.0-cp39-abi3-linux_aarch64.whl");  // no local tag: another build
  names.push_back("torchvision-2.5.0+cu124-cp39-abi3-linux_aarch64.whl");
  listings["https://download.pytorch.org/whl/cu124/torch/"] = listing(names);
  const auto report = check_claims(testing::real_matrix(), framework, listings, std::nullopt);
  EXPECT_EQ(report.checked, 4u);
  std::vector<std::string> seen;
  for (const auto& c : report.contradictions) {
    seen.push_back(c.version + " " + c.variant + " " + c.platform.value_or("-") + " " + c.python.value_or("-") + ": " +
                   c.found);
  }
  const std::vector<std::string> expected{
    "2.5.0 cu124 linux-aarch64 -: no wheel for aarch64 (2 wheels for other platforms)",
    "2.5.1 cu124 linux-aarch64 3.12: no cp312 wheel for linux-aarch64",
    "2.5.1 cu124 linux-aarch64 -: the wheels need glibc 2.28 (manylinux_2_28) for cp39, cp310, cp311",
  };
  EXPECT_EQ(seen, expected);
  const auto empty = check_claims(testing::real_matrix(), framework, {}, std::nullopt);
  EXPECT_EQ(empty.contradictions.size(), 4u);
  EXPECT_EQ(empty.contradictions[0].found, "no wheel of that version on the index");
}

TEST(PyindexClaims, MissingWheelSaysWhy)
{
  const auto wheels = listing({"torch-2.5.1+cu124-cp312-cp312-manylinux_2_28_x86_64.whl"}).wheels;
  const auto x86 = core::Platform::linux_x86_64;
  EXPECT_FALSE(missing_wheel(wheels, "torch", "2.5.1+cu124", v("3.12"), x86, std::nullopt).has_value());
  EXPECT_EQ(missing_wheel(wheels, "torch", "2.5.1+cu124", v("3.13"), x86, std::nullopt).value_or(""),
            "no cp313 wheel for torch 2.5.1+cu124 on the index");
  EXPECT_EQ(
    missing_wheel(wheels, "torch", "2.5.1+cu124", v("3.12"), core::Platform::linux_aarch64, std::nullopt).value_or(""),
    "no linux-aarch64 wheel for torch 2.5.1+cu124 on the index");
  EXPECT_EQ(missing_wheel(wheels, "torch", "2.5.0+cu124", v("3.12"), x86, std::nullopt).value_or(""),
            "no wheel of torch 2.5.0+cu124 on the index");
  EXPECT_NE(missing_wheel(wheels, "torch", "2.5.1+cu124", v("3.12"), x86, v("2.17")).value_or("").find("glibc 2.28"),
            std::string::npos);
}

TEST(PyindexExclusions, TheResolverTakesTheNextCandidateAndSaysWhy)
{
  auto request = testing::request("demo==2.0.0", "3.12");
  const auto host = testing::host("580.65.06", {"8.6"});
  auto first = resolve::resolve(testing::minimal_matrix(), host, request);
  ASSERT_TRUE(first.ok());
  const auto chosen = testing::chosen_name(*first);
  ASSERT_FALSE(chosen.empty());
  const std::string variant = first->plan->variant;
  request.excluded.push_back({"demo", v("2.0.0"), variant, v("3.12"), "no cp312 wheel for demo 2.0.0 on the index"});
  auto second = resolve::resolve(testing::minimal_matrix(), host, request);
  ASSERT_TRUE(second.ok());
  EXPECT_NE(testing::chosen_name(*second), chosen);
  bool listed = false;
  for (const auto& rejection : second->rejected) {
    listed =
      listed || (rejection.candidate == chosen && rejection.reason == "no cp312 wheel for demo 2.0.0 on the index");
  }
  EXPECT_TRUE(listed);
  // Another Python is not excluded.
  request.python = v("3.11");
  auto other = resolve::resolve(testing::minimal_matrix(), host, request);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(testing::chosen_name(*other), chosen);
}

TEST(PyindexExclusions, EveryBuildExcludedIsARefusalWithAHint)
{
  auto request = testing::request("demo==2.0.0", "3.12");
  for (const char* variant : {"cu124", "cu130"}) {
    request.excluded.push_back({"demo", v("2.0.0"), variant, std::nullopt, "no wheel on the index"});
  }
  auto resolution = resolve::resolve(testing::minimal_matrix(), testing::host("580.65.06", {"8.6"}), request);
  ASSERT_TRUE(resolution.ok());
  EXPECT_FALSE(resolution->plan.has_value());
  bool hinted = false;
  for (const auto& hint : resolution->hints) {
    hinted = hinted || hint.find("check-index") != std::string::npos;
  }
  EXPECT_TRUE(hinted);
}

}  // namespace
}  // namespace envsetup::pyindex
