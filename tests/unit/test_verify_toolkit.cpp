// SPDX-License-Identifier: Apache-2.0
// Check 3: a toolkit prefix, faked from tests/fakes libraries, and the real one when present.
#include <envsetup/verify/toolkit_check.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace envsetup::verify {
namespace {

namespace fs = std::filesystem;

const Check& named(const std::vector<Check>& checks, const std::string& name)
{
  for (const auto& check : checks) {
    if (check.name == name) {
      return check;
    }
  }
  static const Check missing{"missing", CheckStatus::skip, "", std::nullopt, {}};
  ADD_FAILURE() << "no check " << name;
  return missing;
}

core::Version version(const char* text)
{
  return core::Version::parse(text).value();
}

// A prefix with version.json 12.4.1, an nvcc printing release 12.4 and the fake libraries.
class FakePrefix : public ::testing::Test {
protected:
  void SetUp() override
  {
    m_prefix = fs::temp_directory_path() / ("envsetup-prefix-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(m_prefix / "bin");
    fs::create_directories(m_prefix / "lib64");
    std::ofstream(m_prefix / "version.json") << R"({"cuda": {"name": "CUDA SDK", "version": "12.4.1"}})";
    std::ofstream(m_prefix / "bin" / "nvcc")
      << "#!/bin/sh\necho 'nvcc: NVIDIA (R) Cuda compiler driver'\necho 'Cuda compilation tools, release 12.4, V12.4.131'\n";
    fs::permissions(m_prefix / "bin" / "nvcc", fs::perms::owner_all);
    fs::copy_file(ENVSETUP_FAKE_CUDART, m_prefix / "lib64" / "libcudart.so.12");
    fs::copy_file(ENVSETUP_FAKE_CUBLAS, m_prefix / "lib64" / "libcublas.so.12");
    fs::copy_file(ENVSETUP_FAKE_CUDNN, m_prefix / "lib64" / "libcudnn.so.9");
  }
  void TearDown() override { fs::remove_all(m_prefix); }

  fs::path m_prefix;
};

TEST_F(FakePrefix, EverythingAgrees)
{
  const auto checks = check_toolkit({m_prefix, version("12.4"), version("9.1"), false});
  ASSERT_EQ(checks.size(), 6U);
  EXPECT_EQ(named(checks, "toolkit:nvcc").status, CheckStatus::pass) << named(checks, "toolkit:nvcc").detail;
  EXPECT_EQ(named(checks, "toolkit:version.json").status, CheckStatus::pass);
  EXPECT_EQ(named(checks, "toolkit:libcudart").status, CheckStatus::pass) << named(checks, "toolkit:libcudart").detail;
  EXPECT_NE(named(checks, "toolkit:libcudart").detail.find("12.4"), std::string::npos);
  EXPECT_EQ(named(checks, "toolkit:libcublas").status, CheckStatus::pass) << named(checks, "toolkit:libcublas").detail;
  EXPECT_NE(named(checks, "toolkit:libcublas").detail.find("12.4.5"), std::string::npos);
  EXPECT_EQ(named(checks, "toolkit:libcudnn").status, CheckStatus::pass) << named(checks, "toolkit:libcudnn").detail;
  EXPECT_NE(named(checks, "toolkit:libcudnn").detail.find("9.1.0"), std::string::npos);
  EXPECT_EQ(named(checks, "toolkit:cublas-sgemm").status, CheckStatus::skip);
  EXPECT_TRUE(all_passed(checks));
}

TEST_F(FakePrefix, WithoutExpectationsVersionJsonIsTheReference)
{
  const auto checks = check_toolkit({m_prefix, std::nullopt, std::nullopt, false});
  EXPECT_TRUE(all_passed(checks));
}

TEST_F(FakePrefix, OtherCudaExpectedFails)
{
  const auto checks = check_toolkit({m_prefix, version("12.6"), std::nullopt, false});
  EXPECT_EQ(named(checks, "toolkit:nvcc").status, CheckStatus::fail);
  EXPECT_EQ(named(checks, "toolkit:version.json").status, CheckStatus::fail);
  EXPECT_EQ(named(checks, "toolkit:libcudart").status, CheckStatus::fail);
  EXPECT_EQ(named(checks, "toolkit:libcublas").status, CheckStatus::pass);  // major only
  EXPECT_TRUE(named(checks, "toolkit:libcudart").hint.has_value());
}

TEST_F(FakePrefix, NvccOfAnotherRelease)
{
  std::ofstream(m_prefix / "bin" / "nvcc") << "#!/bin/sh\necho 'Cuda compilation tools, release 11.8, V11.8.89'\n";
  const auto checks = check_toolkit({m_prefix, std::nullopt, std::nullopt, false});
  EXPECT_EQ(named(checks, "toolkit:nvcc").status, CheckStatus::fail);
  EXPECT_NE(named(checks, "toolkit:nvcc").detail.find("11.8"), std::string::npos);
}

TEST_F(FakePrefix, MissingFilesAreSkipsOrFailures)
{
  fs::remove(m_prefix / "bin" / "nvcc");
  fs::remove(m_prefix / "version.json");
  fs::remove(m_prefix / "lib64" / "libcudnn.so.9");
  fs::remove(m_prefix / "lib64" / "libcublas.so.12");
  const auto checks = check_toolkit({m_prefix, std::nullopt, std::nullopt, true});
  EXPECT_EQ(named(checks, "toolkit:nvcc").status, CheckStatus::skip);
  EXPECT_EQ(named(checks, "toolkit:version.json").status, CheckStatus::skip);
  EXPECT_EQ(named(checks, "toolkit:libcudnn").status, CheckStatus::skip);
  EXPECT_EQ(named(checks, "toolkit:libcublas").status, CheckStatus::fail);
  EXPECT_EQ(named(checks, "toolkit:cublas-sgemm").status, CheckStatus::skip);
}

TEST_F(FakePrefix, UnloadableLibraryFails)
{
  std::ofstream(m_prefix / "lib64" / "libcudnn.so.9", std::ios::trunc) << "not an ELF file";
  const auto checks = check_toolkit({m_prefix, std::nullopt, std::nullopt, false});
  EXPECT_EQ(named(checks, "toolkit:libcudnn").status, CheckStatus::fail);
  EXPECT_NE(named(checks, "toolkit:libcudnn").detail.find("cannot load"), std::string::npos);
}

TEST(VerifyToolkit, NotAFolder)
{
  const auto checks = check_toolkit({"/nonexistent/cuda", std::nullopt, std::nullopt, false});
  ASSERT_EQ(checks.size(), 1U);
  EXPECT_EQ(checks[0].status, CheckStatus::fail);
}

TEST(VerifyToolkit, RealCuda13PrefixWhenPresent)
{
  const fs::path prefix = "/usr/local/cuda-13.0";
  if (!fs::exists(prefix / "bin" / "nvcc")) {
    GTEST_SKIP() << "no " << prefix;
  }
  const auto checks = check_toolkit({prefix, version("13.0"), std::nullopt, false});
  for (const auto& check : checks) {
    EXPECT_NE(check.status, CheckStatus::fail) << check.name << ": " << check.detail;
  }
  EXPECT_EQ(named(checks, "toolkit:nvcc").status, CheckStatus::pass);
  EXPECT_EQ(named(checks, "toolkit:libcudart").status, CheckStatus::pass);
  EXPECT_EQ(named(checks, "toolkit:libcublas").status, CheckStatus::pass);
}

}  // namespace
}  // namespace envsetup::verify
