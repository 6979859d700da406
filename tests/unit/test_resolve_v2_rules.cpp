// SPDX-License-Identifier: Apache-2.0
// The matrix-v2 rules of the resolver (docs/resolver.md): per-capability driver floors, the
// last driver branch, platforms, glibc, Jetson, the toolkit `install` lays out (archives,
// substitution within a major) and the pin of a cuDNN wheel. The matrix is built here in
// C++, so these tests control every number and do not depend on the JSON loader.
#include "matrix_fixture.hpp"

#include <envsetup/resolve/resolver.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace envsetup::testing {
namespace {

core::Version v(const std::string& text)
{
  return core::Version::parse(text).value();
}

core::ComputeCapability cc(const std::string& text)
{
  return core::ComputeCapability::parse(text).value();
}

std::vector<core::ArchTarget> targets(const std::vector<std::string>& texts)
{
  std::vector<core::ArchTarget> out;
  for (const auto& text : texts) {
    out.push_back(core::ArchTarget::parse(text).value());
  }
  return out;
}

matrix::Architecture architecture(const std::string& name,
                                  const std::vector<std::pair<std::string, std::string>>& floors,
                                  std::optional<int> last_branch = std::nullopt)
{
  matrix::Architecture a;
  a.name = name;
  for (const auto& [capability, driver] : floors) {
    a.capabilities.push_back(cc(capability));
    a.floors.push_back({cc(capability), v(driver), {"test", ""}});
  }
  a.min_driver = a.floors.front().min_driver;
  for (const auto& floor : a.floors) {
    a.min_driver = std::min(a.min_driver, floor.min_driver);
  }
  a.last_driver_branch = last_branch;
  return a;
}

matrix::CudaRelease cuda(const std::string& version, const std::string& driver,
                         const std::vector<std::string>& arch, bool manifest)
{
  matrix::CudaRelease r;
  r.version = v(version);
  r.min_driver = v(driver);
  r.targets = targets(arch);
  r.manifest = manifest ? "redistrib_" + version + ".json" : "";
  return r;
}

matrix::CudnnRelease cudnn(const std::string& build, std::vector<matrix::CudnnCudaRange> ranges,
                           const std::string& min_cc, const std::string& max_cc, bool archives)
{
  matrix::CudnnRelease r;
  r.build = v(build);
  r.version = r.build->prefix(3);
  r.cuda = std::move(ranges);
  r.min_capability = cc(min_cc);
  r.max_capability = cc(max_cc);
  r.manifest = archives ? "redistrib_" + r.version.text() + ".json" : "";
  r.manifest_layout = archives ? "cuda_variant" : "none";
  return r;
}

matrix::Variant variant(const std::string& name, core::Platform platform, const std::string& cuda,
                        const std::string& cudnn, const std::vector<std::string>& arch,
                        const std::string& glibc, const std::string& package)
{
  matrix::Variant x;
  x.name = name;
  x.platform = platform;
  x.cuda = v(cuda);
  if (!cudnn.empty()) {
    x.cudnn = v(cudnn);
  }
  x.targets = targets(arch);
  x.glibc = v(glibc);
  x.packages = {package};
  return x;
}

matrix::FrameworkRelease release(const std::string& version, std::vector<matrix::Variant> variants)
{
  matrix::FrameworkRelease r;
  r.series = v(version).prefix(2);
  r.versions = {v(version)};
  r.python_min = v("3.9");
  r.python_max = v("3.12");
  r.variants = std::move(variants);
  return r;
}

// Hand-made numbers; what matters is how they relate (each test says which).
matrix::Matrix v2_matrix()
{
  using P = core::Platform;
  matrix::Matrix m;
  m.cuda_majors = {{11, v("450.80.02"), {}}, {12, v("525.60.13"), {}}, {13, v("580.65.06"), {}}};
  const std::vector<std::string> sm11 = {"sm_35", "sm_37", "sm_50", "sm_60", "sm_70", "sm_80", "sm_86"};
  m.cuda = {cuda("11.1.0", "455.23", sm11, false),  // 8.6 first appears here
            cuda("11.2.2", "460.32.03", sm11, false),
            cuda("11.8.0", "520.61.05", {"sm_35", "sm_37", "sm_50", "sm_60", "sm_70", "sm_80", "sm_86", "sm_90"}, true),
            cuda("12.4.1", "550.54.15", {"sm_50", "sm_60", "sm_70", "sm_80", "sm_86", "sm_90"}, true),
            cuda("12.9.1", "575.57.08", {"sm_50", "sm_60", "sm_70", "sm_80", "sm_86", "sm_90", "sm_120"}, true),
            cuda("13.1.1", "590.48.01", {"sm_75", "sm_80", "sm_86", "sm_90", "sm_120"}, true)};
  m.architectures = {architecture("Kepler", {{"3.5", "319.37"}, {"3.7", "340.29"}}),
                     architecture("Pascal", {{"6.0", "367.48"}, {"6.1", "367.48"}}, 580),
                     architecture("Volta", {{"7.0", "384.81"}}, 580),
                     architecture("Ampere", {{"8.0", "450.36.06"}, {"8.6", "455.23"}}),
                     architecture("Hopper", {{"9.0", "520.61.05"}}),
                     architecture("Blackwell", {{"12.0", "570.26"}})};
  m.cudnn = {cudnn("8.6.0.163", {{11, v("11.0"), v("11.8")}}, "3.5", "9.0", false),
             cudnn("8.9.7.29", {{11, v("11.0"), v("11.8")}, {12, v("12.0"), v("12.9")}}, "5.0", "9.0", true),
             cudnn("9.10.2.21", {{12, v("12.0"), v("12.9")}}, "5.0", "12.0", true),
             cudnn("9.12.0.46", {{12, v("12.0"), v("12.9")}}, "7.5", "12.0", true)};

  matrix::Framework demo;
  demo.name = "demo";
  demo.display_name = "Demo";
  demo.cpu.packages = {"demo-cpu=={version}"};
  demo.platform_gaps = {{P::linux_aarch64, "Demo 3 publishes no aarch64 CUDA wheels", {}}};
  auto system = variant("cuda", P::linux_x86_64, "11.2", "8.6", {"sm_35", "sm_60", "sm_70", "sm_80", "sm_86"}, "2.17", "demo=={version}");
  system.system_toolkit = true;
  auto wheel = variant("cu129", P::linux_x86_64, "12.9.1", "9.10.2.21", {"sm_70", "sm_80", "sm_90", "compute_120"}, "2.28", "demo[cuda12]=={version}");
  wheel.cudnn_wheel = matrix::CudnnWheel{"nvidia-cudnn-cu12", core::VersionSpec::parse(">=9.8,<10").value(), ">=9.8,<10"};
  demo.releases = {
    release("1.0.0", {system}),
    release("1.5.0", {variant("cu118", P::linux_x86_64, "11.8.0", "8.9.7.29", {"sm_60", "sm_70", "sm_80", "sm_86"}, "2.17", "demo=={version}")}),
    // The aarch64 build is listed first and has the newer CUDA: without the platform rule it
    // would win on x86_64 too.
    release("2.0.0", {variant("cu129", P::linux_aarch64, "12.9.1", "9.10.2.21", {"sm_80", "sm_90"}, "2.28", "demo=={version}"),
                      variant("cu124", P::linux_x86_64, "12.4.1", "9.1.0.70", {"sm_60", "sm_70", "sm_80", "sm_90"}, "2.17", "demo=={version}")}),
    release("3.0.0", {wheel, variant("cu131", P::linux_x86_64, "13.1.1", "9.12.0.46", {"sm_80", "sm_90", "compute_70"}, "2.28", "demo=={version}")}),
  };
  m.frameworks = {demo};
  return m;
}

struct V2Case;
void PrintTo(const V2Case& c, std::ostream* out);

struct V2Case {
  std::string name{};
  std::string request{};  // "demo==2.0.0", "none"
  std::string driver{};   // "" = no driver
  std::vector<std::string> gpus{};
  std::string cuda_pin{};
  std::function<void(core::HostFacts&)> host_change{};  // platform, glibc, musl, Jetson
  std::function<void(matrix::Matrix&)> matrix_change{};
  std::string chosen{};  // "demo 2.0.0 cu124" / "CUDA 11.8.0" / "" = no plan
  // Each {candidate, substring of its reason} must be listed as rejected.
  std::vector<std::pair<std::string, std::string>> rejected{};
  std::vector<std::string> hints{};        // each a substring of some hint
  std::vector<std::string> absent{};       // no hint, rejection or failure contains these
  std::vector<std::string> notes{};        // each a substring of some plan note
  std::string failure{};                   // substring of the failure (no plan)
  std::string glibc{};                     // expected plan.glibc ("" = not checked)
  std::string toolkit_cuda{};              // expected plan.toolkit_cuda ("-" = unset)
  std::string toolkit_cudnn{};             // expected plan.toolkit_cudnn ("-" = unset)
  std::vector<std::string> packages{};     // expected plan.packages (empty = not checked)
};

void PrintTo(const V2Case& c, std::ostream* out)
{
  *out << c.name;
}

void aarch64(core::HostFacts& h)
{
  h.platform = core::Platform::linux_aarch64;
}

auto glibc(const std::string& version)
{
  return [version](core::HostFacts& h) { h.glibc = v(version); };
}

void musl(core::HostFacts& h)
{
  h.musl = true;
}

void jetson(core::HostFacts& h)
{
  h.jetson = "Jetson AGX Orin (L4T R36.4.0)";
}

std::string optional_text(const std::optional<core::Version>& version)
{
  return version ? version->text() : "-";
}

class ResolveV2Rules : public ::testing::TestWithParam<V2Case> {};

TEST_P(ResolveV2Rules, Holds)
{
  const auto& c = GetParam();
  auto m = v2_matrix();
  if (c.matrix_change) {
    c.matrix_change(m);
  }
  auto facts = host(c.driver, c.gpus);
  if (c.host_change) {
    c.host_change(facts);
  }
  auto resolution = resolve::resolve(m, facts, request(c.request, "", c.cuda_pin));
  ASSERT_TRUE(resolution.ok()) << resolution.error().message;
  std::string all = resolution->failure;
  for (const auto& r : resolution->rejected) {
    all += "\n  rejected " + r.candidate + ": " + r.reason;
  }
  for (const auto& h : resolution->hints) {
    all += "\n  hint " + h;
  }
  EXPECT_EQ(chosen_name(*resolution), c.chosen) << all;
  for (const auto& [candidate, reason] : c.rejected) {
    const auto it = std::find_if(resolution->rejected.begin(), resolution->rejected.end(),
                                 [&](const auto& r) { return r.candidate == candidate; });
    ASSERT_NE(it, resolution->rejected.end()) << candidate << " not rejected" << all;
    EXPECT_NE(it->reason.find(reason), std::string::npos) << it->reason;
  }
  for (const auto& hint : c.hints) {
    EXPECT_TRUE(std::any_of(resolution->hints.begin(), resolution->hints.end(),
                            [&](const auto& h) { return h.find(hint) != std::string::npos; }))
      << "no hint contains: " << hint << all;
  }
  for (const auto& text : c.absent) {
    EXPECT_EQ(all.find(text), std::string::npos) << text << " appears in" << all;
  }
  if (!c.failure.empty()) {
    EXPECT_NE(resolution->failure.find(c.failure), std::string::npos) << resolution->failure;
  }
  if (!resolution->plan) {
    return;
  }
  const auto& plan = *resolution->plan;
  EXPECT_EQ(plan.platform, facts.platform);
  std::string notes;
  for (const auto& note : plan.notes) {
    notes += "\n  " + note;
  }
  for (const auto& note : c.notes) {
    EXPECT_TRUE(std::any_of(plan.notes.begin(), plan.notes.end(),
                            [&](const auto& n) { return n.find(note) != std::string::npos; }))
      << "no note contains: " << note << notes;
  }
  if (!c.glibc.empty()) {
    EXPECT_EQ(optional_text(plan.glibc), c.glibc);
  }
  if (!c.toolkit_cuda.empty()) {
    EXPECT_EQ(optional_text(plan.toolkit_cuda), c.toolkit_cuda);
  }
  if (!c.toolkit_cudnn.empty()) {
    EXPECT_EQ(optional_text(plan.toolkit_cudnn), c.toolkit_cudnn);
  }
  if (!c.packages.empty()) {
    EXPECT_EQ(plan.packages, c.packages);
  }
}

void no_cuda11_archives(matrix::Matrix& m)
{
  for (auto& r : m.cuda) {
    if (r.version.major() == 11) {
      r.manifest.clear();
    }
  }
}

void cudnn_9_10_from_turing(matrix::Matrix& m)
{
  m.cudnn[2].min_capability = cc("7.5");
}

// clang-format off
const V2Case k_cases[] = {
  // Per-capability floors: on the same architecture, 8.0 needs 450.36.06 (below the 11.x
  // floor 450.80.02) and 8.6 needs 455.23.
  {"floor_8_0_below_cuda_floor", "demo==1.5.0", "452.0", {"8.0"}, "", {}, {}, "demo 1.5.0 cu118"},
  {"floor_8_6_its_own", "demo==1.5.0", "452.0", {"8.6"}, "", {}, {}, "",
   {{"demo 1.5.0 cu118", "compute capability 8.6 (Ampere) needs driver >= 455.23 (first supported by CUDA 11.1)"}},
   {"a driver >= 455.23 would allow demo 1.5.0 cu118"}},
  // Last driver branch: PTX of CUDA 13.1.1 needs 590.48.01, above Volta's R580.
  {"branch_rejects_build", "demo==3.0.0", "580.95.05", {"7.0"}, "", {}, {}, "demo 3.0.0 cu129",
   {{"demo 3.0.0 cu131", "Volta GPUs are supported up to the R580 driver branch; this build needs driver >= 590.48.01"}}},
  {"branch_no_hint_above_it", "demo==3.0.0", "570.0", {"7.0"}, "13", {}, {}, "",
   {{"demo 3.0.0 cu131", "R580 driver branch"}}, {}, {"a driver >= 590", "install an NVIDIA driver >= 590"}},
  {"branch_no_driver_hint_above_it", "demo==3.0.0", "", {"7.0"}, "13", {}, {}, "",
   {{"demo 3.0.0 cu131", "R580 driver branch"}}, {}, {"driver >= 590.48.01:", "driver >= 590.48.01 would"}},
  {"host_driver_newer_than_branch", "demo", "590.48.01", {"8.0", "6.1"}, "", {}, {}, "",
   {{"demo 2.0.0 cu124", "driver 590.48.01 is newer than the R580 branch, the last that supports Pascal (GPU sm_61)"},
    {"demo 3.0.0 cu129", "newer than the R580 branch"}},
   {"install an R580 driver"}},
  // Platform: only the host's platform's builds; a release without one is named with the reason.
  {"platform_x86_64_build", "demo==2.0.0", "580.95.05", {"9.0"}, "", {}, {}, "demo 2.0.0 cu124",
   {}, {}, {"cu129"}, {}, "", "2.17"},
  {"platform_aarch64_build", "demo==2.0.0", "580.95.05", {"9.0"}, "", aarch64, {}, "demo 2.0.0 cu129",
   {}, {}, {"cu124"}, {}, "", "2.28"},
  {"platform_gap_reason", "demo>=2", "580.95.05", {"9.0"}, "", aarch64, {}, "demo 2.0.0 cu129",
   {{"demo 3.0.0", "no GPU build for linux-aarch64: Demo 3 publishes no aarch64 CUDA wheels"}}},
  {"platform_gap_refusal", "demo==3.0.0", "580.95.05", {"9.0"}, "", aarch64, {}, "",
   {{"demo 3.0.0", "no GPU build for linux-aarch64"}}, {"Demo 3.0.0: no GPU build for linux-aarch64: Demo 3 publishes"},
   // Not a GPU problem: no hint about which builds cover the GPU.
   {"covers GPU", "no demo build"}},
  // glibc: the wheels' manylinux floor.
  {"glibc_too_old", "demo==3.0.0", "580.95.05", {"8.6"}, "", glibc("2.27"), {}, "",
   {{"demo 3.0.0 cu129", "its wheels need glibc >= 2.28 (manylinux_2_28); this host has 2.27"}},
   {"demo 2.0.0 cu124 (glibc >= 2.17) works with this host's glibc 2.27: request `demo==2.0.0`"}},
  {"glibc_system_hint", "demo", "580.95.05", {"12.0"}, "", glibc("2.27"), {}, "",
   {{"demo 3.0.0 cu129", "glibc >= 2.28"}}, {"a system with glibc >= 2.28 would allow demo 3.0.0 cu129"}},
  // The smallest change first (2.17 allows demo 2.0.0), then what the preferred build needs.
  {"glibc_lowest_first", "demo", "580.95.05", {"8.6"}, "", glibc("2.12"), {}, "",
   {{"demo 2.0.0 cu124", "glibc >= 2.17"}},
   {"a system with glibc >= 2.17 would allow demo 2.0.0 cu124; glibc >= 2.28 would allow demo 3.0.0 cu131"}},
  {"glibc_new_enough", "demo==3.0.0", "580.95.05", {"8.6"}, "12", glibc("2.28"), {}, "demo 3.0.0 cu129",
   {}, {}, {}, {}, "", "2.28"},
  {"glibc_unknown_noted", "demo==3.0.0", "580.95.05", {"8.6"}, "12", {}, {}, "demo 3.0.0 cu129",
   {}, {}, {}, {"glibc was not checked"}},
  {"musl_refused", "demo", "580.95.05", {"8.6"}, "", musl, {}, "",
   {{"demo 3.0.0 cu129", "its wheels are manylinux (glibc); this host uses musl"},
    {"demo 2.0.0 cu124", "musl"}}, {"glibc-based Linux"}},
  // Jetson: no GPU plan, whatever the matrix knows about its GPU.
  {"jetson_refused", "demo", "540.4.0", {"8.7"}, "", jetson, {}, "", {},
   {"https://developer.nvidia.com/embedded/jetpack"}, {}, {}, "this is an NVIDIA Jetson (Jetson AGX Orin (L4T R36.4.0))"},
  {"jetson_toolkit_refused", "none", "540.4.0", {"8.6"}, "", jetson, {}, "", {}, {"JetPack"}, {}, {}, "JetPack/L4T"},
  // System toolkit: the tested CUDA 11.2 has no archives -> 11.8.0; the tested cuDNN 8.6 has
  // none -> 8.9.7, the newest 8.x for CUDA 11.8 with archives.
  {"toolkit_substitutes_within_major", "demo==1.0.0", "550.54.15", {"8.6"}, "", {}, {}, "demo 1.0.0 cuda",
   {}, {}, {}, {"Demo 1.0 was tested with CUDA 11.2; CUDA 11.x minor releases are backward compatible, so envsetup installs 11.8.0",
                "Demo 1.0 was tested with cuDNN 8.6; cuDNN 8.x releases are backward compatible, so envsetup installs 8.9.7"},
   "", "", "11.8.0", "8.9.7"},
  {"toolkit_no_cudnn_for_gpu", "demo==1.0.0", "550.54.15", {"3.7"}, "", {}, {}, "",
   {{"demo 1.0.0 cuda", "no cuDNN 8.x release with archives for CUDA 11.8 that supports sm_37"}}},
  {"toolkit_no_cuda_archives", "demo==1.0.0", "550.54.15", {"8.6"}, "", {}, no_cuda11_archives, "",
   {{"demo 1.0.0 cuda", "no CUDA 11.x release with redistributable archives"}}},
  // Bare toolkit: only releases with archives; cuDNN only with archives.
  {"bare_toolkit_without_archives", "none", "550.54.15", {"8.6"}, "11.2", {}, {}, "",
   {{"CUDA 11.2.2", "CUDA 11.2.2 has no redistributable archives; envsetup installs 11.8.0 and later"}}},
  {"bare_toolkit_cudnn_with_archives", "none", "550.54.15", {"3.7"}, "11.8", {}, {}, "CUDA 11.8.0",
   {}, {}, {}, {}, "", "", "11.8.0", "-"},
  {"bare_toolkit_fields", "none", "550.54.15", {"8.6"}, "12.4", {}, {}, "CUDA 12.4.1",
   {}, {}, {}, {}, "", "", "12.4.1", "9.12.0"},
  // cuDNN wheel: pip takes the newest cuDNN inside >=9.8,<10 (9.12, from 7.5). (--cuda 12:
  // on 8.6 the cu131 build would win.)
  {"cudnn_wheel_no_pin", "demo==3.0.0", "580.95.05", {"8.6"}, "12", {}, {}, "demo 3.0.0 cu129",
   {}, {}, {}, {}, "", "", "", "", {"demo[cuda12]==3.0.0"}},
  {"cudnn_wheel_pin", "demo==3.0.0", "580.95.05", {"7.0"}, "", {}, {}, "demo 3.0.0 cu129",
   {}, {}, {}, {"pip would install cuDNN 9.12.0 (the newest inside nvidia-cudnn-cu12>=9.8,<10), which does not support sm_70; envsetup pins nvidia-cudnn-cu12==9.10.2.21"},
   "", "", "", "", {"demo[cuda12]==3.0.0", "nvidia-cudnn-cu12==9.10.2.21"}},
  {"cudnn_wheel_refused", "demo==3.0.0", "580.95.05", {"7.0"}, "", {}, cudnn_9_10_from_turing, "",
   {{"demo 3.0.0 cu129", "no cuDNN release inside nvidia-cudnn-cu12>=9.8,<10 supports sm_70"}}},
};
// clang-format on

INSTANTIATE_TEST_SUITE_P(V2, ResolveV2Rules, ::testing::ValuesIn(k_cases),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(ResolveV2Jetson, CpuPlanStillAllowed)
{
  auto facts = host("", {});
  jetson(facts);
  auto resolution = resolve::resolve(v2_matrix(), facts, request("demo", "", "", true));
  ASSERT_TRUE(resolution.ok());
  ASSERT_TRUE(resolution->plan.has_value()) << resolution->failure;
  EXPECT_EQ(resolution->plan->variant, "cpu");
}

// CPU plans: for the host's platform, with the glibc floor of the release's wheels there
// (the lowest of its GPU variants), and none on musl.
TEST(ResolveV2Cpu, PlatformGlibcAndMusl)
{
  auto facts = host("", {});
  aarch64(facts);
  auto on_arm = resolve::resolve(v2_matrix(), facts, request("demo==2.0.0", "", "", true));
  ASSERT_TRUE(on_arm.ok() && on_arm->plan.has_value()) << (on_arm.ok() ? on_arm->failure : "");
  EXPECT_EQ(on_arm->plan->platform, core::Platform::linux_aarch64);
  EXPECT_EQ(optional_text(on_arm->plan->glibc), "2.28");  // demo 2.0.0's aarch64 build

  auto old = host("", {});
  glibc("2.17")(old);
  auto refused = resolve::resolve(v2_matrix(), old, request("demo==3.0.0", "", "", true));
  ASSERT_TRUE(refused.ok());
  EXPECT_FALSE(refused->plan.has_value());
  ASSERT_FALSE(refused->rejected.empty());
  EXPECT_NE(refused->rejected.front().reason.find("glibc >= 2.28"), std::string::npos);
  ASSERT_FALSE(refused->hints.empty());
  EXPECT_NE(refused->hints.front().find("glibc >= 2.28"), std::string::npos);

  auto alpine = host("", {});
  musl(alpine);
  auto none = resolve::resolve(v2_matrix(), alpine, request("demo", "", "", true));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->plan.has_value());
  EXPECT_NE(none->failure.find("musl"), std::string::npos);
}

// On a Jetson a bare toolkit has no `--cpu` form: the hint must not offer it.
TEST(ResolveV2Jetson, BareToolkitHintOffersNoCpu)
{
  auto facts = host("540.4.0", {"8.7"});
  jetson(facts);
  auto resolution = resolve::resolve(v2_matrix(), facts, request("none", "", ""));
  ASSERT_TRUE(resolution.ok());
  EXPECT_FALSE(resolution->plan.has_value());
  EXPECT_TRUE(std::any_of(resolution->hints.begin(), resolution->hints.end(),
                          [](const auto& h) { return h.find("JetPack") != std::string::npos; }));
  for (const auto& hint : resolution->hints) {
    EXPECT_EQ(hint.find("--cpu"), std::string::npos) << hint;
  }
}

// A post release the matrix does not name is a usage error, not a silent pin.
TEST(ResolveV2PostRelease, UnknownSpellingIsRefused)
{
  const auto facts = host("580.95.05", {"8.6"});
  auto request_post = core::Request::parse_framework("demo==2.0.0.post7").value();
  auto refused = resolve::resolve(v2_matrix(), facts, request_post);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, util::ErrorKind::usage);
  EXPECT_NE(refused.error().message.find("demo==2.0.0.post7"), std::string::npos) << refused.error().message;
}

