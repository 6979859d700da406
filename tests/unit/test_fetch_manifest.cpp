// SPDX-License-Identifier: Apache-2.0
// NVIDIA redistrib manifests: the real copies in ../shared/manifests (skipped when that folder
// is absent), validation of damaged ones, component sets, archive selection.
#include <envsetup/fetch/components.hpp>
#include <envsetup/fetch/manifest.hpp>
#include <envsetup/util/fs.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

namespace envsetup::fetch {
namespace {

namespace fs = std::filesystem;

fs::path shared_manifests()
{
  return fs::path(ENVSETUP_SOURCE_DIR) / ".." / "shared" / "manifests";
}

Manifest load_shared(const std::string& product, const std::string& version)
{
  const auto path = shared_manifests() / product / ("redistrib_" + version + ".json");
  auto text = util::read_file(path);
  EXPECT_TRUE(text.ok()) << path;
  auto manifest = parse_manifest(text.value(), product, path.string());
  EXPECT_TRUE(manifest.ok()) << (manifest.ok() ? "" : manifest.error().message + ": " + manifest.error().causes.at(0));
  return manifest.value();
}

#define SKIP_WITHOUT_SHARED()                                                       \
  if (!fs::is_directory(shared_manifests())) {                                      \
    GTEST_SKIP() << "../shared/manifests is not beside the checkout";               \
  }

TEST(FetchManifest, EveryRealManifestParses)
{
  SKIP_WITHOUT_SHARED();
  int count = 0;
  for (const char* product : {"cuda", "cudnn"}) {
    for (const auto& entry : fs::directory_iterator(shared_manifests() / product)) {
      const std::string name = entry.path().filename().string();
      const std::string version = name.substr(10, name.size() - 15);  // redistrib_X.json
      const auto manifest = load_shared(product, version);
      EXPECT_FALSE(manifest.components.empty()) << name;
      ++count;
    }
  }
  EXPECT_GE(count, 10);
}

TEST(FetchManifest, CudaLayout)
{
  SKIP_WITHOUT_SHARED();
  const auto manifest = load_shared("cuda", "12.4.1");
  EXPECT_EQ(manifest.label, "12.4.1");
  const auto* nvcc = manifest.find("cuda_nvcc");
  ASSERT_NE(nvcc, nullptr);
  auto archive = select_archive(*nvcc, "linux-x86_64", std::nullopt);
  ASSERT_TRUE(archive.ok());
  EXPECT_EQ(archive->relative_path.rfind("cuda_nvcc/linux-x86_64/cuda_nvcc-linux-x86_64-12.4.", 0), 0U);
  EXPECT_EQ(archive->sha256.size(), 64U);
  EXPECT_GT(archive->size, 1'000'000U);
  EXPECT_TRUE(select_archive(*nvcc, "linux-sbsa", std::nullopt).ok());
  auto missing = select_archive(*nvcc, "linux-riscv", std::nullopt);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().hints.at(0).find("linux-x86_64"), std::string::npos);
}

TEST(FetchManifest, CudnnVariantsPerCudaMajor)
{
  SKIP_WITHOUT_SHARED();
  const auto manifest = load_shared("cudnn", "9.14.0");
  const auto* cudnn = manifest.find("cudnn");
  ASSERT_NE(cudnn, nullptr);
  auto for12 = select_archive(*cudnn, "linux-x86_64", 12);
  auto for13 = select_archive(*cudnn, "linux-x86_64", 13);
  ASSERT_TRUE(for12.ok() && for13.ok());
  EXPECT_NE(for12->relative_path.find("_cuda12-archive"), std::string::npos);
  EXPECT_NE(for13->relative_path.find("_cuda13-archive"), std::string::npos);
  auto newest = select_archive(*cudnn, "linux-x86_64", std::nullopt);
  EXPECT_EQ(newest->relative_path, for13->relative_path);
  EXPECT_FALSE(select_archive(*cudnn, "linux-x86_64", 11).ok());
  // 9.27's windows-arm64 has a direct entry beside its cuda13 one: both parse.
  const auto newer = load_shared("cudnn", "9.27.0");
  EXPECT_TRUE(select_archive(*newer.find("cudnn"), "windows-arm64", 13).ok());
}

TEST(FetchManifest, ComponentSets)
{
  SKIP_WITHOUT_SHARED();
  const auto cuda12 = load_shared("cuda", "12.4.1");
  auto runtime = expand_components(cuda12, "runtime", "linux-x86_64").value();
  EXPECT_NE(std::find(runtime.begin(), runtime.end(), "cuda_cudart"), runtime.end());
  EXPECT_NE(std::find(runtime.begin(), runtime.end(), "libcublas"), runtime.end());
  EXPECT_EQ(std::find(runtime.begin(), runtime.end(), "cuda_nvcc"), runtime.end());
  auto devel = expand_components(cuda12, "devel", "linux-x86_64").value();
  EXPECT_NE(std::find(devel.begin(), devel.end(), "cuda_nvcc"), devel.end());
  EXPECT_GT(devel.size(), runtime.size());
  auto all = expand_components(cuda12, "all", "linux-x86_64").value();
  EXPECT_EQ(std::find(all.begin(), all.end(), "nvidia_driver"), all.end());
  EXPECT_GT(all.size(), devel.size());
  const auto cuda13 = load_shared("cuda", "13.0.2");
  auto devel13 = expand_components(cuda13, "devel", "linux-x86_64").value();
  EXPECT_NE(std::find(devel13.begin(), devel13.end(), "cuda_crt"), devel13.end());
  auto explicit_ids = expand_components(cuda12, "cuda_nvcc, libcublas,runtime", "linux-x86_64").value();
  EXPECT_EQ(explicit_ids.at(0), "cuda_nvcc");
  auto typo = expand_components(cuda12, "cuda_nvc", "linux-x86_64");
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.error().kind, util::ErrorKind::usage);
  EXPECT_NE(typo.error().hints.at(0).find("did you mean cuda_nvcc"), std::string::npos);
}

