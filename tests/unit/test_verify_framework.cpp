// SPDX-License-Identifier: Apache-2.0
// Check 4's pure half: the script's JSON line -> Checks, and the loaded-library verdicts.
#include <envsetup/verify/framework_check.hpp>

#include <gtest/gtest.h>

namespace envsetup::verify {
namespace {

const std::string k_site = "/v/lib/python3.11/site-packages";

FrameworkAnswer parse(const std::string& text)
{
  auto answer = parse_framework_answer(text);
  EXPECT_TRUE(answer.ok());
  return answer.ok() ? *answer : FrameworkAnswer{};
}

std::string available(const std::string& libraries, double error = 1e-6)
{
  return R"({"framework": "torch", "prefix": "/v", "site_packages": [")" + k_site +
         R"("], "version": "2.5.1+cu124", "cuda_build": "12.4", "cuda_available": true, "devices": [{"name": "NVIDIA H100", "capability": "9.0"}], "matmul_max_error": )" +
         std::to_string(error) + R"(, "conv_ok": true, "cudnn_version": "90100", "libraries": [)" + libraries + "]}";
}

CheckStatus status_of(const std::vector<Check>& checks, const std::string& name)
{
  for (const auto& check : checks) {
    if (check.name == name) {
      return check.status;
    }
  }
  ADD_FAILURE() << "no check " << name;
  return CheckStatus::skip;
}

TEST(VerifyFramework, AvailableGpuPassesEverything)
{
  std::string text = "some warning on stdout\n";
  const auto answer = parse(text + available('"' + k_site + "/nvidia/cudnn/lib/libcudnn.so.9\"") + "\n");
  EXPECT_EQ(answer.devices.size(), 1U);
  const auto checks = framework_checks(answer, true, {});
  EXPECT_EQ(checks.size(), 5U);
  EXPECT_TRUE(all_passed(checks));
  EXPECT_EQ(status_of(checks, "framework:torch:cudnn"), CheckStatus::pass);
}

TEST(VerifyFramework, WrongMatmulFails)
{
  const auto checks = framework_checks(parse(available("", 0.5)), true, {});
  EXPECT_EQ(status_of(checks, "framework:torch:matmul"), CheckStatus::fail);
}

TEST(VerifyFramework, UnavailableGpuFailsOnlyOnAGpuHost)
{
  const auto answer = parse(R"({"framework": "torch", "version": "2.5.1+cu124", "cuda_build": "12.4", "cuda_available": false})");
  EXPECT_EQ(status_of(framework_checks(answer, true, {}), "framework:torch:gpu"), CheckStatus::fail);
  EXPECT_EQ(status_of(framework_checks(answer, false, {}), "framework:torch:gpu"), CheckStatus::skip);
}

TEST(VerifyFramework, CpuBuild)
{
  const auto answer = parse(R"({"framework": "torch", "version": "2.6.0+cpu", "cuda_build": null, "cuda_available": false})");
  ASSERT_TRUE(answer.cuda_build.has_value());
  EXPECT_TRUE(answer.cuda_build->empty());
  const auto checks = framework_checks(answer, true, {});
  EXPECT_EQ(status_of(checks, "framework:torch"), CheckStatus::pass);
  EXPECT_EQ(status_of(checks, "framework:torch:gpu"), CheckStatus::fail);
}

TEST(VerifyFramework, ImportErrorIsOneFailure)
{
  const auto checks = framework_checks(
    parse(R"({"framework": "jax", "error": "ImportError: libcudnn.so.9: cannot open shared object file"})"), false, {});
  ASSERT_EQ(checks.size(), 1U);
  EXPECT_EQ(checks[0].status, CheckStatus::fail);
  EXPECT_NE(checks[0].detail.find("libcudnn.so.9"), std::string::npos);
}

TEST(VerifyFramework, NoJsonIsAnError)
{
  EXPECT_FALSE(parse_framework_answer("Segmentation fault\n").ok());
  EXPECT_FALSE(parse_framework_answer(R"({"no": "framework"})").ok());
}

TEST(VerifyFramework, LibrariesFromLdLibraryPathAreFlagged)
{
  const auto answer = parse(available(R"("/usr/lib/x86_64-linux-gnu/libcuda.so.550.54.15", ")" + k_site +
                                      R"(/torch/lib/libcudnn.so.9", "/opt/cudnn8/lib/libcudnn.so.8", "/usr/local/cuda-11/lib64/libcublas.so.11")"));
  const auto verdicts = classify_libraries(answer, {"/opt/cudnn8/lib/"});
  ASSERT_EQ(verdicts.size(), 4U);
  EXPECT_TRUE(verdicts[0].expected);   // the driver
  EXPECT_TRUE(verdicts[1].expected);   // the venv's own
  EXPECT_FALSE(verdicts[2].expected);
  EXPECT_NE(verdicts[2].reason.find("LD_LIBRARY_PATH entry `/opt/cudnn8/lib/`"), std::string::npos);
  EXPECT_FALSE(verdicts[3].expected);
  EXPECT_NE(verdicts[3].reason.find("outside"), std::string::npos);
  EXPECT_EQ(status_of(framework_checks(answer, true, {}), "framework:torch:libraries"), CheckStatus::fail);
}

}  // namespace
}  // namespace envsetup::verify
