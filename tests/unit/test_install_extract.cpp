// SPDX-License-Identifier: Apache-2.0
// Archive extraction on real archives written by archive_builder: the NVIDIA redistributable
// layout, and one test per attack. Every attack test checks the error kind, that the message
// names the entry, and that nothing appeared outside the destination.
#include "archive_builder.hpp"

#include <envsetup/install/extract.hpp>
#include <envsetup/util/fs.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <random>
#include <set>

#include <sys/stat.h>

namespace envsetup::testing {
namespace {

namespace fs = std::filesystem;
using install::ExtractedEntry;
using install::ExtractLimits;
using install::ExtractResult;
using Type = ExtractedEntry::Type;

const std::string k_top = "cuda_cudart-linux-x86_64-12.4.127-archive";

std::string describe(const util::Error& error)
{
  std::string text = error.message;
  for (const std::string& cause : error.causes) {
    text += "\n  cause: " + cause;
  }
  return text;
}

std::string read_text(const fs::path& path)
{
  auto text = util::read_file(path);
  return text ? *text : "<cannot read " + path.string() + ">";
}

// `mode` as extraction writes it: never group- or world-writable, and the umask applied.
std::uint32_t masked(std::uint32_t mode)
{
  const mode_t umask = ::umask(022);  // single-threaded here: nothing is created meanwhile
  ::umask(umask);
  return mode & ~(022U | static_cast<std::uint32_t>(umask));
}

struct stat lstat_of(const fs::path& path)
{
  struct stat status {};
  EXPECT_EQ(::lstat(path.c_str(), &status), 0) << path;
  return status;
}

// A cudart-like archive: everything under k_top, versioned .so symlinks, an executable.
std::vector<ArchiveMember> cudart_members()
{
  const std::string t = k_top + "/";
  return {dir_member(t),
          file_member(t + "LICENSE", "End User License Agreement\n"),
          dir_member(t + "bin/"),
          file_member(t + "bin/cudafe++", "#!/bin/sh\nexit 0\n", 0755),
          dir_member(t + "include/"),
          file_member(t + "include/cuda_runtime.h", "#pragma once\n"),
          dir_member(t + "lib/"),
          file_member(t + "lib/libcudart.so.12.4.127", std::string(5000, 'E'), 0755),
          symlink_member(t + "lib/libcudart.so.12", "libcudart.so.12.4.127"),
          symlink_member(t + "lib/libcudart.so", "libcudart.so.12"),
          file_member(t + "lib/libcudart_static.a", "!<arch>\n"),
          dir_member(t + "lib/stubs/"),
          symlink_member(t + "lib/stubs/libcudart.so", "../libcudart.so")};
}

class InstallExtract : public ::testing::Test {
protected:
  void SetUp() override
  {
    std::string pattern = (fs::temp_directory_path() / "envsetup-extract-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    m_root = pattern;
    fs::create_directory(destination());
    fs::create_directory(outside());
    std::ofstream(secret()) << "secret";
  }

  void TearDown() override
  {
    std::error_code ignored;
    fs::remove_all(m_root, ignored);
  }

  // <tmp>/dest: where archives are extracted; <tmp>/outside: a sibling that must stay empty;
  // <tmp>/secret: a file beside them that hard links go after.
  fs::path destination() const { return m_root / "dest"; }
  fs::path outside() const { return m_root / "outside"; }
  fs::path secret() const { return m_root / "secret"; }

  // Writes `members` as a new archive in the temporary folder; returns its path.
  fs::path write(const std::vector<ArchiveMember>& members, ArchiveFormat format = ArchiveFormat::tar_xz)
  {
    const char* suffix = format == ArchiveFormat::tar_xz   ? ".tar.xz"
                         : format == ArchiveFormat::tar_gz ? ".tar.gz"
                         : format == ArchiveFormat::zip    ? ".zip"
                                                           : ".tar";
    const fs::path path = m_root / ("archive" + std::to_string(m_archives++) + suffix);
    const std::string problem = write_archive(path, members, format);
    EXPECT_EQ(problem, "") << "cannot write the test archive " << path;
    return path;
  }

  // tar.gz by default: where the compression does not matter, xz's encoder setup only costs time.
  util::Result<ExtractResult> extract(const std::vector<ArchiveMember>& members,
                                      ArchiveFormat format = ArchiveFormat::tar_gz,
                                      const ExtractLimits& limits = {})
  {
    m_last_archive = write(members, format);
    return install::extract_archive(m_last_archive, destination(), limits);
  }

  // The extraction failed with `kind`, naming the last archive and `entry`, and nothing
  // appeared outside the destination.
  void expect_refused(const util::Result<ExtractResult>& result, const std::string& entry,
                      util::ErrorKind kind = util::ErrorKind::integrity)
  {
    ASSERT_FALSE(result.ok()) << "extracted an unsafe archive";
    const util::Error& error = result.error();
    EXPECT_EQ(error.kind, kind) << describe(error);
    EXPECT_NE(error.message.find("`" + entry + "`"), std::string::npos) << describe(error);
    EXPECT_NE(error.message.find(m_last_archive.string()), std::string::npos) << describe(error);
    EXPECT_FALSE(error.causes.empty());
    expect_nothing_outside();
  }

  // Only the destination, the (empty) sibling, the untouched secret and the archives are in
  // the temporary folder.
  void expect_nothing_outside()
  {
    EXPECT_TRUE(fs::is_empty(outside())) << "something was written to " << outside();
    EXPECT_EQ(read_text(secret()), "secret");
    for (const fs::directory_entry& item : fs::directory_iterator(m_root)) {
      const std::string name = item.path().filename().string();
      EXPECT_TRUE(name == "dest" || name == "outside" || name == "secret" || name.rfind("archive", 0) == 0)
        << "unexpected " << item.path();
    }
  }

  fs::path m_root;
  fs::path m_last_archive;
  int m_archives = 0;
};

// Suites for the attacks, the limits and broken input; same fixture.
class InstallExtractUnsafe : public InstallExtract {};
class InstallExtractLimits : public InstallExtract {};
class InstallExtractBroken : public InstallExtract {};

TEST_F(InstallExtract, NvidiaLayoutTarXzIsStrippedWithLinksAndModes)
{
  const auto result = extract(cudart_members(), ArchiveFormat::tar_xz);
  ASSERT_TRUE(result.ok()) << describe(result.error());
  EXPECT_EQ(result->top_folder, k_top);
  EXPECT_FALSE(fs::exists(destination() / k_top));

  const fs::path d = destination();
  EXPECT_EQ(read_text(d / "LICENSE"), "End User License Agreement\n");
  EXPECT_EQ(read_text(d / "include/cuda_runtime.h"), "#pragma once\n");
  EXPECT_EQ(read_text(d / "lib/libcudart.so.12.4.127"), std::string(5000, 'E'));
  EXPECT_EQ(fs::read_symlink(d / "lib/libcudart.so.12"), "libcudart.so.12.4.127");
  EXPECT_EQ(fs::read_symlink(d / "lib/libcudart.so"), "libcudart.so.12");
  EXPECT_EQ(fs::read_symlink(d / "lib/stubs/libcudart.so"), "../libcudart.so");
  EXPECT_EQ(read_text(d / "lib/stubs/libcudart.so"), std::string(5000, 'E'));  // resolves
  EXPECT_EQ(lstat_of(d / "bin/cudafe++").st_mode & 07777, masked(0755));
  EXPECT_EQ(lstat_of(d / "lib/libcudart.so.12.4.127").st_mode & 07777, masked(0755));
  EXPECT_EQ(lstat_of(d / "LICENSE").st_mode & 07777, masked(0644));
  EXPECT_EQ(lstat_of(d / "lib").st_mode & 07777, masked(0755) | 0700U);
  EXPECT_EQ(lstat_of(d / "LICENSE").st_mtime, k_member_mtime);
  EXPECT_EQ(lstat_of(d / "lib").st_mtime, k_member_mtime);

  const std::vector<std::string> paths = {
    "LICENSE", "bin", "bin/cudafe++", "include", "include/cuda_runtime.h", "lib",
    "lib/libcudart.so.12.4.127", "lib/libcudart.so.12", "lib/libcudart.so",
    "lib/libcudart_static.a", "lib/stubs", "lib/stubs/libcudart.so"};
  ASSERT_EQ(result->entries.size(), paths.size());
  for (std::size_t i = 0; i < paths.size(); ++i) {
    EXPECT_EQ(result->entries[i].path, paths[i]);
  }
  const ExtractedEntry& library = result->entries[6];
  EXPECT_EQ(library.type, Type::file);
  EXPECT_EQ(library.size, 5000U);
  EXPECT_EQ(library.mode, masked(0755));
  const ExtractedEntry& link = result->entries[7];
  EXPECT_EQ(link.type, Type::symlink);
  EXPECT_EQ(link.link_target, "libcudart.so.12.4.127");
  EXPECT_EQ(result->entries[5].type, Type::directory);
  std::uint64_t stored = 0;
  for (const ArchiveMember& member : cudart_members()) {
    stored += member.content.size();
  }
  EXPECT_EQ(result->bytes_written, stored);
  EXPECT_EQ(stored, 5000U + 27U + 17U + 13U + 8U);
  expect_nothing_outside();
}

TEST_F(InstallExtract, TarGzAndZipAreRead)
{
  auto members = cudart_members();
  const auto gz = extract(members);
  ASSERT_TRUE(gz.ok()) << describe(gz.error());
  EXPECT_EQ(gz->top_folder, k_top);
  EXPECT_EQ(gz->entries.size(), 12U);

  fs::remove_all(destination());
  fs::create_directory(destination());
  const auto zip = extract({dir_member("pkg/"), file_member("pkg/bin/tool", "run", 0755),
                            symlink_member("pkg/bin/alias", "tool")},
                           ArchiveFormat::zip);
  ASSERT_TRUE(zip.ok()) << describe(zip.error());
  EXPECT_EQ(zip->top_folder, "pkg");
  EXPECT_EQ(read_text(destination() / "bin/tool"), "run");
  EXPECT_EQ(fs::read_symlink(destination() / "bin/alias"), "tool");
}

TEST_F(InstallExtract, TwoArchivesMergeIntoOneDestination)
{
  ASSERT_TRUE(extract(cudart_members(), ArchiveFormat::tar_xz).ok());
  const std::string nvcc = "cuda_nvcc-linux-x86_64-12.4.131-archive/";
  const auto result = extract({dir_member(nvcc), dir_member(nvcc + "bin/"),
                               file_member(nvcc + "bin/nvcc", "nvcc", 0755), dir_member(nvcc + "lib/"),
                               file_member(nvcc + "lib/libnvptxcompiler_static.a", "a"),
                               file_member(nvcc + "LICENSE", "nvcc license\n")},
                              ArchiveFormat::tar_xz);
  ASSERT_TRUE(result.ok()) << describe(result.error());
  EXPECT_EQ(result->top_folder, "cuda_nvcc-linux-x86_64-12.4.131-archive");
  EXPECT_EQ(read_text(destination() / "bin/nvcc"), "nvcc");
  EXPECT_TRUE(fs::is_regular_file(destination() / "bin/cudafe++"));
  EXPECT_TRUE(fs::is_symlink(destination() / "lib/libcudart.so"));
  EXPECT_EQ(read_text(destination() / "LICENSE"), "nvcc license\n");  // a later file replaces
}

TEST_F(InstallExtract, NoSharedTopFolderIsNotStripped)
{
  const auto result = extract({file_member("README", "hi"), file_member("lib/x", "x")});
  ASSERT_TRUE(result.ok()) << describe(result.error());
  EXPECT_EQ(result->top_folder, "");
  EXPECT_EQ(read_text(destination() / "README"), "hi");
  EXPECT_EQ(read_text(destination() / "lib/x"), "x");
}

TEST_F(InstallExtract, LateEntryOutsideTheTopFolderMovesEarlierOnesUnderIt)
{
  const auto result = extract({dir_member("pkg/"), dir_member("pkg/lib/", 0750),
                               file_member("pkg/lib/libx.so.1", "x"),
                               symlink_member("pkg/lib/libx.so", "libx.so.1"),
                               hardlink_member("pkg/lib/copy", "pkg/lib/libx.so.1"),
                               file_member("pkg/pkg/inner", "i"), file_member("README", "r")});
  ASSERT_TRUE(result.ok()) << describe(result.error());
  EXPECT_EQ(result->top_folder, "");
  const fs::path d = destination();
  EXPECT_EQ(read_text(d / "pkg/lib/libx.so.1"), "x");
  EXPECT_EQ(fs::read_symlink(d / "pkg/lib/libx.so"), "libx.so.1");
  EXPECT_EQ(lstat_of(d / "pkg/lib/copy").st_ino, lstat_of(d / "pkg/lib/libx.so.1").st_ino);
  EXPECT_EQ(read_text(d / "pkg/lib/copy"), "x");
  EXPECT_EQ(read_text(d / "pkg/pkg/inner"), "i");
  EXPECT_EQ(read_text(d / "README"), "r");
  EXPECT_EQ(lstat_of(d / "pkg/lib").st_mode & 07777, masked(0750) | 0700U);
  EXPECT_FALSE(fs::exists(d / "lib"));
  std::set<std::string> top_level;
  for (const fs::directory_entry& item : fs::directory_iterator(d)) {
    top_level.insert(item.path().filename().string());
  }
  EXPECT_EQ(top_level, (std::set<std::string>{"pkg", "README"}));
  ASSERT_EQ(result->entries.size(), 6U);
  EXPECT_EQ(result->entries[0].path, "pkg/lib");
  EXPECT_EQ(result->entries[3].path, "pkg/lib/copy");
  EXPECT_EQ(result->entries[3].link_target, "pkg/lib/libx.so.1");
  EXPECT_EQ(result->entries[5].path, "README");
}

TEST_F(InstallExtract, HardLinkInsideIsExtracted)
{
  const auto result = extract({file_member("pkg/lib/libx.so.1", "x"),
                               hardlink_member("pkg/lib/libx-copy.so.1", "pkg/lib/libx.so.1")},
                              ArchiveFormat::tar);
  ASSERT_TRUE(result.ok()) << describe(result.error());
  const fs::path d = destination();
  EXPECT_EQ(lstat_of(d / "lib/libx-copy.so.1").st_ino, lstat_of(d / "lib/libx.so.1").st_ino);
  EXPECT_EQ(read_text(d / "lib/libx.so.1"), "x");  // the link did not truncate its target
  ASSERT_EQ(result->entries.size(), 2U);
  EXPECT_EQ(result->entries[1].type, Type::hardlink);
  EXPECT_EQ(result->entries[1].link_target, "lib/libx.so.1");
}

TEST_F(InstallExtractUnsafe, DotDotEntry)
{
  const std::string evil = "pkg/../../outside/pwned";
  expect_refused(extract({dir_member("pkg/"), file_member("pkg/ok", "ok"), file_member(evil, "evil")}),
                 evil);
  EXPECT_EQ(read_text(destination() / "ok"), "ok");  // what came before stays, inside
}

TEST_F(InstallExtractUnsafe, AbsolutePathEntry)
{
  const fs::path target = outside() / "pwned";
  expect_refused(extract({file_member(target.string(), "evil")}), target.string());
  EXPECT_FALSE(fs::exists(target));
}

TEST_F(InstallExtractUnsafe, SymlinkOutThenFileThroughItInOneArchive)
{
  expect_refused(extract({dir_member("pkg/"), dir_member("pkg/lib/"),
                          symlink_member("pkg/lib/evil", "../../outside"),
                          file_member("pkg/lib/evil/pwned", "evil")}),
                 "pkg/lib/evil");
  EXPECT_FALSE(fs::exists(fs::symlink_status(destination() / "lib/evil")));
  EXPECT_FALSE(fs::exists(outside() / "pwned"));
}

TEST_F(InstallExtractUnsafe, SymlinkOutThenFileThroughItAcrossTwoArchives)
{
  expect_refused(extract({dir_member("pkg/"), dir_member("pkg/lib/"),
                          symlink_member("pkg/lib/evil", "../../outside")}),
                 "pkg/lib/evil");
  // The link was never made, so the second archive's file lands inside.
  const auto second = extract({dir_member("pkg/"), file_member("pkg/lib/evil/pwned", "evil")});
  ASSERT_TRUE(second.ok()) << describe(second.error());
  EXPECT_EQ(read_text(destination() / "lib/evil/pwned"), "evil");
  expect_nothing_outside();
}

TEST_F(InstallExtractUnsafe, FileThroughSymlinkFromAnEarlierArchive)
{
  // Even a link that stays inside is never written through.
  ASSERT_TRUE(extract({dir_member("pkg/"), dir_member("pkg/include/"),
                       symlink_member("pkg/lib", "include")})
                .ok());
  expect_refused(extract({dir_member("pkg/"), file_member("pkg/lib/x.h", "evil")}), "pkg/lib/x.h");
  EXPECT_FALSE(fs::exists(destination() / "include/x.h"));
}

TEST_F(InstallExtractUnsafe, FileThroughSymlinkOutAlreadyInTheDestination)
{
  // A link made by something else (an older tool, a looser extractor).
  fs::create_directory(destination() / "lib");
  fs::create_directory_symlink(outside(), destination() / "lib/evil");
  expect_refused(extract({dir_member("pkg/"), file_member("pkg/lib/evil/pwned", "evil")}),
                 "pkg/lib/evil/pwned");
  EXPECT_FALSE(fs::exists(outside() / "pwned"));
}

TEST_F(InstallExtractUnsafe, FolderEntryOnSymlinkAlreadyInTheDestination)
{
  fs::create_directory_symlink(outside(), destination() / "lib");
  expect_refused(extract({dir_member("pkg/"), dir_member("pkg/lib/"), file_member("pkg/lib/x", "x")}),
                 "pkg/lib/");
}

TEST_F(InstallExtractUnsafe, SymlinkResolvingOutThroughAnExistingSymlink)
{
  fs::create_directory(destination() / "lib");
  fs::create_directory_symlink(outside(), destination() / "lib/out");
  expect_refused(extract({dir_member("pkg/"), symlink_member("pkg/lib/x", "out/secret")}),
                 "pkg/lib/x");
  EXPECT_FALSE(fs::exists(fs::symlink_status(destination() / "lib/x")));
}

TEST_F(InstallExtractUnsafe, SymlinkWithDotDotAfterAName)
{
  // `d/..` would escape once a later entry replaced `d` by a link to `.`.
  expect_refused(extract({dir_member("pkg/"), dir_member("pkg/d/"), symlink_member("pkg/x", "d/../y")}),
                 "pkg/x");
}

TEST_F(InstallExtractUnsafe, AbsoluteSymlinkTarget)
{
  expect_refused(extract({dir_member("pkg/"), symlink_member("pkg/lib/abs", outside().string())}),
                 "pkg/lib/abs");
  EXPECT_FALSE(fs::exists(fs::symlink_status(destination() / "lib/abs")));
}

TEST_F(InstallExtractUnsafe, HardLinkToOutside)
{
  expect_refused(extract({dir_member("pkg/"), hardlink_member("pkg/h", "pkg/../../secret")}), "pkg/h");
  EXPECT_EQ(lstat_of(secret()).st_nlink, 1U);
}

TEST_F(InstallExtractUnsafe, HardLinkToEtcPasswd)
{
  expect_refused(extract({dir_member("pkg/"), hardlink_member("pkg/passwd", "/etc/passwd")}),
                 "pkg/passwd");
  EXPECT_FALSE(fs::exists(destination() / "passwd"));
}

TEST_F(InstallExtractUnsafe, HardLinkToMissingTarget)
{
  expect_refused(extract({dir_member("pkg/"), hardlink_member("pkg/h", "pkg/later"),
                          file_member("pkg/later", "x")}),
                 "pkg/h");
}

TEST_F(InstallExtractUnsafe, HardLinkThroughSymlink)
{
  fs::create_directory_symlink(m_root, destination() / "out");
  expect_refused(extract({dir_member("pkg/"), hardlink_member("pkg/h", "pkg/out/secret")}), "pkg/h");
  EXPECT_EQ(lstat_of(secret()).st_nlink, 1U);
  EXPECT_FALSE(fs::exists(destination() / "h"));
}

TEST_F(InstallExtractUnsafe, CharacterDevice)
{
  expect_refused(extract({dir_member("pkg/"), char_device_member("pkg/dev/null")}), "pkg/dev/null");
  EXPECT_FALSE(fs::exists(fs::symlink_status(destination() / "dev/null")));
}

TEST_F(InstallExtractUnsafe, Fifo)
{
  expect_refused(extract({dir_member("pkg/"), fifo_member("pkg/pipe")}), "pkg/pipe");
  EXPECT_FALSE(fs::exists(fs::symlink_status(destination() / "pipe")));
}

TEST_F(InstallExtractUnsafe, EntryReplacingAFolder)
{
  expect_refused(extract({dir_member("pkg/"), dir_member("pkg/lib/"), file_member("pkg/lib", "x")}),
                 "pkg/lib");
  EXPECT_TRUE(fs::is_directory(fs::symlink_status(destination() / "lib")));
}

TEST_F(InstallExtractUnsafe, SetuidSetgidStickyBitsAreDropped)
{
  const auto result = extract({dir_member("pkg/"), file_member("pkg/bin/su", "x", 04755),
                               file_member("pkg/bin/sg", "x", 02755), dir_member("pkg/tmp/", 01777)});
  ASSERT_TRUE(result.ok()) << describe(result.error());
  EXPECT_EQ(lstat_of(destination() / "bin/su").st_mode & 07777, masked(0755));
  EXPECT_EQ(lstat_of(destination() / "bin/sg").st_mode & 07777, masked(0755));
  EXPECT_EQ(lstat_of(destination() / "tmp").st_mode & 07777, masked(0755) | 0700U);
  ASSERT_EQ(result->entries.size(), 3U);  // the top folder is not listed
  EXPECT_EQ(result->entries[0].mode, masked(0755));
  EXPECT_EQ(result->entries[2].mode, masked(0755) | 0700U);
}

// The store hard-links extracted files into every prefix: a world-writable library there
// would let any local user rewrite what every prefix loads.
TEST_F(InstallExtractUnsafe, WorldWritableArchiveModesAreNotKept)
{
  const auto result = extract({dir_member("pkg/"), dir_member("pkg/lib/", 0777),
                               file_member("pkg/lib/libx.so", "x", 0777), file_member("pkg/lib/data", "d", 0666),
                               hardlink_member("pkg/lib/libx-link.so", "pkg/lib/libx.so")});
  ASSERT_TRUE(result.ok()) << describe(result.error());
  for (const char* path : {"lib", "lib/libx.so", "lib/data", "lib/libx-link.so"}) {
    SCOPED_TRACE(path);
    EXPECT_EQ(lstat_of(destination() / path).st_mode & 022, 0U);
  }
  EXPECT_EQ(lstat_of(destination() / "lib").st_mode & 07777, masked(0777) | 0700U);
  EXPECT_EQ(lstat_of(destination() / "lib/libx.so").st_mode & 07777, masked(0777));
  EXPECT_EQ(lstat_of(destination() / "lib/data").st_mode & 07777, masked(0666));
  for (const ExtractedEntry& entry : result->entries) {
    EXPECT_EQ(entry.mode & 022, 0U) << entry.path;
  }
}

// The umask is read once per process: a fresh process (threadsafe death test style) whose
// umask is 077 extracts 0777 entries as 0700.
TEST_F(InstallExtractUnsafe, ArchiveModesDoNotBypassTheUmask)
{
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const fs::path archive = write({dir_member("pkg/"), dir_member("pkg/lib/", 0777),
                                  file_member("pkg/lib/libx.so", "x", 0777)});
  const auto extract_under_umask_077 = [&] {
    ::umask(077);
    const bool ok = install::extract_archive(archive, destination()).ok() &&
                    (lstat_of(destination() / "lib").st_mode & 07777) == 0700 &&
                    (lstat_of(destination() / "lib/libx.so").st_mode & 07777) == 0700;
    std::error_code ignored;
    fs::remove_all(destination().parent_path(), ignored);  // the child's own folder (no TearDown)
    std::_Exit(ok ? 0 : 1);
  };
  EXPECT_EXIT(extract_under_umask_077(), ::testing::ExitedWithCode(0), "");
}

TEST_F(InstallExtractLimits, ZerosBombIsRefusedByTheRatio)
{
  // 40 MiB of zeros xz-compress to some 6 KB: past 64 times the archive plus 16 MiB (the
  // default limits). Bigger bombs only take longer to build.
  expect_refused(extract({dir_member("pkg/"), file_member("pkg/ok", "ok"),
                          zeros_member("pkg/zeros", 40ULL << 20)},
                         ArchiveFormat::tar_xz),
                 "pkg/zeros");
  EXPECT_LT(fs::file_size(m_last_archive), 64U << 10);
  EXPECT_FALSE(fs::exists(destination() / "zeros"));  // refused before a byte was written
}

TEST_F(InstallExtractLimits, SparseBombIsRefused)
{
  // A 1 TiB file stored in a few hundred bytes.
  expect_refused(extract({dir_member("pkg/"), sparse_member("pkg/huge", 1ULL << 40)}), "pkg/huge");
}

TEST_F(InstallExtractLimits, TotalBytesLimit)
{
  ExtractLimits limits;
  limits.max_total_bytes = 1 << 20;
  expect_refused(extract({dir_member("pkg/"), zeros_member("pkg/a", 600 << 10),
                          zeros_member("pkg/b", 600 << 10)},
                         ArchiveFormat::tar_gz, limits),
                 "pkg/b");
  EXPECT_EQ(fs::file_size(destination() / "a"), 600U << 10);
}

TEST_F(InstallExtractLimits, EntryCountLimit)
{
  ExtractLimits limits;
  limits.max_entries = 3;
  expect_refused(extract({dir_member("pkg/"), file_member("pkg/1", ""), file_member("pkg/2", ""),
                          file_member("pkg/3", "")},
                         ArchiveFormat::tar_xz, limits),
                 "pkg/3");
}

TEST_F(InstallExtractBroken, TruncatedArchive)
{
  std::mt19937_64 random(7);
  std::string noise;
  while (noise.size() < (256U << 10)) {  // past libarchive's read-ahead, so the cut is in the data
    noise += std::to_string(random());  // digits: xz shrinks them only about 2:1
  }
  const fs::path whole = write({dir_member("pkg/"), file_member("pkg/noise", noise)}, ArchiveFormat::tar_xz);
  m_last_archive = whole;
  fs::resize_file(whole, fs::file_size(whole) * 3 / 5);
  const auto result = install::extract_archive(whole, destination());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, util::ErrorKind::integrity) << describe(result.error());
  EXPECT_NE(result.error().message.find(whole.string()), std::string::npos);
  EXPECT_NE(result.error().message.find("`pkg/noise`"), std::string::npos) << describe(result.error());
  ASSERT_FALSE(result.error().causes.empty());
  expect_nothing_outside();
}

TEST_F(InstallExtractBroken, NotAnArchive)
{
  const fs::path text = m_root / "archive-text.tar.xz";
  std::ofstream(text) << "<html>404 Not Found</html>\n";
  const auto result = install::extract_archive(text, destination());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, util::ErrorKind::integrity) << describe(result.error());
  EXPECT_NE(result.error().message.find(text.string()), std::string::npos);
  EXPECT_FALSE(result.error().causes.empty());
  EXPECT_TRUE(fs::is_empty(destination()));
}

TEST_F(InstallExtractBroken, MissingArchiveOrDestination)
{
  const auto missing = install::extract_archive(m_root / "absent.tar.xz", destination());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, util::ErrorKind::io);
  const auto archive = write(cudart_members());
  const auto no_destination = install::extract_archive(archive, m_root / "absent");
  ASSERT_FALSE(no_destination.ok());
  EXPECT_EQ(no_destination.error().kind, util::ErrorKind::io);
  EXPECT_FALSE(fs::exists(m_root / "absent"));
}

}  // namespace
}  // namespace envsetup::testing

