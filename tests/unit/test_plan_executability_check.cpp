// SPDX-License-Identifier: Apache-2.0
// check_plan itself (plan_executability.hpp), on hand-made matrices, plans and manifests: each kind of
// broken step must be reported, naming what is missing, so that the property sweep
// (test_plan_executable.cpp) can be trusted to catch it.
#include "plan_executability.hpp"

#include <envsetup/util/fs.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

namespace envsetup::testing {
namespace {

namespace fs = std::filesystem;

const char* const k_no_shelf = "/nonexistent/envsetup-test-shelf";  // every manifest absent

core::Version v(const std::string& text)
{
  return core::Version::parse(text).value();
}

core::ComputeCapability cc(const std::string& text)
{
  return core::ComputeCapability::parse(text).value();
}

matrix::CudaRelease cuda(const std::string& version, const std::string& manifest)
{
  matrix::CudaRelease release;
  release.version = v(version);
  release.min_driver = v("520.61.05");
  release.manifest = manifest;
  return release;
}

matrix::CudnnRelease cudnn(const std::string& version, const std::string& build,
                           std::vector<matrix::CudnnCudaRange> ranges, const std::string& min_cc)
{
  matrix::CudnnRelease release;
  release.version = v(version);
  release.build = v(build);
  release.cuda = std::move(ranges);
  release.min_capability = cc(min_cc);
  release.max_capability = cc("12.0");
  release.manifest = "redistrib_" + version + ".json";
  release.manifest_layout = "cuda_variant";
  return release;
}

matrix::Framework framework(const std::string& name, const std::string& series,
                            std::vector<core::Version> versions, matrix::Variant variant)
{
  matrix::FrameworkRelease release;
  release.series = v(series);
  release.versions = std::move(versions);
  release.variants = {std::move(variant)};
  matrix::Framework result;
  result.name = name;
  result.releases = {std::move(release)};
  return result;
}

// TensorFlow 2.13 (a system toolkit, tested with CUDA 11.8 / cuDNN 8.6) and JAX 0.7.2 (pip's cuDNN left
// open: nvidia-cudnn-cu12>=9.8,<10), with the releases their plans may name.
matrix::Matrix hand_made()
{
  matrix::Matrix m;
  m.cuda = {cuda("11.2.0", ""), cuda("11.8.0", "redistrib_11.8.0.json"),
            cuda("12.4.1", "redistrib_12.4.1.json")};
  m.cudnn = {cudnn("8.9.7", "8.9.7.29", {{11, v("11.0"), v("11.8")}, {12, v("12.0"), v("12.3")}}, "5.0"),
             cudnn("9.10.2", "9.10.2.21", {{12, v("12.0"), v("12.9")}}, "5.0"),
             cudnn("9.27.0", "9.27.0.42", {{12, v("12.0"), v("12.9")}, {13, v("13.0"), v("13.2")}}, "7.5")};
  matrix::Variant system;
  system.name = "cuda";
  system.cuda = v("11.8");
  system.cudnn = v("8.6");
  system.packages = {"tensorflow=={version}"};
  system.system_toolkit = true;
  matrix::Variant cuda12;
  cuda12.name = "cuda12";
  cuda12.cuda = v("12.9.1");
  cuda12.packages = {"jax[cuda12]=={version}"};
  cuda12.cudnn_wheel =
    matrix::CudnnWheel{"nvidia-cudnn-cu12", core::VersionSpec::parse(">=9.8,<10").value(), ">=9.8,<10"};
  m.frameworks = {framework("tensorflow", "2.13", {v("2.13.0"), v("2.13.1")}, system),
                  framework("jax", "0.7.2", {v("0.7.2")}, cuda12)};
  return m;
}

core::Plan tf_plan()
{
  core::Plan plan;
  plan.framework = "tensorflow";
  plan.version = v("2.13.1");
  plan.variant = "cuda";
  plan.cuda = v("11.8");
  plan.cudnn = v("8.6");
  plan.packages = {"tensorflow==2.13.1"};
  plan.system_toolkit = true;
  plan.coverage = {{cc("8.6"), false, "sm_80"}};
  plan.toolkit_cuda = v("11.8.0");
  plan.toolkit_cudnn = v("8.9.7");
  return plan;
}

core::Plan jax_plan(const std::string& gpu)
{
  core::Plan plan;
  plan.framework = "jax";
  plan.version = v("0.7.2");
  plan.variant = "cuda12";
  plan.cuda = v("12.9.1");
  plan.packages = {"jax[cuda12]==0.7.2"};
  plan.coverage = {{cc(gpu), false, "sm_" + std::to_string(cc(gpu).major) + "0"}};
  return plan;
}

// A fresh folder below the temporary directory, removed with the object.
struct Scratch {
  fs::path path;
  explicit Scratch(const std::string& name)
    : path(fs::temp_directory_path() / ("envsetup-plan-check-" + std::to_string(::getpid()) + "-" + name))
  {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~Scratch() { fs::remove_all(path); }
};

// One problem containing each of `expected`, and no other problem.
void expect_problems(const std::vector<std::string>& problems, const std::vector<std::string>& expected)
{
  std::string all;
  for (const auto& problem : problems) {
    all += "\n  " + problem;
  }
  EXPECT_EQ(problems.size(), expected.size()) << all;
  for (const auto& text : expected) {
    EXPECT_TRUE(std::any_of(problems.begin(), problems.end(),
                            [&](const std::string& p) { return p.find(text) != std::string::npos; }))
      << "no problem says `" << text << "`:" << all;
  }
}

TEST(PlanExecutabilityCheck, AnExecutableSystemToolkitPlanHasNoProblemAndNamesWhatItCouldNotCheck)
{
  const ManifestShelf shelf(k_no_shelf);
  expect_problems(check_plan(hand_made(), tf_plan(), shelf), {});
  EXPECT_EQ(shelf.missing(),
            (std::set<std::string>{"cuda redistrib_11.8.0.json", "cudnn redistrib_8.9.7.json"}));
  EXPECT_EQ(shelf.archives_checked(), 0);
}

TEST(PlanExecutabilityCheck, ToolkitStepsThatNameNothingInstallableAreReported)
{
  const ManifestShelf shelf(k_no_shelf);
  const auto m = hand_made();
  auto plan = tf_plan();
  plan.toolkit_cudnn = v("8.6.0");  // what TensorFlow was tested with: no such release
  expect_problems(check_plan(m, plan, shelf),
                  {"[toolkit] cuDNN 8.6.0 is not an X.Y.Z release in cudnn.json"});
  plan = tf_plan();
  plan.toolkit_cuda = v("11.2.0");  // a release without redistributable archives
  expect_problems(check_plan(m, plan, shelf), {"[toolkit] CUDA 11.2.0 has no redistributable manifest"});
  plan = tf_plan();
  plan.toolkit_cuda = v("12.4.1");  // another major, and one cuDNN 8.9.7 has no build for
  expect_problems(check_plan(m, plan, shelf), {"[toolkit] CUDA 12.4.1 is not a release of CUDA 11.8's major",
                                               "[toolkit] cuDNN 8.9.7 has no build for CUDA 12.4.1"});
  plan = tf_plan();
  plan.toolkit_cuda.reset();
  plan.toolkit_cudnn.reset();
  expect_problems(check_plan(m, plan, shelf), {"toolkit_cuda unset; the matrix row says CUDA 11.8",
                                               "toolkit_cudnn unset; the matrix row says cuDNN 8.6"});
  plan = tf_plan();
  plan.coverage = {{cc("3.5"), false, "sm_35"}};
  expect_problems(check_plan(m, plan, shelf),
                  {"[toolkit] cuDNN 8.9.7 supports compute capability 5.0-12.0, not the GPU 3.5"});
}

TEST(PlanExecutabilityCheck, WheelStepsThatNameNothingPublishedAreReported)
{
  const ManifestShelf shelf(k_no_shelf);
  const auto m = hand_made();
  auto plan = tf_plan();
  plan.version = v("2.13.2");
  plan.packages = {"tensorflow==2.13.2"};
  expect_problems(check_plan(m, plan, shelf), {"[wheels] tensorflow 2.13.2 is no release's version"});
  plan = tf_plan();
  plan.variant = "and-cuda";
  expect_problems(check_plan(m, plan, shelf),
                  {"[wheels] tensorflow 2.13 has no variant `and-cuda` for linux-x86_64"});
  plan = tf_plan();
  plan.platform = core::Platform::linux_aarch64;  // the variant is x86_64 only
  expect_problems(check_plan(m, plan, shelf), {"has no variant `cuda` for linux-aarch64"});
  plan = tf_plan();
  plan.packages = {"tensorflow==2.13.0", "tensorrt"};
  expect_problems(check_plan(m, plan, shelf), {"`tensorflow==2.13.0` is neither the variant's package",
                                               "`tensorrt` is not an exact `name==version` pin",
                                               "the plan does not install `tensorflow==2.13.1`"});
  plan = tf_plan();
  plan.index_url = "https://download.pytorch.org/whl/cu118";
  expect_problems(check_plan(m, plan, shelf),
                  {"[wheels] index https://download.pytorch.org/whl/cu118 is not the "
                   "variant's (PyPI)"});
}

TEST(PlanExecutabilityCheck, CudnnWheelPinsMustNameAKnownBuildThatRunsTheGpus)
{
  const ManifestShelf shelf(k_no_shelf);
  const auto m = hand_made();
  auto plan = jax_plan("6.0");
  expect_problems(check_plan(m, plan, shelf), {"unpinned installs the newest, cuDNN 9.27.0 supports compute "
                                               "capability 7.5-12.0, not the GPU 6.0"});
  plan.packages.push_back("nvidia-cudnn-cu12==9.10.2.21");
  expect_problems(check_plan(m, plan, shelf), {});
  plan.packages.back() = "nvidia-cudnn-cu12==9.10.2.99";
  expect_problems(check_plan(m, plan, shelf), {"no cudnn.json release has the build 9.10.2.99"});
  plan.packages.back() = "nvidia-cudnn-cu12==8.9.7.29";
  expect_problems(check_plan(m, plan, shelf),
                  {"outside the framework's own requirement nvidia-cudnn-cu12>=9.8,<10"});
  plan.packages.back() = "nvidia-cudnn-cu13==9.10.2.21";
  expect_problems(check_plan(m, plan, shelf),
                  {"cuDNN 9.10.2 has no build for CUDA 13", "outside the framework's own requirement"});
  expect_problems(check_plan(m, jax_plan("8.0"), shelf), {});  // the newest cuDNN runs 8.0
}

void write_json(const fs::path& path, const nlohmann::json& json)
{
  fs::create_directories(path.parent_path());
  ASSERT_TRUE(util::write_file_atomic(path, json.dump()).ok()) << path;
}

nlohmann::json archive(const std::string& name)
{
  return {{"relative_path", name + ".tar.xz"},
          {"sha256", std::string(64, '0')},
          {"md5", std::string(32, '0')},
          {"size", "1"}};
}

TEST(PlanExecutabilityCheck, ComponentsAndArchivesAreCheckedInTheManifests)
{
  const Scratch scratch("manifests");
  const fs::path& root = scratch.path;
  auto component = [](const std::vector<std::string>& platforms) {
    nlohmann::json json{{"name", "x"}, {"license", "x"}, {"version", "11.8.89"}};
    for (const auto& platform : platforms) {
      json[platform] = archive(platform);
    }
    return json;
  };
  write_json(root / "cuda" / "redistrib_11.8.0.json",
             {{"release_date", "2022-10-03"},
              {"cuda_cudart", component({"linux-x86_64"})},
              {"cuda_nvcc", component({"linux-x86_64", "linux-sbsa"})},
              {"libcublas", component({"linux-x86_64", "linux-sbsa"})}});
  write_json(root / "cudnn" / "redistrib_8.9.7.json",
             {{"release_date", "2024-03-15"},
              {"cudnn",
               {{"name", "cuDNN"},
                {"license", "cudnn"},
                {"version", "8.9.7.29"},
                {"linux-x86_64", {{"cuda12", archive("cudnn-cuda12")}}}}}});
  const auto m = hand_made();
  const ManifestShelf shelf(root);
  expect_problems(check_plan(m, tf_plan(), shelf),
                  {"[archives] cuDNN 8.9.7: `cudnn 8.9.7.29` has no build for CUDA 11"});
  EXPECT_EQ(shelf.archives_checked(), 4);
  EXPECT_EQ(shelf.used(),
            (std::set<std::string>{"cuda redistrib_11.8.0.json", "cudnn redistrib_8.9.7.json"}));
  EXPECT_TRUE(shelf.missing().empty());
  auto plan = tf_plan();
  plan.platform = core::Platform::linux_aarch64;
  expect_problems(
    check_plan(m, plan, shelf),
    {"has no variant `cuda` for linux-aarch64", "CUDA 11.8.0 has no `cuda_cudart` for linux-sbsa",
     "cuDNN 8.9.7: `--components devel` selects nothing", "cuDNN 8.9.7 has no `cudnn` for linux-sbsa"});
  write_json(
    root / "cuda" / "redistrib_11.8.0.json",
    {{"cuda_nvcc",
      {{"version", "1"}, {"linux-x86_64", {{"relative_path", "a"}, {"sha256", "xyz"}, {"size", "1"}}}}}});
  const ManifestShelf damaged(root);
  const auto problems = check_plan(m, tf_plan(), damaged);
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(problems.at(0).find("redistrib_11.8.0.json does not parse"), std::string::npos) << problems.at(0);
}

// The same plan against NVIDIA's real manifests: CUDA 11.8.0 and cuDNN 8.9.7 (for CUDA 11) have every
// component `install --framework` lays out, on both platforms.
TEST(PlanExecutabilityCheck, RealManifestsHoldTensorflowsToolkit)
{
  const ManifestShelf shelf(ManifestShelf::default_root());
  if (!shelf.present()) {
    GTEST_SKIP() << "../shared/manifests is not beside the checkout";
  }
  for (const auto platform : {core::Platform::linux_x86_64, core::Platform::linux_aarch64}) {
    auto plan = tf_plan();
    matrix::Matrix m = hand_made();
    m.frameworks[0].releases[0].variants[0].platform = platform;
    plan.platform = platform;
    expect_problems(check_plan(m, plan, shelf), {});
  }
  EXPECT_GT(shelf.archives_checked(), 20);
  EXPECT_TRUE(shelf.missing().empty());
}

}  // namespace
}  // namespace envsetup::testing
