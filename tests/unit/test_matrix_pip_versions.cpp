// SPDX-License-Identifier: Apache-2.0
// A release's `pip_versions`: the spelling pip needs for a version whose plain spelling
// cannot be installed (TensorFlow 2.15.0 -> 2.15.0.post1). Loader, validator and the
// resolver's package rendering, on the fixture matrix patched by each test.
#include "matrix_fixture.hpp"

#include <envsetup/matrix/load.hpp>
#include <envsetup/resolve/resolver.hpp>

#include <gtest/gtest.h>

#include <string>

namespace envsetup::testing {
namespace {

std::string pip_patch(const std::string& key, const std::string& entry)
{
  return R"([{"op": "add", "path": "/releases/0/pip_versions", "value": {")" + key + R"(": )" + entry + "}}]";
}

const std::string k_good_entry =
  R"({"pip": "1.0.0.post2", "why": "1.0.0's wheels were broken", "source": "test fixture"})";

std::string all_messages(const matrix::Problems& problems)
{
  std::string all;
  for (const auto& problem : problems) {
    all += problem.file + " " + problem.pointer + ": " + problem.message + "\n";
  }
  return all;
}

TEST(MatrixPipVersions, AreRead)
{
  auto loaded = matrix::load_matrix(patched_minimal_files("demo.json", pip_patch("1.0.0", k_good_entry)), "patched");
  ASSERT_TRUE(loaded) << loaded.error().message;
  const auto& release = loaded->find_framework("demo")->releases[0];
  ASSERT_EQ(release.pip_versions.size(), 1U);
  const auto* pip = release.pip_version(core::Version::parse("1.0.0").value());
  ASSERT_NE(pip, nullptr);
  EXPECT_EQ(pip->pip, "1.0.0.post2");
  EXPECT_EQ(pip->why, "1.0.0's wheels were broken");
  EXPECT_EQ(pip->provenance.source, "test fixture");
  EXPECT_EQ(release.pip_version(core::Version::parse("1.0.1").value()), nullptr);
}

TEST(MatrixPipVersions, ValidEntryHasNoProblem)
{
  const auto problems = problems_after_patch("demo.json", pip_patch("1.0.0", k_good_entry));
  EXPECT_TRUE(problems.empty()) << all_messages(problems);
}

TEST(MatrixPipVersions, KeyMustBeOneOfTheVersions)
{
  const auto problems = problems_after_patch(
    "demo.json", pip_patch("1.0.2", R"({"pip": "1.0.2.post1", "why": "w", "source": "test fixture"})"));
  EXPECT_NE(all_messages(problems).find("/releases/0/pip_versions/1.0.2: 1.0.2 is not one of the release's versions"),
            std::string::npos)
    << all_messages(problems);
}

class PipSpelling : public ::testing::TestWithParam<std::string> {};

TEST_P(PipSpelling, IsRefusedUnlessVersionDotPostN)
{
  const auto problems = problems_after_patch(
    "demo.json", pip_patch("1.0.0", R"({"pip": ")" + GetParam() + R"(", "why": "w", "source": "test fixture"})"));
  EXPECT_NE(all_messages(problems).find("/releases/0/pip_versions/1.0.0/pip: `" + GetParam() +
                                        "` must be 1.0.0 followed by .post<N>"),
            std::string::npos)
    << all_messages(problems);
}

INSTANTIATE_TEST_SUITE_P(Bad, PipSpelling,
                         ::testing::Values("1.0.1.post1", "1.0.0.post", "1.0.0.postx", "1.0.0-1", "1.0.0",
                                           "2.15.0.post1", "1.0.0.dev1"));

TEST(MatrixPipVersions, ReasonIsRequired)
{
  const auto problems =
    problems_after_patch("demo.json", pip_patch("1.0.0", R"({"pip": "1.0.0.post1", "source": "test fixture"})"));
  EXPECT_NE(all_messages(problems).find("/releases/0/pip_versions/1.0.0"), std::string::npos) << all_messages(problems);
}

TEST(MatrixPipVersions, ResolverInstallsThePipSpelling)
{
  auto loaded = matrix::load_matrix(patched_minimal_files("demo.json", pip_patch("1.0.0", k_good_entry)), "patched");
  ASSERT_TRUE(loaded) << loaded.error().message;
  auto resolution = resolve::resolve(*loaded, host("550.54.15", {"8.0"}), request("demo==1.0.0"));
  ASSERT_TRUE(resolution.ok()) << resolution.error().message;
  ASSERT_TRUE(resolution->plan.has_value()) << resolution->failure;
  const auto& plan = *resolution->plan;
  ASSERT_TRUE(plan.version.has_value());
  EXPECT_EQ(plan.version->text(), "1.0.0");
  ASSERT_FALSE(plan.packages.empty());
  EXPECT_EQ(plan.packages[0], "demo==1.0.0.post2");
  bool noted = false;
  for (const auto& note : plan.notes) {
    noted = noted || note == "installs 1.0.0.post2: 1.0.0's wheels were broken";
  }
  EXPECT_TRUE(noted);

  // Another version of the same release keeps its own spelling.
  auto other = resolve::resolve(*loaded, host("550.54.15", {"8.0"}), request("demo==1.0.1"));
  ASSERT_TRUE(other.ok() && other->plan.has_value());
  EXPECT_EQ(other->plan->packages[0], "demo==1.0.1");
}

}  // namespace
}  // namespace envsetup::testing
