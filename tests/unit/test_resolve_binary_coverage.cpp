// SPDX-License-Identifier: Apache-2.0
// resolve/binary_coverage.hpp on the shipped matrix: each rule (plain SASS, arch-specific,
// family, PTX ISA against the driver) changes the answer when it breaks.
#include "matrix_fixture.hpp"

#include <envsetup/resolve/binary_coverage.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace envsetup::testing {
namespace {

using resolve::RunKind;

core::ComputeCapability cc(const char* text)
{
  return core::ComputeCapability::parse(text).value();
}

core::Version v(const char* text)
{
  return core::Version::parse(text).value();
}

// "sm_80", or "compute_90@9.0" for PTX with its ISA.
std::vector<core::CodeTarget> code(std::initializer_list<const char*> texts)
{
  std::vector<core::CodeTarget> out;
  for (const std::string text : texts) {
    const auto at = text.find('@');
    core::CodeTarget entry{core::ArchTarget::parse(text.substr(0, at)).value(), std::nullopt};
    if (at != std::string::npos) {
      entry.ptx_isa = v(text.substr(at + 1).c_str());
    }
    out.push_back(entry);
  }
  return out;
}

resolve::GpuRun run(std::initializer_list<const char*> texts, const char* gpu,
                    std::optional<core::Version> driver_cuda = std::nullopt)
{
  const auto targets = code(texts);
  return resolve::run_on(targets, cc(gpu), driver_cuda, real_matrix());
}

TEST(ResolveBinaryCoverage, PlainSassRunsOnNewerMinorsOfItsMajorOnly)
{
  auto r = run({"sm_80"}, "8.6");
  EXPECT_EQ(r.how, RunKind::sass);
  EXPECT_EQ(r.target, "sm_80");
  EXPECT_EQ(r.gpu, cc("8.6"));
  EXPECT_FALSE(r.driver_can_jit.has_value());
  EXPECT_EQ(run({"sm_80"}, "9.0").how, RunKind::none);
  EXPECT_EQ(run({"sm_80"}, "9.0").target, "");
  EXPECT_EQ(run({"sm_86"}, "8.0").how, RunKind::none);
}

TEST(ResolveBinaryCoverage, ArchSpecificSassOnExactlyItsCapability)
{
  EXPECT_EQ(run({"sm_80", "sm_90a"}, "9.0").target, "sm_90a");
  EXPECT_EQ(run({"sm_90", "sm_90a"}, "9.0").target, "sm_90a");
  EXPECT_EQ(run({"sm_80", "sm_90a"}, "10.0").how, RunKind::none);
  EXPECT_EQ(run({"sm_100a"}, "10.3").how, RunKind::none);
}

TEST(ResolveBinaryCoverage, FamilySassWithinItsFamily)
{
  EXPECT_EQ(run({"sm_100f"}, "10.3").target, "sm_100f");
  EXPECT_EQ(run({"sm_100f"}, "12.0").how, RunKind::none);
  EXPECT_EQ(run({"sm_120f"}, "12.1").target, "sm_120f");
  EXPECT_EQ(run({"sm_121f"}, "12.0").how, RunKind::none);
}

TEST(ResolveBinaryCoverage, PtxJitNeedsADriverThatKnowsItsIsa)
{
  // PTX ISA 9.0 is CUDA 13.0's: a CUDA 12.9 driver cannot JIT it, a 13.0 one can.
  auto r = run({"sm_80", "compute_90@9.0"}, "12.0", v("12.9"));
  EXPECT_EQ(r.how, RunKind::ptx_jit);
  EXPECT_EQ(r.target, "compute_90");
  ASSERT_TRUE(r.ptx_isa && r.jit_needs_cuda);
  EXPECT_EQ(r.ptx_isa->text(), "9.0");
  EXPECT_EQ(r.jit_needs_cuda->text(), "13.0");
  EXPECT_EQ(r.driver_can_jit, std::optional<bool>(false));
  EXPECT_EQ(run({"compute_90@9.0"}, "12.0", v("13.0")).driver_can_jit, std::optional<bool>(true));
  EXPECT_EQ(run({"compute_90@9.0"}, "12.0", v("13.2")).driver_can_jit, std::optional<bool>(true));
  // 8.6 is CUDA 12.7's, which never shipped: the first release that knows it is 12.8.
  EXPECT_EQ(run({"compute_80@8.6"}, "8.9", v("12.6")).driver_can_jit, std::optional<bool>(false));
  EXPECT_EQ(run({"compute_80@8.6"}, "8.9").jit_needs_cuda->text(), "12.8");
  // Unknown driver, unknown ISA: no verdict.
  EXPECT_FALSE(run({"compute_90@9.0"}, "12.0").driver_can_jit.has_value());
  const auto unknown = run({"compute_90"}, "12.0", v("13.0"));
  EXPECT_EQ(unknown.how, RunKind::ptx_jit);
  EXPECT_FALSE(unknown.ptx_isa.has_value());
  EXPECT_FALSE(unknown.jit_needs_cuda.has_value());
  EXPECT_FALSE(unknown.driver_can_jit.has_value());
  // An ISA newer than every release: a driver the matrix knows cannot JIT it; a newer driver may.
  const auto future = run({"compute_90@99.0"}, "12.0", v("13.0"));
  EXPECT_FALSE(future.jit_needs_cuda.has_value());
  EXPECT_EQ(future.driver_can_jit, std::optional<bool>(false));
  EXPECT_FALSE(run({"compute_90@99.0"}, "12.0", v("99.0")).driver_can_jit.has_value());
}

TEST(ResolveBinaryCoverage, PtxSuffixesFollowTheSassRules)
{
  EXPECT_EQ(run({"compute_90a@9.0"}, "9.0").how, RunKind::ptx_jit);
  EXPECT_EQ(run({"compute_90a@9.0"}, "10.0").how, RunKind::none);
  EXPECT_EQ(run({"compute_100f@9.0"}, "10.3").target, "compute_100f");
  EXPECT_EQ(run({"compute_100f@9.0"}, "12.0").how, RunKind::none);
  EXPECT_EQ(run({"compute_100@9.0"}, "12.0").target, "compute_100");
}

TEST(ResolveBinaryCoverage, DriverVersionToCudaFromTable3)
{
  const auto& m = real_matrix();
  EXPECT_EQ(resolve::cuda_for_driver(v("535.104.05"), m)->text(), "12.2");
  EXPECT_EQ(resolve::cuda_for_driver(v("575.57.08"), m)->text(), "12.9");
  EXPECT_EQ(resolve::cuda_for_driver(v("580.95.05"), m)->text(), "13.0");
  EXPECT_FALSE(resolve::cuda_for_driver(v("300.0"), m).has_value());
  // Together: a 575 driver (CUDA 12.9) JITs CUDA 12.9's PTX (8.8), not CUDA 13.0's (9.0).
  const auto driver_cuda = resolve::cuda_for_driver(v("575.57.08"), m);
  EXPECT_EQ(run({"compute_90@8.8"}, "12.0", driver_cuda).driver_can_jit, std::optional<bool>(true));
  EXPECT_EQ(run({"compute_90@9.0"}, "12.0", driver_cuda).driver_can_jit, std::optional<bool>(false));
}

TEST(ResolveBinaryCoverage, ArchListsCompareByTargetIgnoringIsa)
{
  matrix::Variant variant;
  for (const auto& entry : code({"sm_80", "sm_90", "sm_100", "compute_100"})) {
    variant.targets.push_back(entry.target);
  }
  const auto same = code({"compute_100@8.7", "sm_100", "sm_90", "sm_80", "sm_80"});
  EXPECT_TRUE(resolve::compare_arch_lists(variant, same).empty());
  const auto other = code({"sm_80", "sm_90a", "sm_100", "sm_90a", "compute_120@8.7"});
  const auto mismatch = resolve::compare_arch_lists(variant, other);
  auto texts = [](const std::vector<core::ArchTarget>& targets) {
    std::string out;
    for (const auto& target : targets) {
      out += (out.empty() ? "" : " ") + target.text();
    }
    return out;
  };
  EXPECT_EQ(texts(mismatch.only_in_matrix), "sm_90 compute_100");
  EXPECT_EQ(texts(mismatch.only_in_binary), "sm_90a compute_120");
}

TEST(ResolveBinaryCoverage, ShippedVariantsAgreeWithTheirOwnLists)
{
  for (const auto& framework : real_matrix().frameworks) {
    for (const auto& release : framework.releases) {
      for (const auto& variant : release.variants) {
        std::vector<core::CodeTarget> binary;
        for (const auto& target : variant.targets) {
          binary.push_back(core::CodeTarget{target, std::nullopt});
        }
        EXPECT_TRUE(resolve::compare_arch_lists(variant, binary).empty()) << framework.name << " " << variant.name;
      }
    }
  }
}

}  // namespace
}  // namespace envsetup::testing
