// SPDX-License-Identifier: Apache-2.0
// The resolver on the shipped matrix (matrix/*.json, compiled in): what a user gets for real
// hosts. Every expected value below was derived by hand from the JSON data and the rules:
//   - SASS sm_a.b runs on a GPU a.c with c >= b (same major; sm_90a-style never counts),
//     PTX compute_XY on any GPU >= X.Y; in TF/JAX (bazel) notation `compute_XY` is SASS sm_XY
//     and PTX compute_XY, so those builds run SASS on every GPU of major X from X.Y up;
//   - an all-SASS build needs its CUDA major's floor (Table 2: 11.x 450.80.02,
//     12.x 525.60.13, 13.x 580.65.06), a PTX-covered GPU the exact release's Table 3 driver
//     (an `X.Y` variant: the oldest X.Y release), a bare toolkit its own Table 3 driver;
//   - every GPU's compute capability has its own floor (gpus.json, per capability: 8.0
//     450.36.06, 8.6 455.23, 8.9/9.0 520.61.05, 12.0 570.26);
//   - Maxwell, Pascal and Volta are supported up to the R580 driver branch;
//   - a bare toolkit needs NVIDIA's redistributable archives (CUDA 11.4.2 and later);
//   - preference: newest framework release, then SASS over PTX, then newest CUDA.
#include "matrix_fixture.hpp"

#include <envsetup/resolve/resolver.hpp>

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