// Each GPU alone has a build, none has both: the hint says to split the environments.
TEST(ResolveV2Hints, GpusNoBuildCoversTogether)
{
  auto resolution = resolve::resolve(v2_matrix(), host("580.95.05", {"6.0", "12.0"}), request("demo"));
  ASSERT_TRUE(resolution.ok());
  EXPECT_FALSE(resolution->plan.has_value());
  std::string all;
  for (const auto& hint : resolution->hints) {
    all += hint + "\n";
  }
  EXPECT_NE(all.find("no demo build covers sm_60 and sm_120 together"), std::string::npos) << all;
}

// --with-toolkit on a wheel build: the plan names a toolkit `install` can lay out (the
// variant's cuDNN 8.9.7.29 is the release 8.9.7); without it the plan names none.
TEST(ResolveV2WithToolkit, WheelBuildGetsAnInstallableToolkit)
{
  const auto facts = host("550.54.15", {"8.6"});
  auto plain = resolve::resolve(v2_matrix(), facts, request("demo==1.5.0", "", ""));
  ASSERT_TRUE(plain.ok() && plain->plan.has_value());
  EXPECT_FALSE(plain->plan->toolkit_cuda.has_value());
  auto asked = request("demo==1.5.0", "", "");
  asked.with_toolkit = true;
  auto resolution = resolve::resolve(v2_matrix(), facts, asked);
  ASSERT_TRUE(resolution.ok());
  ASSERT_TRUE(resolution->plan.has_value()) << resolution->failure;
  EXPECT_EQ(optional_text(resolution->plan->toolkit_cuda), "11.8.0");
  EXPECT_EQ(optional_text(resolution->plan->toolkit_cudnn), "8.9.7");
}

}  // namespace
}  // namespace envsetup::testing
