// SPDX-License-Identifier: Apache-2.0
// `envsetup inspect` as the other commands use it: inspect_paths on folders, venvs and wheels
// made of the nvcc-built fixtures in tests/data/binary, and what verify and doctor make of the
// report (docs/inspect.md).
#include "archive_builder.hpp"
#include "matrix_fixture.hpp"

#include <envsetup/app/inspect_command.hpp>
#include <envsetup/app/inspect_sources.hpp>
#include <envsetup/app/kernel_checks.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace envsetup::testing {
namespace {

namespace fs = std::filesystem;

const fs::path k_fixtures = fs::path(ENVSETUP_TEST_DATA) / "binary";

std::string read_bytes(const fs::path& path)
{
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

core::ComputeCapability cc(const char* text)
{
  return *core::ComputeCapability::parse(text);
}

class AppInspect : public ::testing::Test {
protected:
  void SetUp() override
  {
    char pattern[] = "/tmp/envsetup-inspect-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    m_root = pattern;
  }
  void TearDown() override { fs::remove_all(m_root); }

  // A venv whose site-packages holds `files` ({path below site-packages: fixture name}) owned
  // by the distribution `name` `version` (dist-info with METADATA and RECORD).
  fs::path make_venv(const std::string& name, const std::string& version,
                     const std::vector<std::pair<std::string, std::string>>& files)
  {
    const fs::path venv = m_root / "venv";
    const fs::path site = venv / "lib" / "python3.11" / "site-packages";
    fs::create_directories(site);
    std::ofstream(venv / "pyvenv.cfg") << "home = /usr/bin\nversion = 3.11.2\n";
    const fs::path dist_info = site / (name + "-" + version + ".dist-info");
    fs::create_directories(dist_info);
    std::ofstream(dist_info / "METADATA") << "Metadata-Version: 2.1\nName: " << name << "\nVersion: " << version
                                          << "\n";
    std::ofstream record(dist_info / "RECORD");
    for (const auto& [path, fixture] : files) {
      fs::create_directories((site / path).parent_path());
      fs::copy_file(k_fixtures / fixture, site / path);
      record << path << ",,\n";
    }
    record << name << "-" << version << ".dist-info/RECORD,,\n";
    return venv;
  }

  fs::path m_root;
};

const app::InspectedLibrary* library_named(const app::InspectReport& report, const std::string& suffix)
{
  for (const auto& library : report.libraries) {
    if (library.path.ends_with(suffix)) {
      return &library;
    }
  }
  return nullptr;
}

TEST_F(AppInspect, folder_coverage_follows_the_binary_rules_per_gpu)
{
  fs::copy_file(k_fixtures / "multi.so", m_root / "libmulti.so");
  fs::copy_file(k_fixtures / "sm90a.so", m_root / "libsm90a.so.1");
  fs::copy_file(k_fixtures / "host_only.so", m_root / "libhost.so");
  std::ofstream(m_root / "libscript.so") << "/* GNU ld script */\nINPUT(libreal.so)\n";
  const app::InspectTargets targets{{cc("8.6"), cc("9.0"), cc("12.0")}, std::nullopt, core::Version::parse("12.4").value()};
  auto report = app::inspect_paths({m_root}, targets, real_matrix());
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_EQ(report->libraries.size(), 2U);
  EXPECT_EQ(report->without_cuda.size(), 1U) << "the host-only library; the linker script is not ELF";
  EXPECT_TRUE(report->problems.empty());

  const auto* multi = library_named(*report, "libmulti.so");
  ASSERT_NE(multi, nullptr);
  ASSERT_EQ(multi->coverage.size(), 3U);
  EXPECT_EQ(multi->coverage[0].run.how, resolve::RunKind::sass);
  EXPECT_EQ(multi->coverage[0].run.target, "sm_80") << "8.6 runs the sm_80 SASS";
  EXPECT_EQ(multi->coverage[1].run.target, "sm_90");
  EXPECT_EQ(multi->coverage[2].run.how, resolve::RunKind::ptx_jit);
  EXPECT_EQ(multi->coverage[2].run.driver_can_jit, std::optional<bool>(false))
    << "PTX ISA 9.0 needs a CUDA 13.0 driver; this one runs 12.4";
  EXPECT_FALSE(multi->runs_everywhere());

  const auto* specific = library_named(*report, "libsm90a.so.1");
  ASSERT_NE(specific, nullptr);
  EXPECT_EQ(specific->coverage[0].run.how, resolve::RunKind::none) << "sm_90a runs on 9.0 only";
  EXPECT_EQ(specific->coverage[1].run.target, "sm_90a");
  EXPECT_EQ(specific->coverage[2].run.how, resolve::RunKind::none);
  EXPECT_EQ(specific->coverage[0].units_without_code, 1U);
  EXPECT_FALSE(report->ok());
}

TEST_F(AppInspect, a_new_enough_driver_makes_ptx_runnable)
{
  fs::copy_file(k_fixtures / "multi.so", m_root / "libmulti.so");
  const app::InspectTargets targets{{cc("12.0")}, std::nullopt, core::Version::parse("13.0").value()};
  auto report = app::inspect_paths({m_root / "libmulti.so"}, targets, real_matrix());
  ASSERT_TRUE(report);
  ASSERT_EQ(report->libraries.size(), 1U);
  EXPECT_EQ(report->libraries[0].coverage[0].run.driver_can_jit, std::optional<bool>(true));
  EXPECT_TRUE(report->ok());
}

TEST_F(AppInspect, a_corrupt_library_is_a_problem_and_the_others_are_still_read)
{
  fs::copy_file(k_fixtures / "sass_sm80.so", m_root / "libgood.so");
  const std::string bytes = read_bytes(k_fixtures / "multi.so");
  std::ofstream(m_root / "libcut.so", std::ios::binary) << bytes.substr(0, bytes.size() - 100);
  auto report = app::inspect_paths({m_root}, {{cc("8.0")}, std::nullopt, std::nullopt}, real_matrix());
  ASSERT_TRUE(report);
  ASSERT_EQ(report->problems.size(), 1U);
  EXPECT_TRUE(report->problems[0].path.ends_with("libcut.so"));
  EXPECT_EQ(report->problems[0].error.kind, util::ErrorKind::integrity);
  ASSERT_EQ(report->libraries.size(), 1U);
  EXPECT_TRUE(report->libraries[0].runs_everywhere());
  EXPECT_FALSE(report->ok());
}

TEST_F(AppInspect, a_file_reached_twice_is_reported_once)
{
  fs::copy_file(k_fixtures / "multi.so", m_root / "libmulti.so.1");
  fs::create_hard_link(m_root / "libmulti.so.1", m_root / "libmulti.so");
  auto report = app::inspect_paths({m_root / "libmulti.so.1", m_root, m_root / "libmulti.so"},
                                   {{cc("9.0")}, std::nullopt, std::nullopt}, real_matrix());
  ASSERT_TRUE(report);
  ASSERT_EQ(report->libraries.size(), 1U);
  EXPECT_EQ(report->libraries[0].path, (m_root / "libmulti.so.1").string()) << "the first path it was reached by";
}

TEST_F(AppInspect, a_missing_path_is_a_usage_error)
{
  auto report = app::inspect_paths({m_root / "nothing-here"}, {}, real_matrix());
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().kind, util::ErrorKind::usage);
}

TEST_F(AppInspect, a_wheel_is_read_without_extracting_and_named_by_its_file_name)
{
  const fs::path wheel = m_root / "flashy-1.2.3-cp311-cp311-linux_x86_64.whl";
  ASSERT_EQ(write_archive(wheel,
                          {file_member("flashy/_C.cpython-311-x86_64-linux-gnu.so", read_bytes(k_fixtures / "multi.so")),
                           file_member("flashy/lib/libhost.so", read_bytes(k_fixtures / "host_only.so")),
                           file_member("flashy/__init__.py", "")},
                          ArchiveFormat::zip),
            "");
  auto report = app::inspect_paths({wheel}, {{cc("9.0")}, std::nullopt, std::nullopt}, real_matrix());
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_EQ(report->libraries.size(), 1U);
  EXPECT_EQ(report->libraries[0].path, wheel.string() + "!flashy/_C.cpython-311-x86_64-linux-gnu.so");
  EXPECT_EQ(report->libraries[0].package, "flashy");
  ASSERT_EQ(report->packages.size(), 1U);
  EXPECT_EQ(report->packages[0].version, "1.2.3");
  EXPECT_EQ(report->without_cuda.size(), 1U);
  // Nothing was written next to the wheel.
  EXPECT_EQ(std::distance(fs::directory_iterator(m_root), fs::directory_iterator()), 1);
}

TEST(AppInspectNames, wheel_file_names)
{
  const auto name = app::parse_wheel_name("torch-2.5.1+cu124-cp311-cp311-linux_x86_64.whl");
  EXPECT_EQ(name.distribution, "torch");
  EXPECT_EQ(name.version, "2.5.1+cu124");
  EXPECT_EQ(app::parse_wheel_name("odd.whl").version, "");
}

TEST_F(AppInspect, venv_libraries_belong_to_their_distribution_and_extensions_get_a_rebuild_fix)
{
  const auto venv = make_venv("my_ext", "0.1", {{"my_ext/_C.so", "sass_sm80.so"}});
  auto report = app::inspect_paths({venv}, {{cc("9.0")}, std::nullopt, std::nullopt}, real_matrix());
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_EQ(report->packages.size(), 1U);
  EXPECT_EQ(report->packages[0].name, "my_ext");
  ASSERT_EQ(report->libraries.size(), 1U);
  EXPECT_EQ(report->libraries[0].package, "my_ext");

  std::vector<app::Finding> findings;
  app::kernel_findings(*report, real_matrix(), venv, [](const std::string&, const std::string&) { return std::string("unused"); },
                       findings);
  ASSERT_EQ(findings.size(), 1U);
  EXPECT_EQ(findings[0].id, "no-kernel-image");
  EXPECT_NE(findings[0].title.find("my_ext 0.1"), std::string::npos) << findings[0].title;
  EXPECT_NE(findings[0].evidence.find("_C.so (sm_80)"), std::string::npos) << findings[0].evidence;
  EXPECT_NE(findings[0].fix.find("TORCH_CUDA_ARCH_LIST=\"9.0\""), std::string::npos) << findings[0].fix;
}

TEST_F(AppInspect, a_framework_gets_the_resolvers_build_and_a_kernels_check)
{
  const auto venv = make_venv("torch", "2.5.1+cu124", {{"torch/lib/libtorch_cuda.so", "multi.so"}});
  auto report = app::inspect_paths({venv}, {{cc("12.0")}, std::nullopt, core::Version::parse("12.4").value()},
                                   real_matrix());
  ASSERT_TRUE(report);
  std::vector<app::Finding> findings;
  app::kernel_findings(*report, real_matrix(), venv,
                       [](const std::string& framework, const std::string& installed) { return "install " + framework + " " + installed; }, findings);
  ASSERT_EQ(findings.size(), 1U);
  EXPECT_EQ(findings[0].id, "ptx-jit-driver-too-old") << "compute_90 covers 12.0 only through a 13.0 driver";
  EXPECT_NE(findings[0].fix.find("CUDA 13.0"), std::string::npos) << findings[0].fix;

  const auto failed = app::kernel_check("torch", *report, real_matrix());
  EXPECT_EQ(failed.name, "framework:torch:kernels");
  EXPECT_EQ(failed.status, verify::CheckStatus::fail);
  EXPECT_NE(failed.detail.find("libtorch_cuda.so"), std::string::npos) << failed.detail;

  auto on_hopper = app::inspect_paths({venv}, {{cc("9.0"), cc("8.6")}, std::nullopt, std::nullopt}, real_matrix());
  ASSERT_TRUE(on_hopper);
  const auto passed = app::kernel_check("torch", *on_hopper, real_matrix());
  EXPECT_EQ(passed.status, verify::CheckStatus::pass);
  EXPECT_EQ(passed.detail, "sm_90: SASS sm_90; sm_86: SASS sm_80");
  EXPECT_EQ(app::kernel_check("jax", *on_hopper, real_matrix()).status, verify::CheckStatus::skip);

  auto on_volta = app::inspect_paths({venv}, {{cc("7.0")}, std::nullopt, std::nullopt}, real_matrix());
  ASSERT_TRUE(on_volta);
  findings.clear();
  app::kernel_findings(*on_volta, real_matrix(), venv,
                       [](const std::string& framework, const std::string& installed) { return "install " + framework + " " + installed; }, findings);
  ASSERT_EQ(findings.size(), 1U);
  EXPECT_EQ(findings[0].id, "no-kernel-image");
  EXPECT_EQ(findings[0].fix, "install torch 2.5.1+cu124   # the build the resolver picks for these GPUs");
}

TEST_F(AppInspect, the_matrix_is_checked_against_a_frameworks_binaries)
{
  // torch 2.5.1 cu124 is built for 5.0 ... 9.0 (+PTX 9.0 in the matrix); this fake build has
  // sm_75 sm_80 sm_90 compute_90 only.
  const auto venv = make_venv("torch", "2.5.1+cu124", {{"torch/lib/libtorch_cuda.so", "multi.so"},
                                                       {"torch/lib/libcudnn_ops.so.9", "sm100f.so"}});
  auto report = app::inspect_paths({venv}, {}, real_matrix());
  ASSERT_TRUE(report);
  ASSERT_EQ(report->warnings.size(), 1U);
  const auto& warning = report->warnings[0];
  EXPECT_EQ(warning.id, "matrix-mismatch");
  EXPECT_EQ(warning.subject, "torch 2.5.1+cu124");
  EXPECT_NE(warning.message.find("only in the matrix: sm_50"), std::string::npos) << warning.message;
  EXPECT_EQ(warning.message.find("sm_100f"), std::string::npos) << "bundled NVIDIA libraries are not the build's";

  // A version the matrix does not list is not compared.
  fs::remove_all(m_root / "venv");
  const auto other = make_venv("torch", "1.0.0", {{"torch/lib/libtorch_cuda.so", "multi.so"}});
  auto unknown = app::inspect_paths({other}, {}, real_matrix());
  ASSERT_TRUE(unknown);
  EXPECT_TRUE(unknown->warnings.empty());
}

}  // namespace
}  // namespace envsetup::testing
