// SPDX-License-Identifier: Apache-2.0
// The binary module on real nvcc 13.0 output (tests/data/binary, made by make_fixtures.sh):
// targets, flags, PTX ISA, toolkit and section names; the same results through every kind of
// source; and, where nvcc is installed, the same results from a fresh build.
#include "test_binary_support.hpp"

#include <envsetup/binary/file_source.hpp>

#include <gtest/gtest.h>

#include <cstdlib>

namespace envsetup::binary {
namespace {

using namespace testing;

const std::vector<std::string> k_fixtures = {"sass_sm80.so", "ptx_compute80.so",  "both_80.so", "multi.so",
                                             "sm90a.so",     "ptx_compute90a.so", "sm100f.so",  "zstd_sm80.so",
                                             "lz4_sm80.so",  "debug_sm80.so",     "rdc_sm80.o", "host_only.so"};

LibraryCode read_fixture(const std::string& name)
{
  auto source = FileSource::open(fixture(name), FileSource::FinalLink::refuse);
  EXPECT_TRUE(source.ok()) << name;
  auto code = read_library(*source);
  EXPECT_TRUE(code.ok()) << name << ": " << (code.ok() ? "" : code.error().message);
  EXPECT_TRUE(code.ok() && code->has_value()) << name;
  return code.ok() && *code ? **code : LibraryCode{};
}

struct Expected {
  std::string file;
  std::string targets;
  std::string section = ".nv_fatbin";
  std::string toolkit = "13.0.88";  // "" when every cubin is compressed (or there is none)
  EmbeddedCode::Compression compression = EmbeddedCode::Compression::none;  // of the first entry
};

TEST(BinaryLibrary, ReadsEachFixture)
{
  using C = EmbeddedCode::Compression;
  const std::vector<Expected> expected = {
    {"sass_sm80.so", "sm_80"},
    {"ptx_compute80.so", "compute_80(9.0)", ".nv_fatbin", "", C::zstd},
    {"both_80.so", "sm_80 compute_80(9.0)"},
    {"multi.so", "sm_75 sm_80 sm_90 compute_90(9.0)"},
    {"sm90a.so", "sm_90a"},
    {"ptx_compute90a.so", "compute_90a(9.0)", ".nv_fatbin", "", C::zstd},
    {"sm100f.so", "sm_100f"},
    {"zstd_sm80.so", "sm_80", ".nv_fatbin", "", C::zstd},
    {"lz4_sm80.so", "sm_80", ".nv_fatbin", "", C::lz4},
    {"debug_sm80.so", "sm_80", ".nv_fatbin", "", C::zstd},
    {"rdc_sm80.o", "sm_80", "__nv_relfatbin", "", C::zstd},
  };
  for (const auto& want : expected) {
    SCOPED_TRACE(want.file);
    const LibraryCode code = read_fixture(want.file);
    ASSERT_EQ(code.fatbins.size(), 1u);
    EXPECT_EQ(targets_text(code), want.targets);
    EXPECT_EQ(code.fatbins[0].section, want.section);
    EXPECT_EQ(code.fatbins[0].toolkit ? code.fatbins[0].toolkit->text() : "", want.toolkit);
    EXPECT_EQ(code.fatbins[0].entries[0].compression, want.compression);
    EXPECT_EQ(code.any_compressed(), want.compression != C::none || want.targets.find("compute") != std::string::npos);
    EXPECT_EQ(code.relocatable, want.file.ends_with(".o"));
    EXPECT_EQ(code.fatbins[0].entries[0].debug, want.file.starts_with("debug"));
    EXPECT_TRUE(code.unsupported.empty());
  }
}

TEST(BinaryLibrary, TargetSuffixesAndKinds)
{
  const auto a = read_fixture("sm90a.so").targets();
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].target.capability, (core::ComputeCapability{9, 0}));
  EXPECT_EQ(a[0].target.suffix, 'a');
  EXPECT_NE(a[0].target.kind, core::ArchTarget::Kind::ptx);
  EXPECT_FALSE(a[0].ptx_isa);
  const auto f = read_fixture("sm100f.so").targets();
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].target.capability, (core::ComputeCapability{10, 0}));
  EXPECT_EQ(f[0].target.suffix, 'f');
  const auto ptx = read_fixture("ptx_compute90a.so").targets();
  ASSERT_EQ(ptx.size(), 1u);
  EXPECT_EQ(ptx[0].target.kind, core::ArchTarget::Kind::ptx);
  EXPECT_EQ(ptx[0].target.suffix, 'a');
  EXPECT_EQ(ptx[0].ptx_isa->text(), "9.0");
  const LibraryCode multi = read_fixture("multi.so");
  EXPECT_EQ(multi.fatbins[0].entries.size(), 4u);
  EXPECT_EQ(multi.toolkits().size(), 1u);
  EXPECT_EQ(multi.toolkits()[0].text(), "13.0.88");
}

