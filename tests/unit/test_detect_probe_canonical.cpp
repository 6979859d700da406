// SPDX-License-Identifier: Apache-2.0
// SystemProbe::canonical on the real root remembers answers per path: it must agree with
// std::filesystem::canonical for chains of links, relative and absolute targets, `..` after
// a link, and say nothing for missing paths and loops.
#include <envsetup/detect/probe.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace envsetup::testing {
namespace {

namespace fs = std::filesystem;

class ProbeCanonical : public ::testing::Test {
protected:
  void SetUp() override
  {
    root = fs::temp_directory_path() / ("envsetup-canonical-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root / "real/bin");
    fs::create_directories(root / "other/deep");
    std::ofstream(root / "real/bin/python3.12") << "#!\n";
    fs::create_symlink("python3.12", root / "real/bin/python3");              // relative, same folder
    fs::create_symlink(root / "real/bin/python3", root / "real/bin/python");  // absolute, chained
    fs::create_symlink(root / "real", root / "alias");                        // a linked folder
    fs::create_symlink("../../real/bin", root / "other/deep/up");             // `..` in the target
    fs::create_symlink("loop-b", root / "real/loop-a");
    fs::create_symlink("loop-a", root / "real/loop-b");
  }
  void TearDown() override { fs::remove_all(root); }

  fs::path root;
};

TEST_F(ProbeCanonical, AgreesWithTheLibraryTwice)
{
  const detect::SystemProbe probe("", {});
  for (int round = 0; round < 2; ++round) {  // the second round answers from memory
    for (const auto& path : {root / "real/bin/python", root / "alias/bin/python3", root / "other/deep/up/python3.12",
                             root / "alias/bin/../bin/python", root / "alias/bin/", root / "real"}) {
      const auto answer = probe.canonical(path);
      ASSERT_TRUE(answer.has_value()) << path;
      EXPECT_EQ(*answer, fs::canonical(path)) << path;
    }
  }
  // Misses under folders whose answers are remembered are still misses.
  EXPECT_FALSE(probe.canonical(root / "alias/nothing/python").has_value());
  EXPECT_FALSE(probe.canonical(root / "real/loop-a").has_value());
}

TEST_F(ProbeCanonical, MissingPathsAndLoopsHaveNoAnswer)
{
  const detect::SystemProbe probe("", {});
  for (int round = 0; round < 2; ++round) {
    EXPECT_FALSE(probe.canonical(root / "real/bin/python2").has_value());
    EXPECT_FALSE(probe.canonical(root / "alias/nothing/python").has_value());
    EXPECT_FALSE(probe.canonical(root / "real/loop-a").has_value());
  }
}

}  // namespace
}  // namespace envsetup::testing
