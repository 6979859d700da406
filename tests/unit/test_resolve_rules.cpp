// SPDX-License-Identifier: Apache-2.0
// The resolver's contract (docs/resolver.md), rule by rule, on the hand-made matrix of
// tests/data/matrix-minimal whose numbers these tests control.
#include "matrix_fixture.hpp"

#include <envsetup/resolve/resolver.hpp>

#include <gtest/gtest.h>

namespace envsetup::testing {
namespace {

struct RuleCase;
void PrintTo(const RuleCase& c, std::ostream* out);

struct RuleCase {
  std::string name;
  std::string framework;
  std::string driver;  // "" = no driver
  std::vector<std::string> gpus;
  std::string python;
  std::string cuda;
  // Expected: "demo 2.0.0 cu124" style, or "" for no plan.
  std::string chosen;
  // Expected substring of the rejection reason of `rejected` (when set).
  std::string rejected;
  std::string reason;
  // Expected substring of some hint (when set; only for no plan).
  std::string hint;
};

void PrintTo(const RuleCase& c, std::ostream* out)
{
  *out << c.name;
}

class ResolveRules : public ::testing::TestWithParam<RuleCase> {};

TEST_P(ResolveRules, Holds)
{
  const auto& c = GetParam();
  auto resolution = resolve::resolve(minimal_matrix(), host(c.driver, c.gpus),
                                     request(c.framework, c.python, c.cuda));
  ASSERT_TRUE(resolution.ok()) << resolution.error().message;
  EXPECT_EQ(chosen_name(*resolution), c.chosen) << resolution->failure;
  if (!c.rejected.empty()) {
    bool found = false;
    for (const auto& rejection : resolution->rejected) {
      if (rejection.candidate == c.rejected) {
        found = true;
        EXPECT_NE(rejection.reason.find(c.reason), std::string::npos) << rejection.reason;
      }
    }
    EXPECT_TRUE(found) << c.rejected << " is not listed as rejected";
  }
  if (!c.hint.empty()) {
    bool found = false;
    for (const auto& hint : resolution->hints) {
      found = found || hint.find(c.hint) != std::string::npos;
    }
    EXPECT_TRUE(found) << "no hint contains: " << c.hint;
  }
}

// clang-format off
const RuleCase k_rule_cases[] = {
  // SASS sm_a.b runs on a.c with c >= b, same major only.
  {"sass_same_major_higher_minor", "demo", "550.54.15", {"8.6"}, "", "", "demo 2.0.0 cu124", "demo 2.0.0 cu130", "580.65.06", ""},
  {"sass_never_across_majors", "demo==1.0.1", "550.54.15", {"9.0"}, "", "", "demo 1.0.1 cu121", "", "", ""},
  // Arch-specific SASS (sm_90a) runs on exactly its capability: cu124 (sm_80, sm_90a) covers a 9.0 GPU
  // under a driver too old for cu130, but not a 10.0 one.
  {"arch_specific_sass_runs_on_its_capability", "demo==2.0.0", "550.54.15", {"9.0"}, "", "", "demo 2.0.0 cu124", "demo 2.0.0 cu130", "580.65.06", ""},
  {"arch_specific_sass_is_not_portable", "demo==2.0.0", "550.54.15", {"10.0"}, "", "", "", "demo 2.0.0 cu124", "sm_100 (Blackwell) is not covered", ""},
  // All SASS: the driver needs the Table 2 floor of the build's major only.
  {"sass_needs_major_floor_only", "demo==1.0.1", "525.60.13", {"8.0"}, "", "", "demo 1.0.1 cu121", "", "", ""},
  {"below_major_floor_rejected", "demo==1.0.1", "525.60.12", {"7.0"}, "", "", "demo 1.0.1 cu118", "demo 1.0.1 cu121", "525.60.13 (Table 2)", ""},
  // PTX only: the driver needs the Table 3 minimum of the exact CUDA release.
  {"ptx_needs_table3_driver", "demo==1.0.1", "520.61.05", {"9.0"}, "", "", "demo 1.0.1 cu118", "demo 1.0.1 cu121", "525.60.13", ""},
  {"ptx_below_table3_rejected", "demo==1.0.1", "520.61.04", {"9.0"}, "", "", "", "demo 1.0.1 cu118", "PTX JIT of CUDA 11.8.0 needs driver >= 520.61.05", "a driver >= 520.61.05 would allow demo 1.0.1 cu118"},
  {"sass_preferred_over_ptx", "demo==1.0.1", "600.0", {"9.0"}, "", "", "demo 1.0.1 cu121", "demo 1.0.1 cu118", "works too", ""},
  // A GPU covered by neither is rejected naming the GPU and the build's architectures.
  {"uncovered_gpu_named", "demo==1.0.1", "600.0", {"6.1"}, "", "", "demo 1.0.1 cu118", "demo 1.0.1 cu121", "sm_61 (Pascal) is not covered: the build has sm_70, sm_80, sm_90", ""},
  // Every GPU must be covered.
  {"mixed_gpus_all_covered", "demo", "600.0", {"8.0", "12.0"}, "", "", "demo 2.0.0 cu130", "demo 2.0.0 cu124", "sm_120", ""},
  {"mixed_gpus_one_uncovered", "demo==2.0.0", "600.0", {"6.0", "12.0"}, "", "", "", "demo 2.0.0 cu130", "sm_60 (Pascal) is not covered", "GPU sm_60 (Pascal) is covered by demo 1.0.1 cu118"},
  {"mixed_gpus_ptx_for_newest", "demo<2", "600.0", {"6.0", "12.0"}, "", "", "demo 1.0.1 cu118", "demo 1.0.1 cu121", "sm_60 (Pascal) is not covered", ""},
  // The GPU generation's own driver floor.
  {"blackwell_needs_its_driver", "demo==1.0.1", "560.0", {"12.0"}, "", "", "", "demo 1.0.1 cu118", "compute capability 12.0 (Blackwell) needs driver >= 570.26", "570.26"},
  // No driver: refusal that names the driver that would work.
  {"no_driver_names_minimum", "demo", "", {"8.6"}, "", "", "", "demo 2.0.0 cu124", "no NVIDIA driver", "install an NVIDIA driver >= 450.80.02: it would allow demo 1.0.1 cu118"},
  {"no_driver_names_preferred", "demo", "", {"8.6"}, "", "", "", "demo 2.0.0 cu130", "needs >= 580.65.06", "install an NVIDIA driver >= 580.65.06: it would allow demo 2.0.0 cu130"},
  // Python inside the release's range.
  {"python_selects_older_release", "demo", "600.0", {"8.0"}, "3.9", "", "demo 1.0.1 cu121", "demo 2.0.0 cu130", "Python 3.9 is outside", ""},
  {"python_hint_from", "demo<2", "600.0", {"8.0"}, "3.12", "", "", "", "", "Python 3.12 is supported from demo 2.0.0"},
  {"python_hint_in_spec", "demo", "600.0", {"8.0"}, "3.7", "", "", "", "", "no demo release in the matrix supports Python 3.7"},
  // --cuda filters variants.
  {"cuda_pin_major_minor", "demo", "600.0", {"8.0"}, "", "12.4", "demo 2.0.0 cu124", "demo 2.0.0 cu130", "does not match --cuda 12.4", ""},
  {"cuda_pin_major", "demo", "600.0", {"8.0"}, "", "11", "demo 1.0.1 cu118", "", "", ""},
  {"cuda_pin_hint_drop", "demo==2.0.0", "600.0", {"7.5"}, "", "12.4", "", "", "", "drop `--cuda 12.4`"},
  // Version specifiers.
  {"spec_exact_patch", "demo==1.0.0", "600.0", {"8.0"}, "", "", "demo 1.0.0 cu121", "", "", ""},
  {"spec_range_newest_patch", "demo>=1.0,<2", "600.0", {"8.0"}, "", "", "demo 1.0.1 cu121", "", "", ""},
  {"spec_relax_hint", "demo==2.0.0", "600.0", {"6.1"}, "", "", "", "", "", "demo 1.0.1 cu118 works on this host: request `demo==1.0.1`"},
  // Newest release first, then newest CUDA.
  {"newest_cuda_variant_wins", "demo", "600.0", {"8.0"}, "", "", "demo 2.0.0 cu130", "demo 2.0.0 cu124", "newer CUDA", ""},
  // Smallest driver change when only the driver is wrong.
  {"driver_hint_smallest", "demo", "440.0", {"8.0"}, "", "", "", "", "", "a driver >= 450.80.02 would allow demo 1.0.1 cu118"},
  {"old_driver_picks_older_cuda", "demo", "530.30.02", {"8.0"}, "", "", "demo 2.0.0 cu124", "demo 2.0.0 cu130", "580.65.06", ""},
  // A bare toolkit needs the Table 3 driver of its release and nvcc support for the GPU.
  {"toolkit_newest_for_driver", "none", "550.54.15", {"8.6"}, "", "", "CUDA 12.4.1", "CUDA 13.0.2", "Table 3", ""},
  {"toolkit_drops_old_gpu", "none", "600.0", {"6.1"}, "", "", "CUDA 12.4.1", "CUDA 13.0.2", "sm_61 (Pascal) is not covered", ""},
  {"toolkit_pin", "none", "600.0", {"8.6"}, "", "11.8", "CUDA 11.8.0", "", "", ""},
};
// clang-format on

INSTANTIATE_TEST_SUITE_P(Contract, ResolveRules, ::testing::ValuesIn(k_rule_cases),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(ResolveErrors, UnknownFramework)
{
  auto resolution = resolve::resolve(minimal_matrix(), host("600.0", {"8.0"}), request("torch"));
  ASSERT_FALSE(resolution.ok());
  EXPECT_EQ(resolution.error().kind, util::ErrorKind::usage);
  EXPECT_NE(resolution.error().hints.at(0).find("demo"), std::string::npos);
}

TEST(ResolveErrors, UnknownComputeCapability)
{
  auto resolution = resolve::resolve(minimal_matrix(), host("600.0", {"9.9"}), request("demo"));
  ASSERT_FALSE(resolution.ok());
  EXPECT_EQ(resolution.error().message, "unknown GPU compute capability 9.9");
}

TEST(ResolveErrors, CudaPinUnknown)
{
  auto resolution =
    resolve::resolve(minimal_matrix(), host("600.0", {"8.0"}), request("demo", "", "10.1"));
  ASSERT_FALSE(resolution.ok());
  EXPECT_EQ(resolution.error().kind, util::ErrorKind::usage);
}

TEST(ResolveCpu, NeverWithoutFlag)
{
  auto resolution = resolve::resolve(minimal_matrix(), host("", {}), request("demo"));
  ASSERT_TRUE(resolution.ok());
  EXPECT_FALSE(resolution->plan.has_value());
  EXPECT_NE(resolution->hints.at(1).find("--cpu"), std::string::npos);
}

TEST(ResolveCpu, ExplicitFlagGivesCpuBuild)
{
  auto resolution =
    resolve::resolve(minimal_matrix(), host("", {}), request("demo", "3.9", "", true));
  ASSERT_TRUE(resolution.ok());
  ASSERT_TRUE(resolution->plan.has_value());
  EXPECT_EQ(resolution->plan->variant, "cpu");
  EXPECT_EQ(resolution->plan->version->text(), "1.0.1");
  EXPECT_FALSE(resolution->plan->cuda.has_value());
  EXPECT_EQ(resolution->plan->index_url.value(), "https://example.invalid/whl/cpu");
}

TEST(ResolvePlan, CarriesEverythingInstallNeeds)
{
  auto resolution = resolve::resolve(minimal_matrix(), host("550.54.15", {"8.0"}),
                                     request("demo==2.0.0", "3.11"));
  ASSERT_TRUE(resolution.ok());
  const auto& plan = resolution->plan.value();
  EXPECT_EQ(plan.variant, "cu124");
  EXPECT_EQ(plan.cuda->text(), "12.4");
  EXPECT_EQ(plan.cudnn->text(), "9.14.0.64");
  EXPECT_EQ(plan.python->text(), "3.11");
  EXPECT_FALSE(plan.index_url.has_value());
  ASSERT_EQ(plan.packages.size(), 1U);
  EXPECT_EQ(plan.packages[0], "demo[cuda]==2.0.0");
  EXPECT_TRUE(plan.pypi_default);
  EXPECT_EQ(plan.min_driver->text(), "525.60.13");
  ASSERT_EQ(plan.coverage.size(), 1U);
  EXPECT_FALSE(plan.coverage[0].ptx);
  EXPECT_EQ(plan.coverage[0].target, "sm_80");
}

TEST(ResolvePlan, DefaultPythonIsNewestSupported)
{
  auto resolution = resolve::resolve(minimal_matrix(), host("600.0", {"8.0"}), request("demo"));
  ASSERT_TRUE(resolution.ok());
  EXPECT_EQ(resolution->plan->python->text(), "3.13");
}

TEST(ResolvePlan, ToolkitPicksNewestCudnnForGpus)
{
  auto resolution = resolve::resolve(minimal_matrix(), host("600.0", {"6.1"}), request("none"));
  ASSERT_TRUE(resolution.ok());
  // cuDNN 9.14 starts at 7.5, so a Pascal GPU gets 8.9.7.
  EXPECT_EQ(resolution->plan->cudnn->text(), "8.9.7.29");
}

}  // namespace
}  // namespace envsetup::testing
