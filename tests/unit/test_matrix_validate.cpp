// SPDX-License-Identifier: Apache-2.0
// `matrix validate`: the shipped matrix is valid, and each deliberately broken
// copy of the fixture matrix is reported with the right file, JSON pointer and
// message.
#include "matrix_fixture.hpp"

#include <envsetup/matrix/load.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <optional>

namespace envsetup::testing {
namespace {

struct BrokenCase {
  std::string name;
  std::string file;   // which fixture file to break
  std::string patch;  // RFC 6902 JSON patch applied to it, or raw replacement
                      // text if it does not start with `[{`
  std::string expected_pointer;
  std::string expected_message;  // substring
};

void PrintTo(const BrokenCase& c, std::ostream* out)
{
  *out << c.name;
}

class BrokenMatrix : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(BrokenMatrix, IsReportedPrecisely)
{
  const auto& c = GetParam();
  const auto problems = problems_after_patch(c.file, c.patch);
  ASSERT_FALSE(problems.empty()) << "the broken matrix passed validation";
  const std::string file = c.file.ends_with(".missing") ? c.file.substr(0, c.file.size() - 8) : c.file;
  bool found = false;
  std::string all;
  for (const auto& problem : problems) {
    all += problem.file + " " + problem.pointer + ": " + problem.message + "\n";
    found = found || (problem.file == file && problem.pointer == c.expected_pointer &&
                      problem.message.find(c.expected_message) != std::string::npos);
  }
  EXPECT_TRUE(found) << "expected " << file << " " << c.expected_pointer << ": " << c.expected_message << "\nbut got:\n"
                     << all;
}

// clang-format off
const BrokenCase k_broken_cases[] = {
  {"not_json", "cuda.json", "{\"schema_version\": 2, \"majors\": [", "/", "not valid JSON"},
  {"missing_file", "gpus.json.missing", "", "/", "the file is missing"},
  {"unknown_schema_version", "cudnn.json", R"([{"op": "replace", "path": "/schema_version", "value": 3}])", "/schema_version", "unsupported schema_version 3"},
  {"schema_version_1_retired", "demo.json", R"([{"op": "replace", "path": "/schema_version", "value": 1}])", "/schema_version", "schema_version 1 is retired"},
  {"schema_version_1_points_at_docs", "gpus.json", R"([{"op": "replace", "path": "/schema_version", "value": 1}])", "/schema_version", "see docs/matrix-format.md"},
  {"unknown_field_typo", "demo.json", R"([{"op": "add", "path": "/releases/0/pyhton", "value": {}}])", "/releases/0/pyhton", "unknown field `pyhton`"},
  {"missing_source", "cuda.json", R"([{"op": "remove", "path": "/releases/2/source"}])", "/releases/2/source", "missing required field `source`"},
  {"unparsable_driver", "cuda.json", R"([{"op": "replace", "path": "/releases/1/min_driver", "value": "530.30.x"}])", "/releases/1/min_driver", "invalid version `530.30.x`"},
  {"variant_names_unknown_cuda", "demo.json", R"([{"op": "replace", "path": "/releases/1/variants/1/cuda", "value": "13.1.0"}])", "/releases/1/variants/1/cuda", "CUDA 13.1.0 is not a release in cuda.json"},
  {"duplicate_cuda_release", "cuda.json", R"([{"op": "replace", "path": "/releases/3/version", "value": "12.4.0"}])", "/releases/3/version", "CUDA 12.4.0 is listed twice"},
  {"duplicate_framework_version", "demo.json", R"([{"op": "add", "path": "/releases/1/versions/-", "value": "1.0.1"}])", "/releases/1/versions/1", "demo 1.0.1 is listed twice"},
  {"bad_arch_target", "demo.json", R"([{"op": "add", "path": "/releases/0/variants/0/sass/-", "value": "sm86"}])", "/releases/0/variants/0/sass/3", "invalid architecture target `sm86`"},
  {"target_of_unknown_gpu", "cuda.json", R"([{"op": "add", "path": "/releases/0/targets/-", "value": "sm_99"}])", "/releases/0/targets/8", "compute capability 9.9, which no architecture"},
  {"variant_target_of_unknown_gpu", "demo.json", R"([{"op": "add", "path": "/releases/0/variants/1/sass/-", "value": "sm_99"}, {"op": "replace", "path": "/releases/0/variants/1/arch_list/text", "value": "7.0 8.0 9.0 9.9"}])", "/releases/0/variants/1/sass/3", "compute capability 9.9, which no architecture"},
  // The v1 key is refused with the file, the entry's pointer, the variant and the conversion.
  {"old_targets_key_names_variant", "demo.json", R"([{"op": "add", "path": "/releases/0/variants/1/targets", "value": ["sm_70", "compute_80"]}])", "/releases/0/variants/1/targets", "variant `cu121` uses the retired key `targets`"},
  {"old_targets_key_says_how", "demo.json", R"([{"op": "add", "path": "/releases/0/variants/1/targets", "value": ["sm_70"]}])", "/releases/0/variants/1/targets", "compute_XY in TensorFlow/JAX flags means SASS and PTX; write sass/ptx/arch_list (docs/matrix-format.md)"},
  // arch_list, read in its notation, must equal sass/ptx.
  {"torch_without_ptx_suffix_mismatch", "demo.json", R"([{"op": "replace", "path": "/releases/0/variants/0/arch_list/text", "value": "6.0;7.0;8.0"}])", "/releases/0/variants/0/arch_list/text", "means SASS sm_60 sm_70 sm_80 and PTX nothing, but the variant lists SASS sm_60 sm_70 sm_80 and PTX compute_80"},
  {"torch_ptx_without_its_sass", "demo.json", R"([{"op": "remove", "path": "/releases/0/variants/0/sass/2"}])", "/releases/0/variants/0/arch_list/text", "means SASS sm_60 sm_70 sm_80 and PTX compute_80"},
  {"bazel_compute_is_sass_and_ptx", "demo.json", R"([{"op": "remove", "path": "/releases/1/variants/1/sass/4"}])", "/releases/1/variants/1/arch_list/text", "in bazel notation means SASS sm_75 sm_80 sm_90 sm_100 sm_120 and PTX compute_120"},
  {"bazel_sm_is_sass_only", "demo.json", R"([{"op": "replace", "path": "/releases/1/variants/1/arch_list/text", "value": "sm_75,sm_80,sm_90,sm_100,sm_120"}])", "/releases/1/variants/1/arch_list/text", "and PTX nothing, but the variant lists"},
  {"bazel_entry_in_torch_list", "demo.json", R"([{"op": "replace", "path": "/releases/0/variants/1/arch_list/text", "value": "7.0;sm_80;9.0"}])", "/releases/0/variants/1/arch_list/text", "`sm_80` is not a torch architecture entry"},
  {"torch_entry_in_bazel_list", "demo.json", R"([{"op": "replace", "path": "/releases/1/variants/1/arch_list/text", "value": "sm_75,12.0+PTX"}])", "/releases/1/variants/1/arch_list/text", "`12.0+PTX` is not a bazel architecture entry"},
  {"unknown_notation", "demo.json", R"([{"op": "replace", "path": "/releases/0/variants/0/arch_list/notation", "value": "cmake"}])", "/releases/0/variants/0/arch_list/notation", "unknown notation `cmake`"},
  {"ptx_in_sass", "demo.json", R"([{"op": "add", "path": "/releases/0/variants/0/sass/-", "value": "compute_90"}])", "/releases/0/variants/0/sass/3", "does not belong in `sass`"},
  {"sass_in_ptx", "demo.json", R"([{"op": "add", "path": "/releases/0/variants/0/ptx/-", "value": "sm_90"}])", "/releases/0/variants/0/ptx/1", "does not belong in `ptx`"},
  {"unknown_platform", "demo.json", R"([{"op": "replace", "path": "/releases/0/variants/0/platform", "value": "linux-sbsa"}])", "/releases/0/variants/0/platform", "unknown platform `linux-sbsa`"},
  {"missing_platform", "demo.json", R"([{"op": "remove", "path": "/releases/0/variants/0/platform"}])", "/releases/0/variants/0/platform", "missing required field `platform`"},
  {"glibc_not_major_minor", "demo.json", R"([{"op": "replace", "path": "/releases/0/variants/0/glibc", "value": "2.17.1"}])", "/releases/0/variants/0/glibc", "glibc is written X.Y"},
  {"missing_glibc", "demo.json", R"([{"op": "remove", "path": "/releases/0/variants/0/glibc"}])", "/releases/0/variants/0/glibc", "missing required field `glibc`"},
  {"variant_twice_on_one_platform", "demo.json", R"([{"op": "replace", "path": "/releases/0/variants/1/name", "value": "cu118"}])", "/releases/0/variants/1/name", "variant `cu118` is listed twice for linux-x86_64"},
  {"cudnn_wheel_bad_spec", "demo.json", R"([{"op": "replace", "path": "/releases/1/variants/0/cudnn_wheel/spec", "value": "~~9"}])", "/releases/1/variants/0/cudnn_wheel/spec", "invalid version specifier `~~9`"},
  {"cudnn_wheel_without_package", "demo.json", R"([{"op": "remove", "path": "/releases/1/variants/0/cudnn_wheel/package"}])", "/releases/1/variants/0/cudnn_wheel/package", "missing required field `package`"},
  {"platform_gap_with_a_build", "demo.json", R"([{"op": "add", "path": "/platform_gaps/-", "value": {"platform": "linux-x86_64", "reason": "none", "source": "test"}}])", "/platform_gaps/1/platform", "has a variant for linux-x86_64"},
  {"platform_gap_without_reason", "demo.json", R"([{"op": "remove", "path": "/platform_gaps/0/reason"}])", "/platform_gaps/0/reason", "missing required field `reason`"},
  {"python_range_inverted", "demo.json", R"([{"op": "replace", "path": "/releases/0/python/min", "value": "3.12"}])", "/releases/0/python", "min 3.12 is above max 3.11"},
  {"two_pypi_defaults", "demo.json", R"([{"op": "add", "path": "/releases/0/variants/0/pypi_default", "value": true}])", "/releases/0/variants", "more than one linux-x86_64 variant is marked `pypi_default`"},
  {"chip_capability_not_of_its_architecture", "gpus.json", R"([{"op": "replace", "path": "/chips/0/compute_capability", "value": "9.0"}])", "/chips/0/compute_capability", "is not one of Ampere's"},
  {"overlapping_pci_ranges", "gpus.json", R"([{"op": "replace", "path": "/chips/1/pci_device_ids/0", "value": ["0x2230", "0x2240"]}])", "/chips/1/pci_device_ids/0", "overlaps one of chip `GA102`"},
  {"bad_pci_range", "gpus.json", R"([{"op": "replace", "path": "/chips/1/pci_device_ids/0", "value": ["2330", "0x233f"]}])", "/chips/1/pci_device_ids/0", "16-bit hex device ids"},
  {"capability_in_two_architectures", "gpus.json", R"([{"op": "add", "path": "/architectures/1/compute_capabilities/-", "value": {"capability": "7.5", "min_driver": "410.48", "source": "t"}}])", "/architectures/2/compute_capabilities/0/capability", "belongs to more than one architecture"},
  {"bad_capability_text", "gpus.json", R"([{"op": "replace", "path": "/architectures/0/compute_capabilities/0/capability", "value": "60"}])", "/architectures/0/compute_capabilities/0/capability", "write it as `X.Y`"},
  {"capabilities_not_ascending", "gpus.json", R"([{"op": "replace", "path": "/architectures/3/compute_capabilities/1/capability", "value": "7.9"}])", "/architectures/3/compute_capabilities/1/capability", "ascending order: 7.9 follows 8.0"},
  {"floor_below_first_capability", "gpus.json", R"([{"op": "replace", "path": "/architectures/3/compute_capabilities/1/min_driver", "value": "440.0"}])", "/architectures/3/compute_capabilities/1/min_driver", "is below that of Ampere's first capability 8.0 (450.36.06)"},
  {"architecture_floor_is_per_capability", "gpus.json", R"([{"op": "add", "path": "/architectures/1/min_driver", "value": "367.48"}])", "/architectures/1/min_driver", "unknown field `min_driver`"},
  {"v1_capability_strings", "gpus.json", R"([{"op": "replace", "path": "/architectures/2/compute_capabilities", "value": ["7.0"]}])", "/architectures/2/compute_capabilities/0", "expected a JSON object"},
  {"capability_floor_without_source", "gpus.json", R"([{"op": "remove", "path": "/architectures/2/compute_capabilities/0/source"}])", "/architectures/2/compute_capabilities/0/source", "missing required field `source`"},
  {"last_branch_not_positive", "gpus.json", R"([{"op": "replace", "path": "/architectures/7/last_driver_branch/branch", "value": 0}])", "/architectures/7/last_driver_branch/branch", "expected a positive driver branch"},
  {"last_branch_not_integer", "gpus.json", R"([{"op": "replace", "path": "/architectures/7/last_driver_branch/branch", "value": "580"}])", "/architectures/7/last_driver_branch/branch", "expected an integer"},
  {"cudnn_range_wrong_major", "cudnn.json", R"([{"op": "replace", "path": "/releases/0/cuda/0/max", "value": "12.0"}])", "/releases/0/cuda/0", "must both be CUDA 11.x"},
  {"cudnn_build_of_other_version", "cudnn.json", R"([{"op": "replace", "path": "/releases/1/build", "value": "9.13.0.50"}])", "/releases/1/build", "does not belong to 9.14.0"},
  {"cudnn_bad_layout", "cudnn.json", R"([{"op": "replace", "path": "/releases/1/manifest_layout", "value": "nested"}])", "/releases/1/manifest_layout", "expected `cuda_variant`, `flat` or `none`"},
  {"wrong_type", "demo.json", R"([{"op": "replace", "path": "/releases/0/variants/0/packages", "value": "demo"}])", "/releases/0/variants/0/packages", "expected an array"},
  {"version_in_later_release", "demo.json", R"([{"op": "add", "path": "/releases/0/versions/-", "value": "2.0.1"}])", "/releases/0/versions/2", "belongs to the later release of series 2.0"},
  {"root_not_object", "demo.json", "[1, 2]", "/", "expected a JSON object"},
  // ptx_isa (optional): X.Y, never lower than an older release's.
  {"ptx_isa_goes_down", "cuda.json", R"([{"op": "add", "path": "/releases/1/ptx_isa", "value": "8.1"}, {"op": "add", "path": "/releases/3/ptx_isa", "value": "8.0"}])", "/releases/3/ptx_isa", "CUDA 12.4.1 has PTX ISA 8.0, older than CUDA 12.1.1's 8.1"},
  {"ptx_isa_not_major_minor", "cuda.json", R"([{"op": "add", "path": "/releases/0/ptx_isa", "value": "7.8.0"}])", "/releases/0/ptx_isa", "a PTX ISA version is written X.Y"},
  {"ptx_isa_unparsable", "cuda.json", R"([{"op": "add", "path": "/releases/0/ptx_isa", "value": "seven"}])", "/releases/0/ptx_isa", "invalid version `seven`"},
};
// clang-format on

INSTANTIATE_TEST_SUITE_P(Validate, BrokenMatrix, ::testing::ValuesIn(k_broken_cases),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(MatrixValidate, FixtureIsValid)
{
  matrix::Problems problems;
  (void)matrix::parse_matrix(minimal_matrix_files(), problems);
  EXPECT_TRUE(problems.empty());
}

TEST(MatrixValidate, ShippedMatrixIsValidAndComplete)
{
  const auto& m = real_matrix();
  EXPECT_GE(m.cuda.size(), 50U);
  EXPECT_NE(m.find_framework("torch"), nullptr);
  EXPECT_NE(m.find_framework("tensorflow"), nullptr);
  EXPECT_NE(m.find_framework("jax"), nullptr);
  // Every CUDA update from 11.0 to 13.2 is there, e.g. both 12.4 releases.
  for (const char* version :
       {"11.0.2", "11.8.0", "12.0.0", "12.4.0", "12.4.1", "12.6.3", "12.8.0", "12.9.1", "13.0.0", "13.2.0"}) {
    EXPECT_NE(m.find_cuda(core::Version::parse(version).value()), nullptr) << version;
  }
}

TEST(MatrixQueries, DriverToCuda)
{
  const auto& m = real_matrix();
  auto newest = [&](const char* driver) {
    const auto* release = m.newest_cuda_for_driver(core::Version::parse(driver).value());
    return release == nullptr ? std::string("none") : release->version.prefix(2).text();
  };
  EXPECT_EQ(newest("535.104.05"), "12.2");
  EXPECT_EQ(newest("525.60.13"), "12.0");
  EXPECT_EQ(newest("550.54.15"), "12.4");
  EXPECT_EQ(newest("470.82.01"), "11.4");
  EXPECT_EQ(newest("580.95.05"), "13.0");
  EXPECT_EQ(newest("300.0"), "none");
}

TEST(MatrixQueries, EveryShippedReleaseHasAPtxIsaThatNeverGoesDown)
{
  const auto& m = real_matrix();
  std::optional<core::Version> last;
  for (const auto& release : m.cuda) {
    ASSERT_TRUE(release.ptx_isa.has_value()) << release.version.text();
    EXPECT_EQ(release.ptx_isa->parts().size(), 2U) << release.version.text();
    if (last) {
      EXPECT_GE(*release.ptx_isa, *last) << release.version.text();
    }
    last = release.ptx_isa;
  }
}

TEST(MatrixQueries, PtxIsaToOldestCuda)
{
  const auto& m = real_matrix();
  auto oldest = [&](const char* isa) {
    const auto* release = m.oldest_cuda_for_ptx_isa(core::Version::parse(isa).value());
    return release == nullptr ? std::string("none") : release->version.text();
  };
  // PTX ISA document, Release Notes: 6.5 = CUDA 10.2, 7.8 = 11.8, 8.5 = 12.5 (12.6 adds none),
  // 8.6 = 12.7 (never shipped, so 12.8's 8.7 is the first that knows it), 9.0 = 13.0.
  EXPECT_EQ(oldest("6.5"), "10.2.89");
  EXPECT_EQ(oldest("6.0"), "10.2.89");
  EXPECT_EQ(oldest("7.8"), "11.8.0");
  EXPECT_EQ(oldest("8.0"), "12.0.0");
  EXPECT_EQ(oldest("8.4"), "12.4.0");
  EXPECT_EQ(oldest("8.5"), "12.5.0");
  EXPECT_EQ(oldest("8.6"), "12.8.0");
  EXPECT_EQ(oldest("8.8"), "12.9.0");
  EXPECT_EQ(oldest("9.0"), "13.0.0");
  EXPECT_EQ(oldest("9.1"), "13.1.0");
  EXPECT_EQ(oldest("99.0"), "none");
}

TEST(MatrixQueries, CompactMinorNamesOldestRelease)
{
  const auto* release = real_matrix().find_cuda(core::Version::parse("12.4").value());
  ASSERT_NE(release, nullptr);
  EXPECT_EQ(release->version.text(), "12.4.0");
}

TEST(MatrixQueries, ChipsMapToCapabilities)
{
  const auto& m = real_matrix();
  auto capability_of = [&](const std::string& chip) {
    for (const auto& entry : m.chips) {
      if (entry.name == chip) {
        return entry.capability.text();
      }
    }
    return std::string("unknown");
  };
  EXPECT_EQ(capability_of("GA102"), "8.6");
  EXPECT_EQ(capability_of("AD102"), "8.9");
  EXPECT_EQ(capability_of("GH100"), "9.0");
  EXPECT_EQ(capability_of("GB202"), "12.0");
  // The architecture's floor is its lowest capability floor.
  EXPECT_EQ(m.architecture_of(core::ComputeCapability{12, 0})->min_driver.text(), "570.26");
}

}  // namespace
}  // namespace envsetup::testing