TEST(BinaryLibrary, HostOnlyAndNonElfFiles)
{
  const LibraryCode host = read_fixture("host_only.so");
  EXPECT_TRUE(host.fatbins.empty());
  EXPECT_TRUE(host.targets().empty());
  auto script = FileSource::open(fixture("make_fixtures.sh"), FileSource::FinalLink::refuse);
  ASSERT_TRUE(script.ok());
  auto code = read_library(*script);
  ASSERT_TRUE(code.ok());
  EXPECT_FALSE(code->has_value());
  const Bytes empty;
  EXPECT_EQ(outcome(read_memory(empty)), "not elf");
}

TEST(BinaryLibrary, Unsupported32BitAndBigEndianElf)
{
  Bytes bytes = read_bytes(fixture("sass_sm80.so"));
  bytes[4] = std::byte{1};
  auto code = read_memory(bytes);
  ASSERT_TRUE(code.ok());
  ASSERT_TRUE(code->has_value());
  EXPECT_EQ((*code)->unsupported, "not a 64-bit ELF file");
  EXPECT_TRUE((*code)->fatbins.empty());
  bytes[4] = std::byte{2};
  bytes[5] = std::byte{2};
  EXPECT_EQ(outcome(read_memory(bytes)), "unsupported not a little-endian ELF file\n");
}

TEST(BinaryLibrary, EverySourceReadsTheSame)
{
  for (const auto& name : k_fixtures) {
    SCOPED_TRACE(name);
    const Bytes bytes = read_bytes(fixture(name));
    auto source = FileSource::open(fixture(name), FileSource::FinalLink::refuse);
    ASSERT_TRUE(source.ok());
    const std::string from_file = outcome(read_library(*source));
    EXPECT_EQ(from_file.rfind("error", 0), std::string::npos) << from_file;
    EXPECT_EQ(outcome(read_memory(bytes)), from_file);
    EXPECT_EQ(outcome(read_pulled(bytes, 1)), from_file);
    EXPECT_EQ(outcome(read_pulled(bytes, 4093)), from_file);
    EXPECT_EQ(outcome(read_pulled(bytes, 1 << 20)), from_file);
  }
}

TEST(BinaryLibrary, FileSourceRefusesALinkWhenAskedAndFollowsOtherwise)
{
  const auto dir = std::filesystem::temp_directory_path() / ("envsetup-binary-link-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::filesystem::create_symlink(fixture("multi.so"), dir / "link.so");
  EXPECT_FALSE(FileSource::open(dir / "link.so", FileSource::FinalLink::refuse).ok());
  auto followed = FileSource::open(dir / "link.so", FileSource::FinalLink::follow);
  ASSERT_TRUE(followed.ok());
  EXPECT_EQ(followed->size(), std::filesystem::file_size(fixture("multi.so")));
  EXPECT_EQ(FileSource::open(dir, FileSource::FinalLink::follow).error().kind, util::ErrorKind::input);
  std::filesystem::remove_all(dir);
}

TEST(BinaryLibrary, FreshNvccBuildReadsLikeTheCommittedFixtures)
{
  if (!std::filesystem::exists("/usr/local/cuda-13.0/bin/nvcc")) {
    GTEST_SKIP() << "nvcc 13.0 is not installed: the committed fixtures stand in for a fresh build";
  }
  const auto dir = std::filesystem::temp_directory_path() / ("envsetup-binary-fresh-" + std::to_string(::getpid()));
  const std::vector<std::string> files = {"multi.so", "sm90a.so", "zstd_sm80.so", "rdc_sm80.o", "host_only.so"};
  std::string command = std::string(ENVSETUP_TEST_DATA) + "/binary/make_fixtures.sh " + dir.string();
  for (const auto& file : files) {
    command += " " + file;
  }
  ASSERT_EQ(std::system((command + " >/dev/null 2>&1").c_str()), 0) << command;
  for (const auto& file : files) {
    SCOPED_TRACE(file);
    // Offsets may move between builds; what was read must not.
    auto strip_offsets = [](std::string text) {
      std::string out;
      for (std::size_t at = 0; at < text.size();) {
        if (text[at] == '@') {
          while (at < text.size() && text[at] != ' ') {
            ++at;
          }
        } else {
          out += text[at++];
        }
      }
      return out;
    };
    EXPECT_EQ(strip_offsets(outcome(read_memory(read_bytes(dir / file)))),
              strip_offsets(outcome(read_memory(read_bytes(fixture(file))))));
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace envsetup::binary
