// SPDX-License-Identifier: Apache-2.0
// `envsetup doctor`'s fixes fit the host: /etc/os-release per distribution, containers, a
// toolkit newer than the driver, and venv creation failures named for what they are.
#include "fake_host.hpp"
#include "matrix_fixture.hpp"

#include <envsetup/app/doctor.hpp>
#include <envsetup/detect/detect.hpp>
#include <envsetup/detect/environment_facts.hpp>
#include <envsetup/detect/host_os.hpp>
#include <envsetup/pyenv/venv.hpp>

#include <gtest/gtest.h>

namespace envsetup::testing {
namespace {

const char* k_ubuntu =
  "PRETTY_NAME=\"Ubuntu 24.04.1 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"24.04\"\nID=ubuntu\nID_LIKE=debian\n";
const char* k_debian = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_ID=\"12\"\nID=debian\n";
const char* k_fedora = "NAME=\"Fedora Linux\"\nVERSION_ID=40\nID=fedora\n";
const char* k_rocky = "NAME=\"Rocky Linux\"\nVERSION_ID=\"9.4\"\nID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\n";
const char* k_mint = "NAME=\"Linux Mint\"\nID=linuxmint\nID_LIKE=\"ubuntu debian\"\nVERSION_ID=\"22\"\n";

std::vector<app::Finding> doctor(const FakeHost& host)
{
  const auto probe = host.probe({});
  const auto report = detect::detect_host(probe, real_matrix());
  std::vector<std::string> toolkits;
  for (const auto& toolkit : report.toolkits) {
    toolkits.push_back(toolkit.path);
  }
  return app::doctor_findings(report, detect::read_environment_facts(probe, {}, toolkits), real_matrix());
}

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

bool contains(const std::string& text, const std::string& part)
{
  return text.find(part) != std::string::npos;
}

TEST(DoctorHostFit, OsReleaseFamilies)
{
  EXPECT_EQ(detect::host_os_from_release(k_ubuntu).family, detect::OsFamily::ubuntu);
  EXPECT_EQ(detect::host_os_from_release(k_mint).family, detect::OsFamily::ubuntu);
  EXPECT_EQ(detect::host_os_from_release(k_debian).family, detect::OsFamily::debian);
  EXPECT_EQ(detect::host_os_from_release(k_fedora).family, detect::OsFamily::fedora);
  EXPECT_EQ(detect::host_os_from_release(k_rocky).family, detect::OsFamily::rhel);
  EXPECT_EQ(detect::host_os_from_release("ID=alpine\n").family, detect::OsFamily::unknown);
  const auto ubuntu = detect::host_os_from_release(k_ubuntu);
  EXPECT_EQ(ubuntu.version_id, "24.04");
  EXPECT_EQ(detect::os_display_name(ubuntu), "Ubuntu 24.04.1 LTS");
}

TEST(DoctorHostFit, OsReleaseIsUntrustedText)
{
  const auto os = detect::host_os_from_release("# comment\nnonsense\nID=\"deb\\\"ian\x1b[31m\"\nPRETTY_NAME='x'\n=\n");
  EXPECT_EQ(os.id, "deb\"ian[31m");
  EXPECT_EQ(os.pretty_name, "x");
  EXPECT_EQ(detect::host_os_from_release("").family, detect::OsFamily::unknown);
}

TEST(DoctorHostFit, NoDriverFixPerDistribution)
{
  struct Case {
    const char* os_release;
    const char* expected;
  };
  for (const Case& c :
       {Case{k_ubuntu, "sudo ubuntu-drivers install"},
        Case{k_debian, "sudo apt install nvidia-driver firmware-misc-nonfree"}, Case{k_fedora, "akmod-nvidia"},
        Case{k_rocky, "nvidia-driver:latest-dkms"}, Case{"ID=alpine\n", "your distribution's package"}}) {
    FakeHost host;
    host.pci_gpu("0000:01:00.0", "0x2204").file("/etc/os-release", c.os_release);
    const auto finding = find(doctor(host), "no-driver");
    EXPECT_TRUE(contains(finding.fix, c.expected)) << c.os_release << "\n" << finding.fix;
  }
  FakeHost debian;
  debian.pci_gpu("0000:01:00.0", "0x2204").file("/etc/os-release", k_debian);
  EXPECT_TRUE(contains(find(doctor(debian), "no-driver").fix, "non-free-firmware"));
  FakeHost rocky;
  rocky.pci_gpu("0000:01:00.0", "0x2204").file("/usr/lib/os-release", k_rocky);  // the fallback file
  EXPECT_TRUE(contains(find(doctor(rocky), "no-driver").fix, "repos/rhel9/"));
}

// The fixes are commands users paste into a root shell: no text from /etc/os-release may
// reach one. VERSION_ID went into the RHEL repo URL as it was, so `9;rm -rf ~` became a command.
TEST(DoctorHostFit, OsReleaseTextNeverReachesAFixCommand)
{
  for (const std::string version : {"9;rm -rf ~ #", "9$(reboot)", "9`id`", "9 | sh", "9&&x", "../../evil"}) {
    const std::string release = "ID=\"rocky\"\nID_LIKE=\"rhel\"\nVERSION_ID=\"" + version + "\"\n";
    for (const std::optional<int> branch : {std::optional<int>(), std::optional<int>(570)}) {
      const std::string fix = app::driver_install_fix(detect::host_os_from_release(release), branch);
      EXPECT_TRUE(contains(fix, "repos/rhel9/x86_64/cuda-rhel9.repo")) << version << "\n" << fix;
      for (const char* bad : {"rm -rf", "$(", "`", "| sh", "&&x", "evil"}) {
        EXPECT_FALSE(contains(fix, bad)) << version << "\n" << fix;
      }
    }
  }
  const auto eight = detect::host_os_from_release("ID=\"rhel\"\nVERSION_ID=\"8.10\"\n");
  EXPECT_TRUE(contains(app::driver_install_fix(eight, std::nullopt), "repos/rhel8/x86_64/cuda-rhel8.repo"));
}

TEST(DoctorHostFit, NouveauOnFedoraRebuildsWithDracut)
{
  FakeHost host;
  host.pci_gpu("0000:01:00.0", "0x2204")
    .file("/proc/modules", "nouveau 2854912 1 - Live 0x0\n")
    .file("/etc/os-release", k_fedora);
  const auto fix = find(doctor(host), "nouveau-loaded").fix;
  EXPECT_TRUE(contains(fix, "dracut --force")) << fix;
  EXPECT_FALSE(contains(fix, "update-initramfs")) << fix;
}

TEST(DoctorHostFit, DriverBranchFixUsesTheDistributionsPackage)
{
  matrix::Matrix matrix;
  matrix::Architecture pascal;
  pascal.name = "Pascal";
  pascal.capabilities = {{6, 0}};
  pascal.last_driver_branch = 580;
  matrix.architectures = {pascal};
  detect::HostReport report;
  report.driver =
    detect::DriverInfo{core::Version::parse("590.44").value(), std::nullopt, "proc", "", std::nullopt, std::nullopt};
  detect::GpuInfo gpu;
  gpu.name = "Tesla P100";
  gpu.compute_capability = core::ComputeCapability{6, 0};
  report.gpus = {gpu};
  detect::EnvironmentFacts facts;
  facts.os = detect::host_os_from_release(k_ubuntu);
  EXPECT_TRUE(contains(find(app::doctor_findings(report, facts, matrix), "driver-too-new").fix,
                       "sudo apt install nvidia-driver-580"));
  facts.os = detect::host_os_from_release(k_rocky);
  EXPECT_TRUE(
    contains(find(app::doctor_findings(report, facts, matrix), "driver-too-new").fix, "nvidia-driver:580-dkms"));
}

TEST(DoctorHostFit, InsideAContainerTheAdviceIsGpusAllNotADriver)
{
  for (const auto& [path, content] : std::vector<std::pair<std::string, std::string>>{
         {"/.dockerenv", ""}, {"/run/.containerenv", ""}, {"/proc/1/cgroup", "0::/kubepods/besteffort/pod1\n"}}) {
    FakeHost host;
    host.pci_gpu("0000:01:00.0", "0x2204").file("/etc/os-release", k_ubuntu).file(path, content);
    const auto fix = find(doctor(host), "no-driver").fix;
    EXPECT_TRUE(contains(fix, "--gpus all")) << path << ": " << fix;
    EXPECT_TRUE(contains(fix, "NVIDIA Container Toolkit")) << fix;
    EXPECT_FALSE(contains(fix, "ubuntu-drivers")) << fix;
  }
  FakeHost no_gpu;
  no_gpu.file("/.dockerenv", "");
  EXPECT_TRUE(contains(find(doctor(no_gpu), "no-gpu").fix, "--gpus all"));
  FakeHost plain;
  plain.file("/proc/1/cgroup", "0::/init.scope\n");
  EXPECT_FALSE(contains(find(doctor(plain), "no-gpu").fix, "--gpus all"));
}

TEST(DoctorHostFit, ToolkitNewerThanTheDriver)
{
  const auto report_with = [](const char* toolkit, const char* driver_cuda) {
    detect::HostReport report;
    report.driver = detect::DriverInfo{core::Version::parse("550.54.15").value(),
                                       core::Version::parse(driver_cuda).value(),
                                       "nvml",
                                       "nvml",
                                       std::nullopt,
                                       std::nullopt};
    detect::ToolkitInfo info;
    info.path = "/usr/local/cuda";
    info.version = core::Version::parse(toolkit).value();
    info.version_source = "version.json";
    report.toolkits = {info};
    return report;
  };
  detect::EnvironmentFacts facts;
  facts.os = detect::host_os_from_release(k_debian);
  auto findings = app::doctor_findings(report_with("12.8.1", "12.4"), facts, real_matrix());
  const auto minor = find(findings, "toolkit-newer-than-driver");
  EXPECT_EQ(minor.severity, app::Severity::warning);
  EXPECT_TRUE(contains(minor.title, "CUDA toolkit 12.8 in /usr/local/cuda is newer than driver 550.54.15"))
    << minor.title;
  EXPECT_TRUE(contains(minor.fix, "envsetup install --cuda 12.4")) << minor.fix;
  EXPECT_TRUE(contains(minor.fix, "nvidia-driver")) << minor.fix;
  EXPECT_EQ(
    find(app::doctor_findings(report_with("13.0", "12.4"), facts, real_matrix()), "toolkit-newer-than-driver").severity,
    app::Severity::error);
  for (const char* fine : {"12.4.1", "12.2", "11.8"}) {
    const auto ok = app::doctor_findings(report_with(fine, "12.4"), facts, real_matrix());
    EXPECT_TRUE(
      std::none_of(ok.begin(), ok.end(), [](const app::Finding& f) { return f.id == "toolkit-newer-than-driver"; }))
      << fine;
  }
}

TEST(DoctorHostFit, VenvFailuresAreNamedForWhatTheyAre)
{
  const std::filesystem::path python = "/usr/bin/python3.12";
  const std::filesystem::path dir = "/data/ro/venv";
  const auto read_only =
    pyenv::venv_failure_hint("Error: [Errno 30] Read-only file system: '/data/ro/venv'", python, dir);
  EXPECT_TRUE(contains(read_only, "read-only")) << read_only;
  EXPECT_FALSE(contains(read_only, "-venv`")) << read_only;
  const auto denied = pyenv::venv_failure_hint("Error: [Errno 13] Permission denied: '/data/ro/venv'", python, dir);
  EXPECT_TRUE(contains(denied, "permission problem")) << denied;
  EXPECT_FALSE(contains(denied, "apt install")) << denied;
  const auto missing = pyenv::venv_failure_hint(
    "The virtual environment was not created successfully because ensurepip is not\navailable.", python, dir);
  EXPECT_TRUE(contains(missing, "apt install python3.12-venv")) << missing;
  EXPECT_FALSE(contains(pyenv::venv_failure_hint("something else", python, dir), "apt"));
}

}  // namespace
}  // namespace envsetup::testing