struct DamagedCase {
  const char* name;
  const char* json;
  const char* expected;  // substring of the cause
};

TEST(FetchManifest, DamagedManifestsNameTheComponent)
{
  const DamagedCase cases[] = {
    {"not json", "<html>proxy login</html>", "not a JSON object"},
    {"no version", R"({"libx": {"name": "x", "linux-x86_64": {}}})", "libx: missing `version`"},
    {"bad sha", R"({"libx": {"version": "1", "linux-x86_64": {"relative_path": "a", "sha256": "xyz", "size": "1"}}})",
     "libx.linux-x86_64: sha256 `xyz` is not 64 hex digits"},
    {"bad size", R"({"libx": {"version": "1", "linux-x86_64": {"relative_path": "a", "sha256": "0000000000000000000000000000000000000000000000000000000000000000", "size": "12ab"}}})",
     "size `12ab` is not a number"},
    {"missing sha", R"({"cudnn": {"version": "9", "linux-x86_64": {"cuda12": {"relative_path": "a", "size": "1"}}}})",
     "cudnn.linux-x86_64.cuda12: missing or non-string `sha256`"},
    {"empty", R"({"release_date": "2024-01-01"})", "lists no component"},
  };
  for (const auto& c : cases) {
    auto manifest = parse_manifest(c.json, "cuda", "test.json");
    ASSERT_FALSE(manifest.ok()) << c.name;
    EXPECT_EQ(manifest.error().kind, util::ErrorKind::input) << c.name;
    EXPECT_NE(manifest.error().message.find("test.json"), std::string::npos) << c.name;
    ASSERT_FALSE(manifest.error().causes.empty()) << c.name;
    EXPECT_NE(manifest.error().causes[0].find(c.expected), std::string::npos)
      << c.name << ": " << manifest.error().causes[0];
  }
}

// A field of the wrong type (a number where a name belongs) is read as absent, never an
// exception that ends the process (exit 70).
TEST(FetchManifest, FieldsOfTheWrongTypeAreNotACrash)
{
  const std::string json = R"({"release_label": 5, "release_date": [], "libx": {"name": 5, "license": {}, "version": "1",
    "linux-x86_64": {"relative_path": "libx/a.tar.xz", "sha256": "0000000000000000000000000000000000000000000000000000000000000000", "size": "1"}}})";
  util::Result<Manifest> manifest = util::make_error(util::ErrorKind::internal, "not parsed");
  EXPECT_NO_THROW(manifest = parse_manifest(json, "cuda", "test.json"));
  ASSERT_TRUE(manifest.ok()) << manifest.error().message;
  EXPECT_EQ(manifest->label, "");
}

// Component keys and relative paths become paths downstream: a hostile manifest must not
// name a folder outside its own.
TEST(FetchManifest, UnsafeComponentKeysAndRelativePathsAreRefused)
{
  const std::string sha = "0000000000000000000000000000000000000000000000000000000000000000";
  const auto with_key = [&](const std::string& key) {
    return nlohmann::json{{key, {{"version", "1"}, {"linux-x86_64", {{"relative_path", "a/b.tar.xz"},
                                                                     {"sha256", sha}, {"size", "1"}}}}}}.dump();
  };
  const auto with_path = [&](const std::string& path) {
    return nlohmann::json{{"libx", {{"version", "1"}, {"linux-x86_64", {{"relative_path", path},
                                                                        {"sha256", sha}, {"size", "1"}}}}}}.dump();
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
    {with_key("../../etc"), "unsafe component key `../../etc`"},
    {with_key("a/b"), "unsafe component key `a/b`"},
    {with_key(".hidden"), "unsafe component key `.hidden`"},
    {with_key("-rf"), "unsafe component key `-rf`"},
    {with_key("line\nbreak"), "unsafe component key `line\\x0abreak`"},
    {with_key(std::string(129, 'a')), "unsafe component key"},
    {with_key(""), "unsafe component key ``"},
    {with_path("/etc/passwd"), "libx.linux-x86_64: unsafe relative_path `/etc/passwd`"},
    {with_path("a/../../b"), "unsafe relative_path `a/../../b`"},
    {with_path(".."), "unsafe relative_path"},
    {with_path("a\\..\\b"), "unsafe relative_path `a\\x5c..\\x5cb`"},
    {with_path("a/\x1b[2Jb"), "unsafe relative_path `a/\\x1b[2Jb`"},
  };
  for (const auto& [json, expected] : cases) {
    auto manifest = parse_manifest(json, "cuda", "test.json");
    ASSERT_FALSE(manifest.ok()) << json;
    EXPECT_EQ(manifest.error().kind, util::ErrorKind::integrity) << json;
    ASSERT_FALSE(manifest.error().causes.empty()) << json;
    EXPECT_NE(manifest.error().causes[0].find(expected), std::string::npos) << manifest.error().causes[0];
  }
  for (const std::string key : {"cuda_nvcc", "libcublas", "cuda_cccl", "nvidia_fs", "lib.x+y-z", "A9"}) {
    EXPECT_TRUE(parse_manifest(with_key(key), "cuda", "test.json").ok()) << key;
  }
}

}  // namespace
}  // namespace envsetup::fetch
