// SPDX-License-Identifier: Apache-2.0
// Matrix schema v2: the three architecture-list notations, and the new fields
// as the loader reads them (fixture values the test controls, and facts of the
// shipped matrix).
#include "matrix_fixture.hpp"

#include <envsetup/matrix/arch_list.hpp>
#include <envsetup/matrix/load.hpp>

#include <gtest/gtest.h>

#include <algorithm>

namespace envsetup::testing {
namespace {

std::string texts(const std::vector<core::ArchTarget>& targets)
{
  std::string out;
  for (const auto& target : targets) {
    out += (out.empty() ? "" : " ") + target.text();
  }
  return out;
}

std::string parsed(matrix::ArchNotation notation, const std::string& text)
{
  auto targets = matrix::parse_arch_list(notation, text);
  return targets ? texts(*targets) : "error: " + targets.error().message;
}

const matrix::Variant& variant_of(const matrix::Matrix& m, const std::string& framework, const std::string& series,
                                  const std::string& name)
{
  const auto* found = m.find_framework(framework);
  EXPECT_NE(found, nullptr) << framework;
  for (const auto& release : found->releases) {
    for (const auto& variant : release.variants) {
      if (release.series.text() == series && variant.name == name) {
        return variant;
      }
    }
  }
  ADD_FAILURE() << framework << " " << series << " " << name << " is not in the matrix";
  static const matrix::Variant none;
  return none;
}

using matrix::ArchNotation;

TEST(ArchListNotation, TorchPlusPtxIsSassAndPtx)
{
  EXPECT_EQ(parsed(ArchNotation::torch, "5.0;6.0;7.0;7.5;8.0;8.6;9.0+PTX"),
            "sm_50 sm_60 sm_70 sm_75 sm_80 sm_86 sm_90 compute_90");
  EXPECT_EQ(parsed(ArchNotation::torch, "7.0 8.0+PTX 9.0a"), "sm_70 sm_80 sm_90a compute_80");
  EXPECT_EQ(parsed(ArchNotation::torch, "10.0f;12.0"), "sm_100f sm_120");
}

TEST(ArchListNotation, BazelComputeIsSassAndPtx)
{
  EXPECT_EQ(parsed(ArchNotation::bazel, "sm_60,sm_70,compute_80"), "sm_60 sm_70 sm_80 compute_80");
}

TEST(ArchListNotation, BazelSmIsSassOnly)
{
  EXPECT_EQ(parsed(ArchNotation::bazel, "sm_60,sm_70,sm_90a"), "sm_60 sm_70 sm_90a");
}

TEST(ArchListNotation, TensorflowBareCapabilityIsSassAndPtx)
{
  EXPECT_EQ(parsed(ArchNotation::bazel, "3.5,7.0"), "sm_35 sm_70 compute_35 compute_70");
}

TEST(ArchListNotation, ForeignEntriesAreRefused)
{
  EXPECT_EQ(parsed(ArchNotation::torch, "sm_70"), "error: `sm_70` is not a torch architecture entry");
  EXPECT_EQ(parsed(ArchNotation::bazel, "8.0+PTX"), "error: `8.0+PTX` is not a bazel architecture entry");
  EXPECT_EQ(parsed(ArchNotation::torch, " ; "), "error: the architecture list is empty");
  EXPECT_EQ(parsed(ArchNotation::bazel, "sm_70;sm_80"), "error: `sm_70;sm_80` is not a bazel architecture entry");
}

TEST(MatrixV2Fixture, VariantFieldsAreRead)
{
  const auto& m = minimal_matrix();
  const auto& cu118 = variant_of(m, "demo", "1.0", "cu118");
  EXPECT_EQ(texts(cu118.targets),
            "sm_60 sm_70 sm_80 compute_80");  // sass, then ptx
  EXPECT_EQ(cu118.arch_list.notation, ArchNotation::torch);
  EXPECT_EQ(cu118.arch_list.text, "6.0;7.0;8.0+PTX");
  EXPECT_EQ(cu118.platform, core::Platform::linux_x86_64);
  EXPECT_EQ(cu118.glibc.text(), "2.17");
  EXPECT_FALSE(cu118.cudnn_wheel.has_value());
  const auto& cu130 = variant_of(m, "demo", "2.0", "cu130");
  EXPECT_EQ(cu130.arch_list.notation, ArchNotation::bazel);
  EXPECT_EQ(texts(cu130.targets), "sm_75 sm_80 sm_90 sm_100 sm_120 compute_120");
  EXPECT_EQ(cu130.glibc.text(), "2.28");
  const auto& cu124 = variant_of(m, "demo", "2.0", "cu124");
  ASSERT_TRUE(cu124.cudnn_wheel.has_value());
  EXPECT_EQ(cu124.cudnn_wheel->package, "nvidia-cudnn-cu12");
  EXPECT_EQ(cu124.cudnn_wheel->spec_text, ">=9.14,<10");
  EXPECT_TRUE(cu124.cudnn_wheel->spec.matches(core::Version::parse("9.20.0").value()));
  EXPECT_FALSE(cu124.cudnn_wheel->spec.matches(core::Version::parse("10.0").value()));
}

TEST(MatrixV2Fixture, PlatformGapsAreRead)
{
  const auto* demo = minimal_matrix().find_framework("demo");
  ASSERT_NE(demo, nullptr);
  ASSERT_EQ(demo->platform_gaps.size(), 1U);
  EXPECT_EQ(demo->platform_gaps[0].platform, core::Platform::linux_aarch64);
  EXPECT_EQ(demo->platform_gaps[0].reason, "demo publishes no aarch64 GPU build");
}

TEST(MatrixV2Fixture, PerCapabilityFloorsAndLastBranchAreRead)
{
  // The fixture's own numbers, patched: 8.6 gets a floor of its own.
  auto loaded = matrix::load_matrix(
    patched_minimal_files(
      "gpus.json",
      R"([{"op": "replace", "path": "/architectures/3/compute_capabilities/1/min_driver", "value": "455.23"}])"),
    "patched");
  ASSERT_TRUE(loaded) << loaded.error().message;
  const auto& m = *loaded;
  EXPECT_EQ(m.min_driver_for({8, 0})->text(), "450.36.06");
  EXPECT_EQ(m.min_driver_for({8, 6})->text(), "455.23");
  const auto* ampere = m.architecture_of({8, 6});
  ASSERT_NE(ampere, nullptr);
  EXPECT_EQ(ampere->min_driver.text(), "450.36.06");
  ASSERT_EQ(ampere->floors.size(), 2U);
  EXPECT_EQ(ampere->floors[1].capability.text(), "8.6");
  EXPECT_EQ(m.last_driver_branch_for({5, 2}), 580);
  EXPECT_EQ(m.architecture_of({5, 2})->last_branch_provenance.source, "test fixture");
  EXPECT_FALSE(m.last_driver_branch_for({6, 1}).has_value());
  EXPECT_FALSE(m.min_driver_for({9, 9}).has_value());
}

TEST(MatrixV2Fixture, SameVariantNameOnAnotherPlatformIsAllowed)
{
  const auto problems = problems_after_patch("demo.json", R"([{"op": "add", "path": "/releases/1/variants/-", "value":
      {"name": "cu130", "platform": "linux-aarch64", "cuda": "13.0.2", "cudnn": "9.14.0.64",
       "sass": ["sm_90", "sm_100"], "ptx": ["compute_100"],
       "arch_list": {"notation": "torch", "text": "9.0;10.0+PTX"}, "glibc": "2.28",
       "index_url": null, "packages": ["demo=={version}"], "source": "test"}},
    {"op": "remove", "path": "/platform_gaps"}])");
  std::string all;
  for (const auto& problem : problems) {
    all += problem.file + " " + problem.pointer + ": " + problem.message + "\n";
  }
  EXPECT_TRUE(problems.empty()) << all;
}