namespace envsetup::testing {
namespace {

struct ExpectedRejection {
  std::string candidate;  // "torch 2.5.1 cu121"
  std::string reason;     // substring of its rejection reason
};

struct RealCase;
void PrintTo(const RealCase& c, std::ostream* out);

struct RealCase {
  std::string name;
  std::string framework;  // "torch==2.5.1", "tensorflow", "jax>=0.7", "none"
  std::string driver;     // "" = no driver
  std::vector<std::string> gpus;
  std::string python;
  std::string cuda;
  // Expected: "torch 2.5.1 cu124" / "CUDA 12.4.1", or "" for no plan.
  std::string chosen;
  // Each must be listed in `rejected` with a reason containing the substring.
  std::vector<ExpectedRejection> rejected;
  // Each must be a substring of some hint.
  std::vector<std::string> hints;
};

void PrintTo(const RealCase& c, std::ostream* out)
{
  *out << c.name;
}

class ResolveRealMatrix : public ::testing::TestWithParam<RealCase> {};

TEST_P(ResolveRealMatrix, Holds)
{
  const auto& c = GetParam();
  auto resolution = resolve::resolve(real_matrix(), host(c.driver, c.gpus), request(c.framework, c.python, c.cuda));
  ASSERT_TRUE(resolution.ok()) << resolution.error().message;
  EXPECT_EQ(chosen_name(*resolution), c.chosen) << resolution->failure;
  for (const auto& expected : c.rejected) {
    bool found = false;
    for (const auto& rejection : resolution->rejected) {
      if (rejection.candidate == expected.candidate) {
        found = true;
        EXPECT_NE(rejection.reason.find(expected.reason), std::string::npos)
          << expected.candidate << ": " << rejection.reason;
      }
    }
    EXPECT_TRUE(found) << expected.candidate << " is not listed as rejected";
  }
  for (const auto& expected : c.hints) {
    bool found = false;
    for (const auto& hint : resolution->hints) {
      found = found || hint.find(expected) != std::string::npos;
    }
    std::string all;
    for (const auto& hint : resolution->hints) {
      all += "\n  " + hint;
    }
    EXPECT_TRUE(found) << "no hint contains: " << expected << "\nhints:" << all;
  }
}

// clang-format off
const RealCase k_real_cases[] = {
  // ---------------------------------------------------------------- torch
  // 2.5 cu124 (12.4.1) has sm_86, which runs on 8.9; all SASS -> 12.x floor 525.60.13.
  {"torch_2_5_1_ada_550_cu124", "torch==2.5.1", "550.54.15", {"8.9"}, "", "", "torch 2.5.1 cu124",
   {{"torch 2.5.1 cu121", "works too, but torch 2.5.1 cu124 is preferred (newer CUDA)"}}, {}},
  // Minor-version compatibility: 12.4.1's Table 3 driver is 550.54.15, but SASS needs only 525.60.13.
  {"torch_2_5_1_at_12x_floor", "torch==2.5.1", "525.60.13", {"8.0"}, "", "", "torch 2.5.1 cu124", {}, {}},
  {"torch_2_5_1_below_12x_floor", "torch==2.5.1", "525.60.12", {"8.0"}, "", "", "torch 2.5.1 cu118",
   {{"torch 2.5.1 cu124", "driver 525.60.12 is too old: CUDA 12.x minor-version compatibility needs driver >= 525.60.13 (Table 2)"}}, {}},
  // Newest torch (2.14): cu132/cu130 need the 13.x floor, cu126 the 12.x floor.
  {"torch_latest_ada_550_cu126", "torch", "550.54.15", {"8.9"}, "", "", "torch 2.14.0 cu126",
   {{"torch 2.14.0 cu132", "driver 550.54.15 is too old: CUDA 13.x minor-version compatibility needs driver >= 580.65.06 (Table 2)"}}, {}},
  {"torch_2_12_driver_535_cu12x_not_cu13x", "torch==2.12.1", "535.104.05", {"8.6"}, "", "", "torch 2.12.1 cu126",
   {{"torch 2.12.1 cu130", "CUDA 13.x minor-version compatibility needs driver >= 580.65.06 (Table 2)"}}, {}},
  // 470.x: no 12.x build; the newest release with a cu11x build is 2.7 (cu118).
  {"torch_driver_470_cu118", "torch", "470.82.01", {"8.6"}, "", "", "torch 2.7.1 cu118",
   {{"torch 2.7.1 cu126", "driver 470.82.01 is too old: CUDA 12.x minor-version compatibility needs driver >= 525.60.13 (Table 2)"}}, {}},
  // Hopper.
  {"torch_latest_hopper_580_cu132", "torch", "580.95.05", {"9.0"}, "", "", "torch 2.14.0 cu132",
   {{"torch 2.14.0 cu130", "works too, but torch 2.14.0 cu132 is preferred (newer CUDA)"}}, {}},
  {"torch_2_0_1_hopper_needs_cu118", "torch==2.0.1", "525.60.13", {"9.0"}, "", "", "torch 2.0.1 cu118",
   {{"torch 2.0.1 cu117", "GPU sm_90 (Hopper) is not covered: the build has sm_37, sm_50, sm_60, sm_70, sm_75, sm_80, sm_86"}}, {}},
  {"torch_1_13_1_hopper_refused", "torch==1.13.1", "550.54.15", {"9.0"}, "", "", "",
   {{"torch 1.13.1 cu117", "GPU sm_90 (Hopper) is not covered"}},
   {"GPU sm_90 (Hopper) is covered by builds outside the request, newest torch 2.14.0 cu132, oldest torch 2.0.1 cu118",
    "torch 2.14.0 cu126 works on this host: request `torch==2.14.0` instead of `torch==1.13.1`"}},
  // Old GPUs on releases that dropped them.
  {"torch_maxwell_latest_cu126", "torch", "550.54.15", {"5.2"}, "", "", "torch 2.14.0 cu126",
   {{"torch 2.14.0 cu132", "GPU sm_52 (Maxwell) is not covered: the build has sm_75, sm_80, sm_86, sm_90, sm_100, sm_120, compute_120"}}, {}},
  {"torch_2_11_pascal_cu126", "torch==2.11.0", "575.57.08", {"6.1"}, "", "", "torch 2.11.0 cu126",
   {{"torch 2.11.0 cu128", "GPU sm_61 (Pascal) is not covered"}}, {}},
  {"torch_2_11_cu128_dropped_volta", "torch==2.11.0", "575.57.08", {"7.0"}, "", "", "torch 2.11.0 cu126",
   {{"torch 2.11.0 cu128", "GPU sm_70 (Volta) is not covered: the build has sm_75, sm_80, sm_86, sm_90, sm_100, sm_120"}}, {}},
  {"torch_2_10_cu128_keeps_volta", "torch==2.10.0", "575.57.08", {"7.0"}, "", "", "torch 2.10.0 cu128",
   {{"torch 2.10.0 cu130", "GPU sm_70 (Volta) is not covered"}}, {}},
  // Kepler runs drivers up to R470 (its last branch): 470.256.02 is the newest it can have.
  // torch 2.4-2.7 cu118 still build sm_37 but ship cuDNN 9.1, which starts at 5.0: conv layers
  // would fail, so 2.3.1 (cuDNN 8.7, before the matrix's cuDNN list) is the newest that works.
  {"torch_kepler_latest_cu118", "torch", "470.256.02", {"3.7"}, "", "", "torch 2.3.1 cu118",
   {{"torch 2.7.1 cu126", "GPU sm_37 (Kepler) is not covered"},
    {"torch 2.7.1 cu118", "its cuDNN 9.1.0.70 supports compute capability 5.0-9.0, not sm_37"}}, {}},
  {"torch_kepler_after_2_8_refused", "torch>=2.8", "470.256.02", {"3.7"}, "", "", "",
   {{"torch 2.8.0 cu126", "GPU sm_37 (Kepler) is not covered"}},
   {"GPU sm_37 (Kepler) is covered by builds outside the request, newest torch 2.7.1 cu118, oldest torch 1.12.1 cu102",
    "torch 2.3.1 cu118 works on this host: request `torch==2.3.1` instead of `torch>=2.8`"}},
  // CUDA 10.x has no minor-version compatibility: cu102 needs its Table 3 driver 440.33.
  {"torch_1_12_1_kepler_cu102_table3", "torch==1.12.1", "440.33", {"3.7"}, "", "", "torch 1.12.1 cu102",
   {{"torch 1.12.1 cu116", "driver 440.33 is too old: CUDA 11.x minor-version compatibility needs driver >= 450.80.02 (Table 2)"}}, {}},
  // Blackwell 12.0: sm_120 arrives with 2.7 cu128; 12.x builds need 570.26 on Blackwell.
  {"torch_2_6_blackwell_refused", "torch==2.6.0", "570.124.06", {"12.0"}, "", "", "",
   {{"torch 2.6.0 cu126", "GPU sm_120 (Blackwell) is not covered: the build has sm_50, sm_60, sm_70, sm_75, sm_80, sm_86, sm_90"}},
   {"GPU sm_120 (Blackwell) is covered by builds outside the request, newest torch 2.14.0 cu132, oldest torch 2.7.1 cu128",
    "torch 2.11.0 cu128 works on this host: request `torch==2.11.0` instead of `torch==2.6.0`"}},
  {"torch_blackwell_570_cu128", "torch", "570.124.06", {"12.0"}, "", "", "torch 2.11.0 cu128",
   {{"torch 2.14.0 cu126", "GPU sm_120 (Blackwell) is not covered"},
    {"torch 2.14.0 cu132", "CUDA 13.x minor-version compatibility needs driver >= 580.65.06 (Table 2)"}}, {}},
  {"torch_blackwell_driver_below_570_26", "torch", "565.57.01", {"12.0"}, "", "", "",
   {{"torch 2.11.0 cu128", "driver 565.57.01 is too old: compute capability 12.0 (Blackwell) needs driver >= 570.26"}},
   {"a driver >= 570.26 would allow torch 2.11.0 cu128 (compute capability 12.0 (Blackwell) needs driver >= 570.26",
    "a driver >= 580.65.06 would allow torch 2.14.0 cu132"}},
  // Mixed hosts: one build must cover every GPU.
  {"torch_mixed_volta_hopper", "torch", "580.95.05", {"7.0", "9.0"}, "", "", "torch 2.14.0 cu126",
   {{"torch 2.14.0 cu132", "GPU sm_70 (Volta) is not covered"}}, {}},
  {"torch_mixed_pascal_ada", "torch", "550.54.15", {"6.1", "8.9"}, "", "", "torch 2.14.0 cu126",
   {{"torch 2.14.0 cu130", "GPU sm_61 (Pascal) is not covered"}}, {}},
  {"torch_mixed_pascal_blackwell_refused", "torch", "580.95.05", {"6.1", "12.0"}, "", "", "",
   {{"torch 2.14.0 cu126", "GPU sm_120 (Blackwell) is not covered"},
    {"torch 2.14.0 cu132", "GPU sm_61 (Pascal) is not covered"},
    {"torch 2.7.1 cu128", "GPU sm_61 (Pascal) is not covered"}}, {}},
  // Python.
  {"torch_python_3_9_picks_2_8", "torch", "550.54.15", {"8.6"}, "3.9", "", "torch 2.8.0 cu129",
   {{"torch 2.9.1 cu128", "Python 3.9 is outside the supported 3.10-3.14"}}, {}},
  {"torch_1_13_python_3_12_refused", "torch==1.13.1", "550.54.15", {"8.6"}, "3.12", "", "",
   {{"torch 1.13.1 cu117", "Python 3.12 is outside the supported 3.7-3.10"}},
   {"use Python 3.10 (`--python 3.10`): torch 1.13.1 cu117 supports Python 3.7-3.10",
    "torch 2.14.0 cu126 works on this host: request `torch==2.14.0` instead of `torch==1.13.1`",
    // cp312 wheels were published from 2.2 on (experimental there): 2.2 counts.
    "Python 3.12 is supported from torch 2.2"}},
  // --cuda pins.
  {"torch_cuda_pin_11_8", "torch", "550.54.15", {"8.6"}, "", "11.8", "torch 2.7.1 cu118",
   {{"torch 2.7.1 cu126", "CUDA 12.6.3 does not match --cuda 11.8"}}, {}},
  {"torch_2_14_cuda_pin_11_8_refused", "torch==2.14.0", "550.54.15", {"8.6"}, "", "11.8", "",
   {{"torch 2.14.0 cu126", "does not match --cuda 11.8"}},
   {"drop `--cuda 11.8`: torch 2.14.0 cu126 works on this host",
    "torch 2.7.1 cu118 works on this host: request `torch==2.7.1` instead of `torch==2.14.0`"}},
  {"torch_cuda_pin_12_8", "torch", "575.57.08", {"8.9"}, "", "12.8", "torch 2.11.0 cu128",
   {{"torch 2.12.1 cu126", "CUDA 12.6.3 does not match --cuda 12.8"}}, {}},
  // Driver problems.
  {"torch_no_driver", "torch", "", {"8.6"}, "", "", "",
   {{"torch 2.14.0 cu132", "no NVIDIA driver is installed; this build needs >= 580.65.06"}},
   // cu118 needs the 11.x floor 450.80.02, but sm_86 itself needs 455.23 (CUDA 11.1).
   {"install an NVIDIA driver >= 455.23: it would allow torch 2.7.1 cu118",
    "install an NVIDIA driver >= 580.65.06: it would allow torch 2.14.0 cu132"}},
  {"torch_2_9_1_driver_520_refused", "torch==2.9.1", "520.61.05", {"8.6"}, "", "", "",
   {{"torch 2.9.1 cu126", "needs driver >= 525.60.13 (Table 2)"}},
   {"a driver >= 525.60.13 would allow torch 2.9.1 cu128 (CUDA 12.x minor-version compatibility needs driver >= 525.60.13 (Table 2))",
    "a driver >= 580.65.06 would allow torch 2.9.1 cu130",
    "torch 2.7.1 cu118 works on this host: request `torch==2.7.1` instead of `torch==2.9.1`"}},

  // ----------------------------------------------------------- tensorflow
  {"tf_latest_ampere", "tensorflow", "550.54.15", {"8.6"}, "", "", "tensorflow 2.21.0 and-cuda", {}, {}},
  // 2.13 (before 2.14): system toolkit; compute_80 PTX on 8.6 -> Table 3 of 11.8.0 = 520.61.05.
  {"tf_2_13_1_system_toolkit_ptx", "tensorflow==2.13.1", "525.60.13", {"8.6"}, "", "", "tensorflow 2.13.1 cuda", {}, {}},
  // 2.14's list ends in compute_80 (SASS sm_80 + PTX): 8.6 runs SASS, Hopper only the PTX,
  // which needs 11.8.0's Table 3 driver 520.61.05.
  {"tf_2_14_1_and_cuda_ptx_at_table3", "tensorflow==2.14.1", "520.61.05", {"9.0"}, "", "", "tensorflow 2.14.1 and-cuda", {}, {}},
  // No older TF works either: every one reaches Hopper only through compute_80 PTX.
  {"tf_2_14_1_ptx_below_table3_refused", "tensorflow==2.14.1", "515.65.01", {"9.0"}, "", "", "",
   {{"tensorflow 2.14.1 and-cuda", "needs driver >= 520.61.05 (Table 3)"},
    {"tensorflow 2.14.1 and-cuda", "PTX JIT of CUDA 11.8"}},
   {"a driver >= 520.61.05 would allow tensorflow 2.14.1 and-cuda"}},
  // The same host and request on 8.6: SASS sm_80, so only the 11.x floor and 8.6's 455.23.
  {"tf_2_14_1_ampere_sass_below_table3", "tensorflow==2.14.1", "515.65.01", {"8.6"}, "", "", "tensorflow 2.14.1 and-cuda", {}, {}},
  {"tf_driver_520_picks_2_14", "tensorflow", "520.61.05", {"8.6"}, "", "", "tensorflow 2.14.1 and-cuda",
   // 2.15 runs SASS sm_80 on 8.6: the 12.x floor, not 12.2's Table 3 driver, stops it.
   {{"tensorflow 2.15.1 and-cuda", "needs driver >= 525.60.13 (Table 2)"},
    {"tensorflow 2.16.2 and-cuda", "needs driver >= 525.60.13 (Table 2)"}}, {}},
  // From 2.16 the list has compute_90 (SASS sm_90): Hopper needs only the 12.x floor. Before,
  // Hopper runs compute_80 PTX: 2.15 (12.2) needs 535.54.03, 2.14 (11.8) 520.61.05.
  {"tf_hopper_530_newest_sass", "tensorflow", "530.30.02", {"9.0"}, "", "", "tensorflow 2.21.0 and-cuda", {}, {}},
  {"tf_hopper_530_before_2_16_picks_2_14", "tensorflow<2.16", "530.30.02", {"9.0"}, "", "", "tensorflow 2.14.1 and-cuda",
   {{"tensorflow 2.15.1 and-cuda", "PTX JIT of CUDA 12.2.0 needs driver >= 535.54.03 (Table 3)"}}, {}},
  {"tf_maxwell_2_17", "tensorflow", "550.54.15", {"5.2"}, "", "", "tensorflow 2.17.1 and-cuda",
   {{"tensorflow 2.21.0 and-cuda", "GPU sm_52 (Maxwell) is not covered: the build has sm_60, sm_70, sm_80, sm_89, sm_90, compute_90"}}, {}},
  {"tf_kepler_2_14", "tensorflow", "470.82.01", {"3.7"}, "", "", "tensorflow 2.14.1 and-cuda",
   {{"tensorflow 2.15.1 and-cuda", "GPU sm_37 (Kepler) is not covered"}}, {}},
  {"tf_mixed_pascal_ada", "tensorflow", "550.54.15", {"6.1", "8.9"}, "", "", "tensorflow 2.21.0 and-cuda", {}, {}},
  {"tf_2_12_python_3_12_refused", "tensorflow==2.12.1", "550.54.15", {"8.6"}, "3.12", "", "",
   {{"tensorflow 2.12.1 cuda", "Python 3.12 is outside the supported 3.8-3.11"}},
   {"use Python 3.11 (`--python 3.11`): tensorflow 2.12.1 cuda supports Python 3.8-3.11",
    "tensorflow 2.21.0 and-cuda works on this host: request `tensorflow==2.21.0` instead of `tensorflow==2.12.1`",
    "Python 3.12 is supported from tensorflow 2.16"}},
  {"tf_cuda_pin_11_2", "tensorflow", "550.54.15", {"8.6"}, "", "11.2", "tensorflow 2.11.1 cuda",
   {{"tensorflow 2.21.0 and-cuda", "does not match --cuda 11.2"}}, {}},
  {"tf_cuda_pin_11_8", "tensorflow", "550.54.15", {"8.6"}, "", "11.8", "tensorflow 2.14.1 and-cuda",
   {{"tensorflow 2.15.1 and-cuda", "does not match --cuda 11.8"}}, {}},
  {"tf_cuda_pin_12_3_hopper", "tensorflow", "550.54.15", {"9.0"}, "", "12.3", "tensorflow 2.17.1 and-cuda", {}, {}},
  // A variant built for "the 11.2 toolkits" matches a pin on an 11.2 patch release.
  {"tf_cuda_pin_patch_11_2_2", "tensorflow==2.11.1", "550.54.15", {"8.6"}, "", "11.2.2", "tensorflow 2.11.1 cuda", {}, {}},
  // 2.10's compute_80 is SASS sm_80 too: 8.0 needs only the 11.x floor, not 11.2's Table 3
  // driver 460.27.03. Only GPUs above Ampere run its PTX, and their own floors are higher.
  {"tf_2_10_1_ampere_sass_at_11x_floor", "tensorflow==2.10.1", "450.80.02", {"8.0"}, "", "", "tensorflow 2.10.1 cuda", {}, {}},
  {"tf_2_10_1_hopper_ptx_needs_hopper_floor", "tensorflow==2.10.1", "460.27.03", {"9.0"}, "", "", "",
   {{"tensorflow 2.10.1 cuda", "compute capability 9.0 (Hopper) needs driver >= 520.61.05"}},
   {"a driver >= 520.61.05 would allow tensorflow 2.10.1 cuda"}},
  {"tf_no_driver", "tensorflow", "", {"8.9"}, "", "", "",
   {{"tensorflow 2.21.0 and-cuda", "no NVIDIA driver is installed; this build needs >= 525.60.13"}},
   {"install an NVIDIA driver >= 520.61.05: it would allow tensorflow 2.14.1 and-cuda",
    "install an NVIDIA driver >= 525.60.13: it would allow tensorflow 2.21.0 and-cuda"}},

  // ------------------------------------------------------------------ jax
  {"jax_latest_ada_580_cuda13", "jax", "580.95.05", {"8.9"}, "", "", "jax 0.11.0 cuda13",
   {{"jax 0.11.0 cuda12", "works too, but jax 0.11.0 cuda13 is preferred (newer CUDA)"}}, {}},
  {"jax_driver_575_cuda12", "jax", "575.57.08", {"8.9"}, "", "", "jax 0.11.0 cuda12",
   {{"jax 0.11.0 cuda13", "driver 575.57.08 is too old: CUDA 13.x minor-version compatibility needs driver >= 580.65.06 (Table 2)"}}, {}},
  {"jax_cuda_pin_12", "jax", "580.95.05", {"8.6"}, "", "12", "jax 0.11.0 cuda12",
   {{"jax 0.11.0 cuda13", "CUDA 13.0.0 does not match --cuda 12"}}, {}},
  {"jax_cuda_pin_13", "jax", "580.95.05", {"8.6"}, "", "13", "jax 0.11.0 cuda13",
   {{"jax 0.11.0 cuda12", "CUDA 12.9.1 does not match --cuda 13"}}, {}},
  {"jax_cuda_pin_13_pascal_refused", "jax", "580.95.05", {"6.1"}, "", "13", "",
   {{"jax 0.11.0 cuda13", "GPU sm_61 (Pascal) is not covered: the build has sm_75, sm_80, sm_90, sm_100, sm_110, sm_120, compute_120"}},
   {"drop `--cuda 13`: jax 0.11.0 cuda12 works on this host"}},
  {"jax_python_3_9_picks_0_4_30", "jax", "550.54.15", {"8.6"}, "3.9", "", "jax 0.4.30 cuda12",
   {{"jax 0.11.0 cuda12", "Python 3.9 is outside the supported 3.12-3.14"}}, {}},
  {"jax_recent_python_3_9_refused", "jax>=0.7", "580.95.05", {"8.6"}, "3.9", "", "",
   {{"jax 0.7.0 cuda12", "Python 3.9 is outside the supported 3.11-3.13"}},
   {"use Python 3.12 (`--python 3.12`): jax 0.11.0 cuda13 supports Python 3.12-3.14",
    "jax 0.4.30 cuda12 works on this host: request `jax==0.4.30` instead of `jax>=0.7`",
    "Python 3.9 is supported up to jax 0.4.30"}},
  // 0.4.34 series: compute_90 is SASS sm_90 too, so Hopper needs only the 12.x floor (not
  // 12.3.2's Table 3 545.23.08). Blackwell runs its PTX; 12.0's own floor 570.26 is higher.
  {"jax_0_5_3_hopper_sass_at_12x_floor", "jax==0.5.3", "525.60.13", {"9.0"}, "", "", "jax 0.5.3 cuda12", {}, {}},
  {"jax_0_5_3_blackwell_ptx_below_floor", "jax==0.5.3", "565.57.01", {"12.0"}, "", "", "",
   {{"jax 0.5.3 cuda12", "compute capability 12.0 (Blackwell) needs driver >= 570.26"}},
   {"a driver >= 570.26 would allow jax 0.5.3 cuda12"}},
  {"jax_0_5_3_blackwell_via_ptx", "jax==0.5.3", "570.124.06", {"12.0"}, "", "", "jax 0.5.3 cuda12", {}, {}},
  {"jax_mixed_pascal_blackwell", "jax", "580.95.05", {"6.1", "12.0"}, "", "", "jax 0.11.0 cuda12",
   {{"jax 0.11.0 cuda13", "GPU sm_61 (Pascal) is not covered"}}, {}},
  // compute_120 is SASS sm_120: both GPUs run SASS, so 12.9.1's Table 3 575.57.08 is not
  // needed; Blackwell's own floor 570.26 is.
  {"jax_mixed_pascal_blackwell_570_26", "jax", "570.26", {"6.1", "12.0"}, "", "", "jax 0.11.0 cuda12",
   {{"jax 0.11.0 cuda13", "GPU sm_61 (Pascal) is not covered"}}, {}},
  {"jax_mixed_pascal_blackwell_below_570_26", "jax", "565.57.01", {"6.1", "12.0"}, "", "", "",
   {{"jax 0.11.0 cuda12", "compute capability 12.0 (Blackwell) needs driver >= 570.26"}}, {}},
  {"jax_thor_11_0_cuda13", "jax", "595.71.05", {"11.0"}, "", "", "jax 0.11.0 cuda13",
   {{"jax 0.11.0 cuda12", "GPU sm_110 (Blackwell) is not covered"}}, {}},
  {"jax_0_10_1_thor_refused", "jax==0.10.1", "595.71.05", {"11.0"}, "", "", "",
   {{"jax 0.10.1 cuda13", "GPU sm_110 (Blackwell) is not covered"}},
   // 0.4.26 .. 0.5.3 carry compute_90 PTX, which runs on 11.0; 0.6 .. 0.10.1 only compute_120.
   {"GPU sm_110 (Blackwell) is covered by builds outside the request, newest jax 0.11.0 cuda13, oldest jax 0.4.28 cuda12",
    "jax 0.11.0 cuda13 works on this host: request `jax==0.11.0` instead of `jax==0.10.1`"}},
  {"jax_no_driver", "jax", "", {"8.6"}, "", "", "",
   {{"jax 0.11.0 cuda12", "no NVIDIA driver is installed; this build needs >= 525.60.13"}},
   {"install an NVIDIA driver >= 525.60.13: it would allow jax 0.11.0 cuda12",
    "install an NVIDIA driver >= 580.65.06: it would allow jax 0.11.0 cuda13"}},

  // ------------------------------------------------------- none (toolkit)
  {"none_ada_550_cuda_12_4_1", "none", "550.54.15", {"8.9"}, "", "", "CUDA 12.4.1",
   {{"CUDA 12.5.1", "driver 550.54.15 is too old: CUDA 12.5.1 needs driver >= 555.42.06 (Table 3)"}}, {}},
  {"none_driver_535_cuda_12_2_2", "none", "535.104.05", {"8.6"}, "", "", "CUDA 12.2.2", {}, {}},
  // R580 is Pascal's last driver branch.
  {"none_pascal_newest_12x", "none", "580.95.05", {"6.1"}, "", "", "CUDA 12.9.2",
   {{"CUDA 13.2.2", "GPU sm_61 (Pascal) is not covered"}}, {}},
  {"none_kepler_470", "none", "470.82.01", {"3.7"}, "", "", "CUDA 11.4.4",
   {{"CUDA 11.5.2", "needs driver >= 495.29.05 (Table 3)"},
    {"CUDA 12.9.2", "GPU sm_37 (Kepler) is not covered"}}, {}},
  // 12.8.1's Table 3 driver is 570.124.06 and it has sm_120: the newest toolkit this host runs.
  {"none_blackwell_570_124_cuda_12_8_1", "none", "570.124.06", {"12.0"}, "", "", "CUDA 12.8.1", {}, {}},
  // 525.60.13 is 12.0.0's Table 3 driver (12.0.1 needs 525.85.12).
  {"none_hopper_525_60_13_cuda_12_0_0", "none", "525.60.13", {"9.0"}, "", "", "CUDA 12.0.0", {}, {}},
  {"none_blackwell_pin_12_8_1", "none", "570.124.06", {"12.0"}, "", "12.8.1", "CUDA 12.8.1", {}, {}},
  {"none_cuda_pin_11_8", "none", "550.54.15", {"8.6"}, "", "11.8", "CUDA 11.8.0", {}, {}},
  {"none_no_driver", "none", "", {"8.6"}, "", "", "",
   {{"CUDA 13.2.2", "no NVIDIA driver is installed; this build needs >= 595.71.05"},
    {"CUDA 11.2.2", "CUDA 11.2.2 has no redistributable archives; envsetup installs 11.4.2 and later"}},
   // The smallest driver: that of the oldest release with redistributable archives (11.4.2).
   {"install an NVIDIA driver >= 470.57.02: it would allow CUDA 11.4.2",
    // The newest toolkit, 13.4.2: cuda.json gives 616.00 (marked unverified there).
    "install an NVIDIA driver >= 616.00: it would allow CUDA 13.4.2"}},
  {"none_blackwell_driver_below_570_26", "none", "565.57.01", {"12.0"}, "", "", "",
   {{"CUDA 12.9.2", "needs driver >= 575.57.08 (Table 3)"}},
   {"a driver >= 570.26 would allow CUDA 12.",
    "a driver >= 616.00 would allow CUDA 13.4.2"}},
};
// clang-format on

INSTANTIATE_TEST_SUITE_P(Real, ResolveRealMatrix, ::testing::ValuesIn(k_real_cases),
                         [](const auto& test_info) { return test_info.param.name; });

}  // namespace
}  // namespace envsetup::testing
