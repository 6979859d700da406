// SPDX-License-Identifier: Apache-2.0
// `matrix validate`: the shipped matrix is valid, and each deliberately broken copy of the
// fixture matrix is reported with the right file, JSON pointer and message.
#include "matrix_fixture.hpp"

#include <envsetup/matrix/load.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace envsetup::testing {
namespace {

struct BrokenCase {
  std::string name;
  std::string file;   // which fixture file to break
  std::string patch;  // RFC 6902 JSON patch applied to it, or raw replacement text if it
                      // does not start with `[{`
  std::string expected_pointer;
  std::string expected_message;  // substring
};

void PrintTo(const BrokenCase& c, std::ostream* out)
{
  *out << c.name;
}

matrix::Problems problems_after(const BrokenCase& c)
{
  auto files = minimal_matrix_files();
  bool found = false;
  for (auto& file : files) {
    if (file.name != c.file) {
      continue;
    }
    found = true;
    if (c.patch.starts_with("[{")) {
      file.content = nlohmann::json::parse(file.content).patch(nlohmann::json::parse(c.patch)).dump();
    } else {
      file.content = c.patch;
    }
  }
  if (!found) {
    files.erase(std::remove_if(files.begin(), files.end(),
                               [&](const auto& f) { return f.name + ".missing" == c.file; }),
                files.end());
  }
  matrix::Problems problems;
  (void)matrix::parse_matrix(files, problems);
  return problems;
}

class BrokenMatrix : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(BrokenMatrix, IsReportedPrecisely)
{
  const auto& c = GetParam();
  const auto problems = problems_after(c);
  ASSERT_FALSE(problems.empty()) << "the broken matrix passed validation";
  const std::string file = c.file.ends_with(".missing") ? c.file.substr(0, c.file.size() - 8) : c.file;
  bool found = false;
  std::string all;
  for (const auto& problem : problems) {
    all += problem.file + " " + problem.pointer + ": " + problem.message + "\n";
    found = found || (problem.file == file && problem.pointer == c.expected_pointer &&
                      problem.message.find(c.expected_message) != std::string::npos);
  }
  EXPECT_TRUE(found) << "expected " << file << " " << c.expected_pointer << ": "
                     << c.expected_message << "\nbut got:\n" << all;
}

// clang-format off
const BrokenCase k_broken_cases[] = {
  {"not_json", "cuda.json", "{\"schema_version\": 1, \"majors\": [", "/", "not valid JSON"},
  {"missing_file", "gpus.json.missing", "", "/", "the file is missing"},
  {"wrong_schema_version", "cudnn.json", R"([{"op": "replace", "path": "/schema_version", "value": 2}])", "/schema_version", "unsupported schema_version 2"},
  {"unknown_field_typo", "demo.json", R"([{"op": "add", "path": "/releases/0/pyhton", "value": {}}])", "/releases/0/pyhton", "unknown field `pyhton`"},
  {"missing_source", "cuda.json", R"([{"op": "remove", "path": "/releases/2/source"}])", "/releases/2/source", "missing required field `source`"},
  {"unparsable_driver", "cuda.json", R"([{"op": "replace", "path": "/releases/1/min_driver", "value": "530.30.x"}])", "/releases/1/min_driver", "invalid version `530.30.x`"},
  {"variant_names_unknown_cuda", "demo.json", R"([{"op": "replace", "path": "/releases/1/variants/1/cuda", "value": "13.1.0"}])", "/releases/1/variants/1/cuda", "CUDA 13.1.0 is not a release in cuda.json"},
  {"duplicate_cuda_release", "cuda.json", R"([{"op": "replace", "path": "/releases/3/version", "value": "12.4.0"}])", "/releases/3/version", "CUDA 12.4.0 is listed twice"},
  {"duplicate_framework_version", "demo.json", R"([{"op": "add", "path": "/releases/1/versions/-", "value": "1.0.1"}])", "/releases/1/versions/1", "demo 1.0.1 is listed twice"},
  {"bad_arch_target", "demo.json", R"([{"op": "add", "path": "/releases/0/variants/0/targets/-", "value": "sm86"}])", "/releases/0/variants/0/targets/4", "invalid architecture target `sm86`"},
  {"target_of_unknown_gpu", "cuda.json", R"([{"op": "add", "path": "/releases/0/targets/-", "value": "sm_99"}])", "/releases/0/targets/8", "compute capability 9.9, which no architecture"},
  {"python_range_inverted", "demo.json", R"([{"op": "replace", "path": "/releases/0/python/min", "value": "3.12"}])", "/releases/0/python", "min 3.12 is above max 3.11"},
  {"two_pypi_defaults", "demo.json", R"([{"op": "add", "path": "/releases/0/variants/0/pypi_default", "value": true}])", "/releases/0/variants", "more than one variant is marked `pypi_default`"},
  {"chip_capability_not_of_its_architecture", "gpus.json", R"([{"op": "replace", "path": "/chips/0/compute_capability", "value": "9.0"}])", "/chips/0/compute_capability", "is not one of Ampere's"},
  {"overlapping_pci_ranges", "gpus.json", R"([{"op": "replace", "path": "/chips/1/pci_device_ids/0", "value": ["0x2230", "0x2240"]}])", "/chips/1/pci_device_ids/0", "overlaps one of chip `GA102`"},
  {"bad_pci_range", "gpus.json", R"([{"op": "replace", "path": "/chips/1/pci_device_ids/0", "value": ["2330", "0x233f"]}])", "/chips/1/pci_device_ids/0", "16-bit hex device ids"},
  {"capability_in_two_architectures", "gpus.json", R"([{"op": "add", "path": "/architectures/1/compute_capabilities/-", "value": "7.5"}])", "/architectures/2/compute_capabilities/0", "belongs to more than one architecture"},
  {"cudnn_range_wrong_major", "cudnn.json", R"([{"op": "replace", "path": "/releases/0/cuda/0/max", "value": "12.0"}])", "/releases/0/cuda/0", "must both be CUDA 11.x"},
  {"cudnn_build_of_other_version", "cudnn.json", R"([{"op": "replace", "path": "/releases/1/build", "value": "9.13.0.50"}])", "/releases/1/build", "does not belong to 9.14.0"},
  {"cudnn_bad_layout", "cudnn.json", R"([{"op": "replace", "path": "/releases/1/manifest_layout", "value": "nested"}])", "/releases/1/manifest_layout", "expected `cuda_variant`, `flat` or `none`"},
  {"wrong_type", "demo.json", R"([{"op": "replace", "path": "/releases/0/variants/0/packages", "value": "demo"}])", "/releases/0/variants/0/packages", "expected an array"},
  {"version_in_later_release", "demo.json", R"([{"op": "add", "path": "/releases/0/versions/-", "value": "2.0.1"}])", "/releases/0/versions/2", "belongs to the later release of series 2.0"},
  {"bad_capability_text", "gpus.json", R"([{"op": "replace", "path": "/architectures/0/compute_capabilities/0", "value": "60"}])", "/architectures/0/compute_capabilities/0", "write it as `X.Y`"},
  {"root_not_object", "demo.json", "[1, 2]", "/", "expected a JSON object"},
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
  for (const char* version : {"11.0.2", "11.8.0", "12.0.0", "12.4.0", "12.4.1", "12.6.3", "12.8.0",
                              "12.9.1", "13.0.0", "13.2.0"}) {
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
  EXPECT_EQ(m.architecture_of(core::ComputeCapability{12, 0})->min_driver.text(), "570.26");
}

}  // namespace
}  // namespace envsetup::testing
