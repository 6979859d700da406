// SPDX-License-Identifier: Apache-2.0
// `envsetup doctor`'s findings, one fake host (sysroot) per finding (docs/doctor.md).
#include "fake_host.hpp"
#include "matrix_fixture.hpp"

#include <envsetup/app/doctor.hpp>
#include <envsetup/detect/detect.hpp>
#include <envsetup/detect/environment_facts.hpp>

#include <gtest/gtest.h>

#include <algorithm>

namespace envsetup::testing {
namespace {

const std::string k_lib = "/usr/lib/x86_64-linux-gnu";
const std::string k_site = "/usr/lib/python3/dist-packages";

std::vector<app::Finding> doctor(const FakeHost& host, detect::SystemProbe::Environment environment = {},
                                 const std::vector<std::string>& venvs = {})
{
  const auto probe = host.probe(std::move(environment));
  const auto report = detect::detect_host(probe, real_matrix());
  std::vector<std::string> toolkits;
  for (const auto& toolkit : report.toolkits) {
    toolkits.push_back(toolkit.path);
  }
  const auto facts = detect::read_environment_facts(probe, venvs, toolkits);
  return app::doctor_findings(report, facts, real_matrix());
}

// The first finding `id`; a test failure (and an empty finding) when there is none.
app::Finding find(const std::vector<app::Finding>& findings, const std::string& id)
{
  for (const auto& finding : findings) {
    if (finding.id == id) {
      return finding;
    }
  }
  ADD_FAILURE() << "no finding " << id;
  return {};
}

bool has(const std::vector<app::Finding>& findings, const std::string& id)
{
  return std::any_of(findings.begin(), findings.end(), [&](const app::Finding& f) { return f.id == id; });
}

// A system Python with `dist` (e.g. "torch-2.5.1+cu124.dist-info") installed.
FakeHost& with_python(FakeHost& host, const std::string& dist)
{
  host.script("/usr/bin/python3.11", "").link("/usr/bin/python3", "python3.11").dist(k_site, dist);
  return host;
}

const detect::SystemProbe::Environment k_path = {{"PATH", "/usr/bin"}};

TEST(Doctor, NoDriverWithGpu)
{
  FakeHost host;
  host.pci_gpu("0000:01:00.0", "0x2204");
  const auto findings = doctor(host);
  const auto finding = find(findings, "no-driver");
  EXPECT_EQ(finding.severity, app::Severity::error);
  EXPECT_NE(finding.evidence.find("1 NVIDIA GPU(s)"), std::string::npos);
  EXPECT_NE(finding.fix.find("install the NVIDIA driver"), std::string::npos);  // no os-release: generic
}

TEST(Doctor, NoGpuIsOnlyInformation)
{
  FakeHost host;
  host.dir("/etc");
  const auto findings = doctor(host);
  ASSERT_EQ(findings.size(), 1U);
  EXPECT_EQ(findings[0].id, "no-gpu");
  EXPECT_EQ(findings[0].severity, app::Severity::info);
}

TEST(Doctor, NouveauLoaded)
{
  FakeHost host;
  host.pci_gpu("0000:01:00.0", "0x2204")
    .file("/proc/modules", "drm 622592 4 nouveau, Live 0x0\nnouveau 2854912 1 - Live 0x0\n");
  const auto finding = find(doctor(host), "nouveau-loaded");
  EXPECT_EQ(finding.severity, app::Severity::error);
  EXPECT_NE(finding.fix.find("blacklist nouveau"), std::string::npos);
}

TEST(Doctor, NoNouveauWhenOnlyOtherModules)
{
  FakeHost host;
  host.kernel_module("550.54.15").pci_gpu("0000:01:00.0", "0x2204").file("/proc/modules", "nvidia 1 0 - Live 0x0\n");
  EXPECT_FALSE(has(doctor(host), "nouveau-loaded"));
}

TEST(Doctor, KernelModuleAndLibcudaMismatch)
{
  FakeHost host;
  host.kernel_module("535.104.05")
    .file(k_lib + "/libcuda.so.535.54.03", "")
    .link(k_lib + "/libcuda.so.1", "libcuda.so.535.54.03");
  const auto finding = find(doctor(host), "driver-mismatch");
  EXPECT_EQ(finding.severity, app::Severity::error);
  EXPECT_NE(finding.evidence.find("535.104.05"), std::string::npos);
  EXPECT_NE(finding.evidence.find("535.54.03"), std::string::npos);
}

TEST(Doctor, DriverTooOldForInstalledTorch)
{
  FakeHost host;
  host.kernel_module("470.82.01").pci_gpu("0000:01:00.0", "0x2204");
  with_python(host, "torch-2.5.1+cu124.dist-info");
  const auto findings = doctor(host, k_path);
  const auto finding = find(findings, "driver-too-old");
  EXPECT_EQ(finding.severity, app::Severity::error);
  EXPECT_NE(finding.title.find("470.82.01"), std::string::npos);
  EXPECT_NE(finding.evidence.find("525.60.13"), std::string::npos);  // CUDA 12 Table 2 floor
  EXPECT_NE(finding.fix.find(">= 525.60.13"), std::string::npos);
}

TEST(Doctor, NewEnoughDriverIsNotReported)
{
  FakeHost host;
  host.kernel_module("550.54.15").pci_gpu("0000:01:00.0", "0x2204");
  with_python(host, "torch-2.5.1+cu124.dist-info");
  const auto findings = doctor(host, k_path);
  EXPECT_FALSE(has(findings, "driver-too-old"));
  EXPECT_FALSE(has(findings, "gpu-not-covered"));
}

// A driver branch newer than the last one for the GPU's architecture. The matrix is made
// here (Pascal ends at R580), so the test does not wait for the shipped data.
TEST(Doctor, DriverNewerThanTheGpusLastBranch)
{
  matrix::Matrix matrix;
  matrix::Architecture pascal;
  pascal.name = "Pascal";
  pascal.capabilities = {{6, 0}, {6, 1}};
  pascal.last_driver_branch = 580;
  matrix.architectures = {pascal};
  detect::HostReport report;
  report.driver = detect::DriverInfo{core::Version::parse("590.44").value(), std::nullopt, "proc", "",
                                     std::nullopt, std::nullopt};
  detect::GpuInfo gpu;
  gpu.name = "Tesla P100";
  gpu.compute_capability = core::ComputeCapability{6, 0};
  report.gpus = {gpu};
  const auto findings = app::doctor_findings(report, {}, matrix);
  const auto finding = find(findings, "driver-too-new");
  EXPECT_EQ(finding.severity, app::Severity::error);
  EXPECT_EQ(finding.title,
            "driver 590.44 is newer than R580, the last branch that supports Pascal GPUs (Tesla P100, sm_60)");
  EXPECT_NE(finding.evidence.find("590.44 (proc)"), std::string::npos);
  EXPECT_NE(finding.fix.find("install an R580 driver"), std::string::npos);

  report.driver->version = core::Version::parse("580.95.05").value();
  EXPECT_FALSE(has(app::doctor_findings(report, {}, matrix), "driver-too-new"));
}

TEST(Doctor, GpuNotCoveredByInstalledTorch)
{
  FakeHost host;
  host.kernel_module("470.82.01").pci_gpu("0000:01:00.0", "0x1004");  // GK110, sm_35
  with_python(host, "torch-2.5.1+cu124.dist-info");
  const auto finding = find(doctor(host, k_path), "gpu-not-covered");
  EXPECT_EQ(finding.severity, app::Severity::error);
  EXPECT_NE(finding.title.find("sm_35"), std::string::npos);
  EXPECT_NE(finding.evidence.find("sm_50"), std::string::npos);
}

TEST(Doctor, CpuOnlyBuildOnGpuHost)
{
  FakeHost host;
  host.kernel_module("550.54.15").pci_gpu("0000:01:00.0", "0x2204");
  with_python(host, "torch-2.6.0+cpu.dist-info");
  const auto finding = find(doctor(host, k_path), "cpu-only-build");
  EXPECT_EQ(finding.severity, app::Severity::warning);
  EXPECT_NE(finding.title.find("torch 2.6.0+cpu"), std::string::npos);
}

TEST(Doctor, LdLibraryPathShadowsTheFrameworksRuntime)
{
  FakeHost host;
  host.kernel_module("550.54.15").pci_gpu("0000:01:00.0", "0x2204").file("/opt/cuda-11/lib64/libcudart.so.11.0", "");
  with_python(host, "torch-2.5.1+cu124.dist-info");
  const auto finding =
    find(doctor(host, {{"PATH", "/usr/bin"}, {"LD_LIBRARY_PATH", "/opt/cuda-11/lib64"}}), "library-shadowing");
  EXPECT_EQ(finding.severity, app::Severity::warning);
  EXPECT_NE(finding.evidence.find("/opt/cuda-11/lib64/libcudart.so.11.0"), std::string::npos);
  EXPECT_NE(finding.fix.find("LD_LIBRARY_PATH"), std::string::npos);
}

TEST(Doctor, LdSoConfShadowsCudaHome)
{
  FakeHost host;
  host.file("/usr/local/cuda-12.4/version.json", R"({"cuda": {"version": "12.4.1"}})")
    .file("/etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n")
    .file("/etc/ld.so.conf.d/cuda-11.conf", "# old toolkit\n/opt/cuda-11.8/lib64\n")
    .file("/opt/cuda-11.8/lib64/libcublas.so.11", "");
  const auto finding = find(doctor(host, {{"CUDA_HOME", "/usr/local/cuda-12.4"}}), "library-shadowing");
  EXPECT_NE(finding.title.find("ld.so.conf"), std::string::npos);
  EXPECT_NE(finding.evidence.find("12.4.1"), std::string::npos);
  EXPECT_NE(finding.fix.find("ldconfig"), std::string::npos);
}

TEST(Doctor, SeveralCudnnVersionsReachable)
{
  FakeHost host;
  host.file("/opt/cudnn8/lib/libcudnn.so.8.9.7", "")
    .file("/opt/cudnn8/lib/libcudnn.so.8", "")
    .file(k_lib + "/libcudnn.so.9.1.0", "");
  const auto finding = find(doctor(host, {{"LD_LIBRARY_PATH", "/opt/cudnn8/lib"}}), "cudnn-copies");
  EXPECT_NE(finding.evidence.find("8.9.7"), std::string::npos);
  EXPECT_NE(finding.evidence.find("9.1.0"), std::string::npos);
}

TEST(Doctor, SameCudnnInTwoPlacesIsFine)
{
  FakeHost host;
  host.file("/opt/cudnn9/lib/libcudnn.so.9", "").file(k_lib + "/libcudnn.so.9.1.0", "");
  EXPECT_FALSE(has(doctor(host, {{"LD_LIBRARY_PATH", "/opt/cudnn9/lib"}}), "cudnn-copies"));
}

TEST(Doctor, NvccOnPathFromAnotherToolkit)
{
  FakeHost host;
  host.script("/usr/local/cuda-11.8/bin/nvcc", "Cuda compilation tools, release 11.8, V11.8.89")
    .file("/usr/local/cuda-12.4/version.json", R"({"cuda": {"version": "12.4.1"}})");
  const auto findings =
    doctor(host, {{"PATH", "/usr/local/cuda-11.8/bin:/usr/bin"}, {"CUDA_HOME", "/usr/local/cuda-12.4"}});
  const auto finding = find(findings, "nvcc-mismatch");
  EXPECT_NE(finding.evidence.find("/usr/local/cuda-11.8/bin/nvcc"), std::string::npos);
  EXPECT_NE(finding.fix.find("/usr/local/cuda-12.4/bin"), std::string::npos);
}

TEST(Doctor, NvccFromCudaHomeIsFine)
{
  FakeHost host;
  host.script("/usr/local/cuda-12.4/bin/nvcc", "Cuda compilation tools, release 12.4, V12.4.131");
  EXPECT_FALSE(has(doctor(host, {{"PATH", "/usr/local/cuda-12.4/bin"}, {"CUDA_HOME", "/usr/local/cuda-12.4"}}),
                   "nvcc-mismatch"));
}

TEST(Doctor, VenvWhosePythonIsGone)
{
  FakeHost host;
  host.file("/work/venv/pyvenv.cfg", "home = /opt/python3.9/bin\nversion = 3.9.18\n")
    .link("/work/venv/bin/python", "/opt/python3.9/bin/python3.9");
  const auto finding = find(doctor(host, {}, {"/work/venv"}), "venv-python-missing");
  EXPECT_EQ(finding.severity, app::Severity::error);
  EXPECT_NE(finding.evidence.find("/opt/python3.9/bin"), std::string::npos);
  EXPECT_NE(finding.fix.find("python3 -m venv --clear /work/venv"), std::string::npos);
}

TEST(Doctor, FailedChecksBecomeErrorFindings)
{
  const std::vector<verify::Check> checks = {
    {"framework:torch", verify::CheckStatus::fail, "import torch failed", std::string("reinstall"), {}},
    {"toolkit:libcudnn", verify::CheckStatus::skip, "no libcudnn", std::nullopt, {}}};
  const auto findings = app::check_findings(checks);
  ASSERT_EQ(findings.size(), 1U);
  EXPECT_EQ(findings[0].id, "check-failed");
  EXPECT_EQ(findings[0].fix, "reinstall");
  app::DoctorReport report;
  report.findings = findings;
  EXPECT_FALSE(report.ok());
}

TEST(Doctor, ParsesLdSoConf)
{
  std::vector<std::string> includes;
  const auto dirs = detect::parse_ld_so_conf("# c\ninclude /etc/ld.so.conf.d/*.conf\n/usr/local/lib  # x\n\nbogus\n", includes);
  EXPECT_EQ(dirs, std::vector<std::string>{"/usr/local/lib"});
  EXPECT_EQ(includes, std::vector<std::string>{"/etc/ld.so.conf.d/*.conf"});
}

}  // namespace
}  // namespace envsetup::testing