// PyPI serves each platform its own wheel (torch 2.11+: CUDA 13.0 on both), so each platform
// may have its own pypi_default variant; release 0's x86_64 cu121 already is one.
TEST(MatrixV2Fixture, OnePypiDefaultPerPlatform)
{
  const std::string aarch64_default = R"([{"op": "add", "path": "/releases/0/variants/-", "value":
      {"name": "cu121", "platform": "linux-aarch64", "cuda": "12.1.1", "cudnn": "8.9.7.29",
       "sass": ["sm_80", "sm_90"], "ptx": [], "arch_list": {"notation": "torch", "text": "8.0;9.0"},
       "glibc": "2.28", "index_url": null, "packages": ["demo=={version}"], "pypi_default": true,
       "source": "test"}},
    {"op": "remove", "path": "/platform_gaps"}])";
  const auto problems = problems_after_patch("demo.json", aarch64_default);
  std::string all;
  for (const auto& problem : problems) {
    all += problem.file + " " + problem.pointer + ": " + problem.message + "\n";
  }
  EXPECT_TRUE(problems.empty()) << all;
}

TEST(MatrixV2Fixture, TensorflowBareCapabilityListValidates)
{
  const auto problems = problems_after_patch(
    "demo.json",
    R"([{"op": "replace", "path": "/releases/1/variants/1/arch_list/text", "value": "sm_75,sm_80,sm_90,sm_100,12.0"}])");
  EXPECT_TRUE(problems.empty());
}

