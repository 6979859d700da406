// SPDX-License-Identifier: Apache-2.0
// cuDNN's compute-capability range on the shipped matrix: a GPU above the top of a release's
// range in the same major runs its cubins (CUDA binary compatibility), one in another major
// or below the range does not (docs/resolver.md, rule 7).
#include "matrix_fixture.hpp"

#include <envsetup/resolve/resolver.hpp>

#include <gtest/gtest.h>

#include <stdexcept>

namespace envsetup::testing {
namespace {

// The shipped matrix's newest cuDNN release with a CUDA 13 build.
const matrix::CudnnRelease& newest_cudnn_for_cuda13()
{
  const matrix::CudnnRelease* newest = nullptr;
  for (const auto& release : real_matrix().cudnn) {
    for (const auto& range : release.cuda) {
      if (range.major == 13 && !release.manifest.empty()) {
        newest = &release;
      }
    }
  }
  if (newest == nullptr) {
    throw std::runtime_error("the shipped matrix has no cuDNN with a CUDA 13 build");
  }
  return *newest;
}

TEST(ResolveCudnnCapability, SameMajorAboveTheRangeIsServed)
{
  const auto& cudnn = newest_cudnn_for_cuda13();
  // A GPU one minor above the top of the range, in the same major (12.1 above 12.0).
  const core::ComputeCapability above{cudnn.max_capability.major, cudnn.max_capability.minor + 1};
  ASSERT_NE(real_matrix().architecture_of(above), nullptr) << above.text() << " is not a known GPU";
  auto resolution = resolve::resolve(real_matrix(), host("999.0", {above.text()}), request("none", "", "13"));
  ASSERT_TRUE(resolution.ok()) << resolution.error().message;
  ASSERT_TRUE(resolution->plan.has_value()) << resolution->failure;
  ASSERT_TRUE(resolution->plan->toolkit_cudnn.has_value()) << "no cuDNN for sm_" << above.text();
  EXPECT_EQ(resolution->plan->toolkit_cudnn->major(), cudnn.version.major());
}

TEST(ResolveCudnnCapability, BelowTheRangeIsNotServed)
{
  const auto& cudnn = newest_cudnn_for_cuda13();
  // Below the range: pre-Turing GPUs have no cuDNN 9.11+ build; the bare toolkit plan names
  // an older cuDNN that still supports them, or none.
  const core::ComputeCapability below{7, 0};
  ASSERT_LT(below, cudnn.min_capability);
  auto resolution = resolve::resolve(real_matrix(), host("580.95.05", {"7.0"}), request("none", "", "12"));
  ASSERT_TRUE(resolution.ok()) << resolution.error().message;
  ASSERT_TRUE(resolution->plan.has_value()) << resolution->failure;
  // cuDNN 9.10.2 still serves sm_70 with a CUDA 12 build: the plan names it, not the newest.
  ASSERT_TRUE(resolution->plan->toolkit_cudnn.has_value());
  EXPECT_LT(*resolution->plan->toolkit_cudnn, cudnn.version);
  const auto* chosen = real_matrix().find_cudnn(*resolution->plan->toolkit_cudnn);
  ASSERT_NE(chosen, nullptr);
  EXPECT_LE(chosen->min_capability, below) << chosen->version.text() << " does not support sm_70";
}

// The cuDNN a wheel build ships must serve every GPU: TensorFlow's builds (cuDNN 9.3 and older,
// up to 9.0) run no cuDNN code on Blackwell, even where the framework's own PTX would JIT.
TEST(ResolveCudnnCapability, ShippedCudnnMustServeTheGpu)
{
  auto resolution = resolve::resolve(real_matrix(), host("580.95.05", {"12.0"}), request("tensorflow"));
  ASSERT_TRUE(resolution.ok()) << resolution.error().message;
  EXPECT_FALSE(resolution->plan.has_value()) << "planned " << resolution->plan->version->text();
  bool listed_before_the_list = false;  // a cuDNN older than cudnn.json's first release: bounded above
  for (const auto& rejection : resolution->rejected) {
    EXPECT_NE(rejection.reason.find("sm_120"), std::string::npos) << rejection.candidate << ": " << rejection.reason;
    listed_before_the_list = listed_before_the_list || rejection.reason.find("at most") != std::string::npos;
  }
  EXPECT_TRUE(listed_before_the_list);
}

}  // namespace
}  // namespace envsetup::testing
