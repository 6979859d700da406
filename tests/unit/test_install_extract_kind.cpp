// SPDX-License-Identifier: Apache-2.0
// ArchiveKind::tar_xz: a file named .tar.xz must be .xz data holding a tar and nothing else,
// on both decoding paths (the DecodePool and liblzma on the reading thread) and through both
// entry points (a file, a stream). Every refusal is an integrity error naming the archive.
#include "archive_builder.hpp"

#include <envsetup/install/extract.hpp>
#include <envsetup/install/xz_decoder.hpp>
#include <envsetup/util/fs.hpp>

#include <gtest/gtest.h>

#include <fstream>

#include <fcntl.h>
#include <unistd.h>

namespace envsetup::testing {
namespace {

namespace fs = std::filesystem;
using install::ArchiveKind;
using install::ExtractLimits;
using install::ExtractResult;

TEST(ArchiveKindForName, TarXzNamesPromiseTarXz)
{
  EXPECT_EQ(install::archive_kind_for_name("cuda_nvcc-linux-x86_64-12.4.131-archive.tar.xz"), ArchiveKind::tar_xz);
  EXPECT_EQ(install::archive_kind_for_name("CUDNN-9.1.0.70-ARCHIVE.TAR.XZ"), ArchiveKind::tar_xz);
  EXPECT_EQ(install::archive_kind_for_name("x.txz"), ArchiveKind::tar_xz);
  EXPECT_EQ(install::archive_kind_for_name("cuda_nvcc-windows-x86_64-12.4.131-archive.zip"), ArchiveKind::any);
  EXPECT_EQ(install::archive_kind_for_name("x.tar.gz"), ArchiveKind::any);
  EXPECT_EQ(install::archive_kind_for_name("x.tar.xz.sig"), ArchiveKind::any);
  EXPECT_EQ(install::archive_kind_for_name("x.xz"), ArchiveKind::any);
  EXPECT_EQ(install::archive_kind_for_name(""), ArchiveKind::any);
}

std::vector<ArchiveMember> small_members()
{
  const std::string t = "cuda_cccl-linux-x86_64-12.4.127-archive/";
  return {dir_member(t), file_member(t + "LICENSE", "license\n"), dir_member(t + "include/"),
          file_member(t + "include/version.h", "#define V 1\n"), symlink_member(t + "include/v.h", "version.h")};
}

enum class Entry { file, stream };

// Parameter: decode on a DecodePool (true) or with liblzma on the reading thread (false), and
// call extract_archive (a file) or extract_archive_stream.
class ExtractTarXzOnly : public ::testing::TestWithParam<std::tuple<bool, Entry>> {
protected:
  void SetUp() override
  {
    std::string pattern = (fs::temp_directory_path() / "envsetup-kind-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    m_root = pattern;
    fs::create_directory(destination());
  }

  void TearDown() override
  {
    std::error_code ignored;
    fs::remove_all(m_root, ignored);
  }

  fs::path destination() const { return m_root / "dest"; }

  // `members` written as `format` under a name ending in .tar.xz, then `extra` appended.
  fs::path write(ArchiveFormat format, const std::string& extra = "",
                 const std::vector<ArchiveMember>& members = small_members())
  {
    const fs::path path = m_root / ("archive" + std::to_string(m_count++) + ".tar.xz");
    EXPECT_EQ(write_archive(path, members, format), "");
    std::ofstream(path, std::ios::binary | std::ios::app) << extra;
    return path;
  }

  util::Result<ExtractResult> extract(const fs::path& archive)
  {
    const auto [parallel, entry] = GetParam();
    ExtractLimits limits;
    limits.expected = install::archive_kind_for_name(archive.filename().string());
    install::DecodePool* decoders = parallel ? &m_pool : nullptr;
    if (entry == Entry::file) {
      return install::extract_archive(archive, destination(), limits, decoders);
    }
    const int fd = ::open(archive.c_str(), O_RDONLY | O_CLOEXEC);
    EXPECT_GE(fd, 0);
    install::FdArchiveStream stream(fd, archive.filename().string());
    auto result = install::extract_archive_stream(stream, fs::file_size(archive), archive.filename().string(),
                                                  destination(), limits, decoders);
    ::close(fd);
    return result;
  }

  // Refused as not a .tar.xz (integrity), the message naming the archive, `why` in the causes.
  void expect_not_tar_xz(const fs::path& archive, const std::string& why)
  {
    const auto result = extract(archive);
    ASSERT_FALSE(result.ok()) << archive << " was extracted";
    EXPECT_EQ(result.error().kind, util::ErrorKind::integrity);
    EXPECT_NE(result.error().message.find("is not a valid .tar.xz archive"), std::string::npos)
      << result.error().message;
    EXPECT_NE(result.error().message.find(archive.filename().string()), std::string::npos);
    std::string causes;
    for (const std::string& cause : result.error().causes) {
      causes += cause + "\n";
    }
    EXPECT_NE(causes.find(why), std::string::npos) << causes;
  }

  install::DecodePool m_pool{2};
  fs::path m_root;
  int m_count = 0;
};

TEST_P(ExtractTarXzOnly, RealTarXzIsExtracted)
{
  const auto result = extract(write(ArchiveFormat::tar_xz));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->entries.size(), 4U);
  EXPECT_EQ(util::read_file(destination() / "include/version.h").value(), "#define V 1\n");
}

TEST_P(ExtractTarXzOnly, StreamPaddingAfterTheXzIsAccepted)
{
  const auto result = extract(write(ArchiveFormat::tar_xz, std::string(8, '\0')));
  ASSERT_TRUE(result.ok()) << result.error().message;
}

TEST_P(ExtractTarXzOnly, PlainTarNamedTarXzIsRefused)
{
  expect_not_tar_xz(write(ArchiveFormat::tar), "not .xz data");
  EXPECT_TRUE(fs::is_empty(destination()));
}

TEST_P(ExtractTarXzOnly, ZipNamedTarXzIsRefused)
{
  expect_not_tar_xz(write(ArchiveFormat::zip), "not .xz data");
  EXPECT_TRUE(fs::is_empty(destination()));
}

TEST_P(ExtractTarXzOnly, TarGzNamedTarXzIsRefused)
{
  expect_not_tar_xz(write(ArchiveFormat::tar_gz), "not .xz data");
  EXPECT_TRUE(fs::is_empty(destination()));
}

TEST_P(ExtractTarXzOnly, XzHoldingAZipIsRefused)
{
  expect_not_tar_xz(write(ArchiveFormat::zip_xz), "Unrecognized archive format");
  EXPECT_TRUE(fs::is_empty(destination()));
}

TEST_P(ExtractTarXzOnly, XzHoldingATarGzIsRefused)
{
  expect_not_tar_xz(write(ArchiveFormat::tar_gz_xz), "Unrecognized archive format");
  EXPECT_TRUE(fs::is_empty(destination()));
}

TEST_P(ExtractTarXzOnly, XzWithTrailingGarbageIsRefused)
{
  for (const std::string& garbage : std::vector<std::string>{"garbage!", "x", std::string("\0\0\0\0junk", 8)}) {
    SCOPED_TRACE(::testing::PrintToString(garbage));
    expect_not_tar_xz(write(ArchiveFormat::tar_xz, garbage), "invalid .xz data");
  }
}

TEST_P(ExtractTarXzOnly, XzWithATrailingTarIsRefused)
{
  const fs::path tail = m_root / "tail.tar";
  ASSERT_EQ(write_archive(tail, small_members(), ArchiveFormat::tar), "");
  expect_not_tar_xz(write(ArchiveFormat::tar_xz, util::read_file(tail).value()), "invalid .xz data");
}

TEST_P(ExtractTarXzOnly, EmptyFileIsRefused)
{
  const fs::path path = m_root / "empty.tar.xz";
  std::ofstream(path).close();
  expect_not_tar_xz(path, "invalid .xz data");
}

TEST_P(ExtractTarXzOnly, UnsafeEntryInAWellFormedTarXzIsReportedAsSuch)
{
  const auto result = extract(write(ArchiveFormat::tar_xz, "", {file_member("pkg/../../evil", "x")}));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, util::ErrorKind::integrity);
  EXPECT_NE(result.error().message.find("unsafe entry"), std::string::npos) << result.error().message;
  EXPECT_FALSE(fs::exists(m_root / "evil"));
}

INSTANTIATE_TEST_SUITE_P(Paths, ExtractTarXzOnly,
                         ::testing::Combine(::testing::Bool(), ::testing::Values(Entry::file, Entry::stream)),
                         [](const auto& path) {
                           return std::string(std::get<0>(path.param) ? "Pool" : "Liblzma") +
                                  (std::get<1>(path.param) == Entry::file ? "File" : "Stream");
                         });

// Without an expected kind, what a .tar.xz name hides is still read (the lead's app layer
// passes archive_kind_for_name): a plain tar extracts.
TEST(ExtractAnyKind, PlainTarStillExtractsWhenNothingIsExpected)
{
  std::string pattern = (fs::temp_directory_path() / "envsetup-kind-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const fs::path root = pattern;
  fs::create_directory(root / "dest");
  ASSERT_EQ(write_archive(root / "a.tar.xz", small_members(), ArchiveFormat::tar), "");
  const auto result = install::extract_archive(root / "a.tar.xz", root / "dest");
  EXPECT_TRUE(result.ok());
  fs::remove_all(root);
}

}  // namespace
}  // namespace envsetup::testing