TEST(MatrixV2Shipped, BazelComputeEntriesAreSassAndPtx)
{
  const auto& m = real_matrix();
  // TF_CUDA_COMPUTE_CAPABILITIES="sm_35,sm_50,sm_60,sm_70,sm_75,compute_80":
  // SASS for 8.0 too.
  const auto& tf = variant_of(m, "tensorflow", "2.13", "cuda");
  EXPECT_EQ(tf.arch_list.notation, ArchNotation::bazel);
  EXPECT_EQ(texts(tf.targets), "sm_35 sm_50 sm_60 sm_70 sm_75 sm_80 compute_80");
  const auto& jax = variant_of(m, "jax", "0.4.34", "cuda12");
  EXPECT_EQ(texts(jax.targets), "sm_50 sm_60 sm_70 sm_80 sm_90 compute_90");
  const auto& torch = variant_of(m, "torch", "2.7", "cu128");
  EXPECT_EQ(torch.arch_list.notation, ArchNotation::torch);
  EXPECT_EQ(torch.arch_list.text, "7.5;8.0;8.6;9.0;10.0;12.0+PTX");
}

TEST(MatrixV2Shipped, GlibcFloorsFollowManylinuxTags)
{
  const auto& m = real_matrix();
  EXPECT_EQ(variant_of(m, "torch", "2.5", "cu124").glibc.text(), "2.17");
  EXPECT_EQ(variant_of(m, "torch", "2.6", "cu124").glibc.text(), "2.17");
  EXPECT_EQ(variant_of(m, "torch", "2.6", "cu126").glibc.text(), "2.28");
  EXPECT_EQ(variant_of(m, "torch", "2.7", "cu118").glibc.text(), "2.28");
  for (const auto& framework : m.frameworks) {
    for (const auto& release : framework.releases) {
      for (const auto& variant : release.variants) {
        EXPECT_EQ(variant.glibc.parts().size(), 2U) << framework.name << " " << variant.name;
      }
    }
  }
}

TEST(MatrixV2Shipped, DriverFloorsBelongToCapabilities)
{
  const auto& m = real_matrix();
  EXPECT_EQ(m.min_driver_for({8, 0})->text(), "450.36.06");
  EXPECT_EQ(m.min_driver_for({8, 6})->text(), "455.23");
  EXPECT_EQ(m.min_driver_for({10, 0})->text(), "570.26");
  EXPECT_EQ(m.min_driver_for({10, 3})->text(), "575.51.03");
  EXPECT_EQ(m.min_driver_for({12, 1})->text(), "575.51.03");
  EXPECT_EQ(m.last_driver_branch_for({6, 1}), 580);
  EXPECT_EQ(m.last_driver_branch_for({7, 0}), 580);
  EXPECT_EQ(m.last_driver_branch_for({5, 2}), 580);
  EXPECT_FALSE(m.last_driver_branch_for({7, 5}).has_value());
  const auto* cuda13 = m.find_cuda(core::Version::parse("13.0.0").value());
  ASSERT_NE(cuda13, nullptr);
  const auto sm88 = core::ArchTarget::parse("sm_88").value();
  EXPECT_NE(std::find(cuda13->targets.begin(), cuda13->targets.end(), sm88), cuda13->targets.end());
  EXPECT_NE(m.architecture_of({8, 8}), nullptr);
}

}  // namespace
}  // namespace envsetup::testing
