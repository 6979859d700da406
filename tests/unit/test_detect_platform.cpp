// SPDX-License-Identifier: Apache-2.0
// The host's platform on fake hosts (sysroot folders): architecture, the C library read from
// disk (glibc's banner, the pre-2.34 file name, musl), Jetson (L4T file, device tree).
#include "fake_host.hpp"

#include <envsetup/detect/detect.hpp>
#include <envsetup/detect/parsers.hpp>

#include <gtest/gtest.h>

#include <gnu/libc-version.h>

namespace envsetup::testing {
namespace {

// A std::string of a literal that contains NUL bytes.
template <std::size_t N>
std::string bytes(const char (&literal)[N])
{
  return std::string(literal, N - 1);
}

TEST(DetectPlatform, GlibcFromTheBannerOfLibcOnDisk)
{
  FakeHost host;
  host.glibc("/usr/lib/x86_64-linux-gnu", "2.39");
  const auto platform = detect::detect_platform(host.probe());
  EXPECT_EQ(platform.arch, "x86_64");
  EXPECT_EQ(platform.platform, core::Platform::linux_x86_64);
  EXPECT_EQ(platform.glibc, "2.39");
  EXPECT_EQ(platform.glibc_source, "/usr/lib/x86_64-linux-gnu/libc.so.6");
  EXPECT_FALSE(platform.musl);
  EXPECT_EQ(platform.jetson, "");
}

TEST(DetectPlatform, GlibcInLib64AsOnRhel)
{
  FakeHost host;
  host.glibc("/usr/lib64", "2.28");
  const auto library = detect::detect_c_library(host.probe(), "x86_64");
  ASSERT_TRUE(library.glibc.has_value());
  EXPECT_EQ(library.glibc->text(), "2.28");
  EXPECT_EQ(library.source, "/usr/lib64/libc.so.6");
}

TEST(DetectPlatform, OldGlibcFromTheFileLibcLinksTo)
{
  FakeHost host;
  host.file("/lib/x86_64-linux-gnu/libc-2.31.so", "no banner in this fake")
    .link("/lib/x86_64-linux-gnu/libc.so.6", "libc-2.31.so");
  const auto library = detect::detect_c_library(host.probe(), "x86_64");
  ASSERT_TRUE(library.glibc.has_value());
  EXPECT_EQ(library.glibc->text(), "2.31");
}

TEST(DetectPlatform, Aarch64ReadsItsOwnLibcNotAForeignOne)
{
  FakeHost host;
  host.glibc("/usr/lib/aarch64-linux-gnu", "2.35")
    .glibc("/usr/lib/x86_64-linux-gnu", "2.17");  // a foreign multiarch library: not the host's
  const auto platform = detect::detect_platform(host.probe());
  EXPECT_EQ(platform.arch, "aarch64");
  EXPECT_EQ(platform.platform, core::Platform::linux_aarch64);
  EXPECT_EQ(platform.glibc, "2.35");
  EXPECT_EQ(platform.glibc_source, "/usr/lib/aarch64-linux-gnu/libc.so.6");
}

TEST(DetectPlatform, Aarch64FromTheDynamicLoader)
{
  FakeHost host;
  host.file("/lib/ld-linux-aarch64.so.1", "").glibc("/usr/lib64", "2.34");
  const auto platform = detect::detect_platform(host.probe());
  EXPECT_EQ(platform.arch, "aarch64");
  EXPECT_EQ(platform.glibc, "2.34");
}

TEST(DetectPlatform, MuslHost)
{
  FakeHost host;
  host.file("/lib/ld-musl-x86_64.so.1", "musl").link("/lib/libc.musl-x86_64.so.1", "ld-musl-x86_64.so.1");
  const auto platform = detect::detect_platform(host.probe());
  EXPECT_TRUE(platform.musl);
  EXPECT_EQ(platform.glibc, "");
  EXPECT_EQ(platform.glibc_source, "");
}

TEST(DetectPlatform, MuslPackageOnAGlibcHostIsStillGlibc)
{
  FakeHost host;
  host.glibc("/usr/lib/x86_64-linux-gnu", "2.36").file("/lib/ld-musl-x86_64.so.1", "musl");
  const auto platform = detect::detect_platform(host.probe());
  EXPECT_FALSE(platform.musl);
  EXPECT_EQ(platform.glibc, "2.36");
}

TEST(DetectPlatform, NothingFoundUnderASysrootIsUnknownNotThisProcesssGlibc)
{
  FakeHost host;
  host.file("/usr/lib/x86_64-linux-gnu/libc.so.6", "no banner");
  const auto library = detect::detect_c_library(host.probe(), "x86_64");
  EXPECT_FALSE(library.glibc.has_value());
  EXPECT_FALSE(library.musl);
  // The file that could not be read is named (not "no libc.so.6 found").
  EXPECT_EQ(library.source, "/usr/lib/x86_64-linux-gnu/libc.so.6");
}

// A libc.so.6 whose version cannot be read is still glibc: a musl loader beside it does not
// make the host musl (which would refuse every wheel); detection warns instead.
TEST(DetectPlatform, UnreadableGlibcBesideMuslIsGlibcOfUnknownVersion)
{
  FakeHost host;
  host.file("/lib64/libc.so.6", "garbage").file("/lib/ld-musl-x86_64.so.1", "musl");
  const auto platform = detect::detect_platform(host.probe());
  EXPECT_FALSE(platform.musl);
  EXPECT_EQ(platform.glibc, "");
  EXPECT_EQ(platform.glibc_source, "/lib64/libc.so.6");
}

TEST(DetectPlatform, WithoutSysrootTheLibraryOnDiskAnswersFirst)
{
  const detect::SystemProbe probe("", {});
  const auto arch = detect::detect_arch(probe);
  std::string on_disk;
  for (const auto& dir : detect::system_library_dirs(arch)) {
    if (probe.is_file(dir + "/libc.so.6")) {
      on_disk = dir + "/libc.so.6";
      break;
    }
  }
  if (on_disk.empty()) {
    GTEST_SKIP() << "this host has no libc.so.6 in the usual folders";
  }
  const auto library = detect::detect_c_library(probe, arch);
  ASSERT_TRUE(library.glibc.has_value());
  EXPECT_EQ(library.source, on_disk);
  // The same glibc as this process's on an ordinary (dynamically linked) build.
  EXPECT_EQ(library.glibc->text(), detect::parse_glibc_version(std::string("release version ") +
                                                               ::gnu_get_libc_version())
                                     ->text());
}

TEST(DetectPlatform, JetsonFromNvTegraRelease)
{
  FakeHost host;
  host.glibc("/usr/lib/aarch64-linux-gnu", "2.35")
    .file("/etc/nv_tegra_release",
          "# R36 (release), REVISION: 4.0, GCID: 37537400, BOARD: generic, EABI: aarch64, DATE: Fri Sep 13\n");
  const auto platform = detect::detect_platform(host.probe());
  EXPECT_EQ(platform.jetson, "L4T R36.4.0");
  EXPECT_EQ(platform.platform, core::Platform::linux_aarch64);
}

TEST(DetectPlatform, JetsonFromTheDeviceTree)
{
  for (const char* path : {"/proc/device-tree/compatible", "/sys/firmware/devicetree/base/compatible"}) {
    FakeHost host;
    host.file(path, bytes("nvidia,p3768-0000+p3767-0005\0nvidia,p3767-0005\0nvidia,tegra234\0"));
    EXPECT_EQ(detect::detect_jetson(host.probe()), "Tegra (nvidia,tegra234)") << path;
  }
}

TEST(DetectPlatform, OtherDeviceTreesAreNotJetson)
{
  FakeHost host;
  host.file("/proc/device-tree/compatible", bytes("raspberrypi,4-model-b\0brcm,bcm2711\0"))
    .file("/etc/nv_tegra_release", "garbage\n");
  EXPECT_EQ(detect::detect_jetson(host.probe()), "");
}

TEST(DetectPlatform, ParsesL4tRelease)
{
  EXPECT_EQ(detect::parse_l4t_release("# R36 (release), REVISION: 4.0, GCID: 1, BOARD: generic\n"), "R36.4.0");
  EXPECT_EQ(detect::parse_l4t_release("# R32 (release), REVISION: 7.4, GCID: 33514132, BOARD: t210ref"), "R32.7.4");
  EXPECT_FALSE(detect::parse_l4t_release("# R36 (release)\n").has_value());
  EXPECT_FALSE(detect::parse_l4t_release("# X36 (release), REVISION: 4.0").has_value());
  EXPECT_FALSE(detect::parse_l4t_release("# R (release), REVISION: 4.0").has_value());
  EXPECT_FALSE(detect::parse_l4t_release("").has_value());
}

TEST(DetectPlatform, ArchitecturesWithoutBuildsHaveNoPlatform)
{
  EXPECT_EQ(detect::platform_of_arch("x86_64"), core::Platform::linux_x86_64);
  EXPECT_EQ(detect::platform_of_arch("aarch64"), core::Platform::linux_aarch64);
  EXPECT_FALSE(detect::platform_of_arch("ppc64le").has_value());
  EXPECT_FALSE(detect::platform_of_arch("").has_value());
}

TEST(DetectPlatform, ProbeReadsAFileUpToTheLimitWhateverItsSize)
{
  FakeHost host;
  std::string big(300000, 'x');
  big += "release version 2.40.";
  host.file("/big", big).file("/empty", "");
  const auto probe = host.probe();
  EXPECT_EQ(probe.read_file("/big", 16 << 20), big);
  EXPECT_EQ(probe.read_file("/big", 100000), big.substr(0, 100000));
  EXPECT_EQ(probe.read_file("/empty", 16 << 20), "");
  EXPECT_EQ(probe.read_file("/big", 0), "");
  if (std::filesystem::exists("/proc/self/status")) {
    // A kernel file reports size 0 and is still read whole (a chunk at a time).
    const auto status = detect::SystemProbe("", {}).read_file("/proc/self/status", 1 << 20);
    EXPECT_NE(status.value_or("").find("VmRSS:"), std::string::npos);
  }
}

}  // namespace
}  // namespace envsetup::testing