namespace envsetup::testing {
namespace {

// Hands out an archive's bytes a few at a time (as a download would), optionally failing
// after `fail_after` bytes.
class TrickleStream : public install::ArchiveStream {
public:
  TrickleStream(std::string bytes, std::size_t step, std::optional<std::size_t> fail_after = std::nullopt)
    : m_bytes(std::move(bytes)), m_step(step), m_fail_after(fail_after)
  {
  }

  util::Result<std::size_t> read(char* buffer, std::size_t size) override
  {
    if (m_fail_after && m_at >= *m_fail_after) {
      return util::make_error(util::ErrorKind::network, "the download started over");
    }
    const std::size_t take = std::min({size, m_step, m_bytes.size() - m_at});
    std::copy_n(m_bytes.data() + m_at, take, buffer);
    m_at += take;
    ++calls;
    return take;
  }

  int calls = 0;

private:
  std::string m_bytes;
  std::size_t m_step;
  std::optional<std::size_t> m_fail_after;
  std::size_t m_at = 0;
};

TEST_F(InstallExtract, AStreamArrivingInPiecesExtractsLikeTheFile)
{
  const fs::path archive = write(cudart_members(), ArchiveFormat::tar_xz);
  const auto bytes = util::read_file(archive);
  ASSERT_TRUE(bytes);
  TrickleStream stream(*bytes, 16);
  const auto result = install::extract_archive_stream(stream, bytes->size(), "cudart.tar.xz", destination());
  ASSERT_TRUE(result.ok()) << describe(result.error());
  EXPECT_GE(stream.calls, static_cast<int>(bytes->size() / 16));  // it really came in pieces
  EXPECT_EQ(result->top_folder, k_top);
  EXPECT_EQ(result->entries.size(), 12U);
  EXPECT_EQ(read_text(destination() / "lib/libcudart.so.12.4.127"), std::string(5000, 'E'));
  EXPECT_EQ(fs::read_symlink(destination() / "lib/libcudart.so.12"), "libcudart.so.12.4.127");
}

TEST_F(InstallExtract, AStreamErrorIsReturnedAsItIs)
{
  const fs::path archive = write(cudart_members(), ArchiveFormat::tar);
  const auto bytes = util::read_file(archive);
  ASSERT_TRUE(bytes);
  TrickleStream stream(*bytes, 512, bytes->size() / 2);
  const auto result = install::extract_archive_stream(stream, bytes->size(), "cudart.tar", destination());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, util::ErrorKind::network);
  EXPECT_EQ(result.error().message, "the download started over");
  expect_nothing_outside();
}

TEST_F(InstallExtract, AStreamIsHeldToTheDeclaredSizeLimits)
{
  const fs::path archive = write({dir_member("pkg/"), file_member("pkg/big", std::string(200000, 'Z'))},
                                 ArchiveFormat::tar_gz);
  const auto bytes = util::read_file(archive);
  ASSERT_TRUE(bytes);
  TrickleStream stream(*bytes, 4096);
  ExtractLimits limits;
  limits.max_total_bytes = 1000;
  const auto result = install::extract_archive_stream(stream, bytes->size(), "big.tar.gz", destination(), limits);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, util::ErrorKind::integrity);
  EXPECT_NE(result.error().message.find("big.tar.gz"), std::string::npos) << describe(result.error());
}

}  // namespace
}  // namespace envsetup::testing
