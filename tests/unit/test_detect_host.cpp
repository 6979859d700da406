// SPDX-License-Identifier: Apache-2.0
// Host detection on fake hosts (sysroot folders), field by field. The NVML and driver API
// paths load the fake libraries of tests/fakes with dlopen: no GPU needed.
#include "fake_host.hpp"
#include "matrix_fixture.hpp"

#include <envsetup/detect/detect.hpp>

#include <gtest/gtest.h>

#include <cstdlib>

namespace envsetup::testing {
namespace {

const char* const k_lib = "/usr/lib/x86_64-linux-gnu";

// Sets the fake libraries' configuration for one test.
class FakeLibraryEnvironment {
public:
  FakeLibraryEnvironment(const char* gpus, const char* nvml_mode = "ok", const char* cuda_mode = "ok",
                         const char* driver = "535.104.05", const char* cuda = "12020")
  {
    ::setenv("FAKE_NVIDIA_GPUS", gpus, 1);
    ::setenv("FAKE_NVML_MODE", nvml_mode, 1);
    ::setenv("FAKE_CUDA_MODE", cuda_mode, 1);
    ::setenv("FAKE_NVIDIA_DRIVER", driver, 1);
    ::setenv("FAKE_NVIDIA_CUDA", cuda, 1);
  }
  ~FakeLibraryEnvironment()
  {
    for (const char* name : {"FAKE_NVIDIA_GPUS", "FAKE_NVML_MODE", "FAKE_CUDA_MODE",
                             "FAKE_NVIDIA_DRIVER", "FAKE_NVIDIA_CUDA"}) {
      ::unsetenv(name);
    }
  }
  FakeLibraryEnvironment(const FakeLibraryEnvironment&) = delete;
  FakeLibraryEnvironment& operator=(const FakeLibraryEnvironment&) = delete;
};

const char* const k_two_gpus =
  "8.6|NVIDIA GeForce RTX 3090|25769803776|00000000:01:00.0|2204;"
  "9.0|NVIDIA H100 80GB HBM3|85520809984|00000000:19:00.0|2330";

detect::HostReport detect_on(const FakeHost& host, detect::SystemProbe::Environment env = {})
{
  return detect::detect_host(host.probe(std::move(env)), real_matrix());
}

bool has_warning(const detect::HostReport& report, const std::string& text)
{
  return std::any_of(report.warnings.begin(), report.warnings.end(),
                     [&](const std::string& w) { return w.find(text) != std::string::npos; });
}

TEST(DetectHost, EmptyHostHasNothingAndDoesNotFail)
{
  FakeHost host;
  const auto report = detect_on(host);
  EXPECT_FALSE(report.driver.has_value());
  EXPECT_TRUE(report.gpus.empty());
  EXPECT_TRUE(report.toolkits.empty());
  EXPECT_TRUE(report.pythons.empty());
  EXPECT_TRUE(report.warnings.empty());
  EXPECT_EQ(report.host.arch, "x86_64");
}

// A std::string of a literal that contains NUL bytes.
template <std::size_t N>
std::string bytes(const char (&literal)[N])
{
  return std::string(literal, N - 1);
}

TEST(DetectHost, Platform)
{
  FakeHost host;
  host.file("/etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n"
                               "VERSION_ID=\"12\"\nID=debian\n")
    .file("/usr/lib/x86_64-linux-gnu/libc.so.6",
          bytes("\x7f" "ELF junk\0junk GNU C Library (Debian GLIBC 2.36-9+deb12u4) stable release "
                "version 2.36.\n more"))
    .file("/.dockerenv", "")
    .file("/proc/version", "Linux version 5.15.153.1-microsoft-standard-WSL2 (gcc)\n");
  const auto report = detect_on(host);
  EXPECT_EQ(report.host.os, "Debian GNU/Linux");
  EXPECT_EQ(report.host.os_version, "12");
  EXPECT_EQ(report.host.glibc, "2.36");
  EXPECT_TRUE(report.host.container);
  EXPECT_TRUE(report.host.wsl);
}

TEST(DetectHost, DriverNotInstalledYetGpusFromPciAndMatrixChips)
{
  FakeHost host;
  host.pci_gpu("0000:01:00.0", "0x2204")
    .pci_gpu("0000:02:00.0", "0x2684")
    .file("/sys/bus/pci/devices/0000:03:00.0/vendor", "0x8086\n")  // not NVIDIA
    .file("/sys/bus/pci/devices/0000:03:00.0/class", "0x030000\n")
    .file("/sys/bus/pci/devices/0000:03:00.0/device", "0x4680\n")
    .file("/usr/share/misc/pci.ids", "# comment\n10de  NVIDIA Corporation\n\t2204  GA102 [GeForce RTX 3090]\n"
                                     "\t\t10de 1454  subsystem\n8086  Intel Corporation\n\t2204  not this\n");
  const auto report = detect_on(host);
  EXPECT_FALSE(report.driver.has_value());
  ASSERT_EQ(report.gpus.size(), 2U);
  EXPECT_EQ(report.gpus[0].compute_capability.value(), (core::ComputeCapability{8, 6}));
  EXPECT_EQ(report.gpus[0].name, "GA102 [GeForce RTX 3090]");
  EXPECT_EQ(report.gpus[0].pci_bus_id, "0000:01:00.0");
  EXPECT_EQ(report.gpus[0].source, "pci");
  EXPECT_EQ(report.gpus[1].compute_capability.value(), (core::ComputeCapability{8, 9}));  // AD102
  EXPECT_EQ(report.gpus[1].name, "AD102");  // not in this pci.ids: the matrix's chip name
  EXPECT_TRUE(has_warning(report, "2 NVIDIA GPU(s) found on the PCI bus, but no NVIDIA driver"));
}

TEST(DetectHost, KernelInterfacesOnly)
{
  FakeHost host;
  host.kernel_module("535.104.05").pci_gpu("0000:01:00.0", "0x2330", "NVIDIA H100 80GB HBM3");
  const auto report = detect_on(host);
  ASSERT_TRUE(report.driver.has_value());
  EXPECT_EQ(report.driver->version.text(), "535.104.05");
  EXPECT_EQ(report.driver->source, "proc");
  EXPECT_EQ(report.driver->cuda_version->text(), "12.2");  // derived from the matrix
  EXPECT_EQ(report.driver->cuda_source, "matrix");
  ASSERT_EQ(report.gpus.size(), 1U);
  EXPECT_EQ(report.gpus[0].name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(report.gpus[0].compute_capability->text(), "9.0");
}

TEST(DetectHost, NvmlGivesDriverAndEveryGpu)
{
  FakeLibraryEnvironment env(k_two_gpus, "ok", "ok", "550.54.15", "12040");
  FakeHost host;
  host.kernel_module("550.54.15").copy(std::string(k_lib) + "/libnvidia-ml.so.1", ENVSETUP_FAKE_NVML);
  const auto report = detect_on(host);
  ASSERT_TRUE(report.driver.has_value());
  EXPECT_EQ(report.driver->version.text(), "550.54.15");
  EXPECT_EQ(report.driver->source, "nvml");
  EXPECT_EQ(report.driver->cuda_version->text(), "12.4");
  EXPECT_EQ(report.driver->cuda_source, "nvml");
  EXPECT_EQ(report.driver->kernel_module->text(), "550.54.15");
  ASSERT_EQ(report.gpus.size(), 2U);
  EXPECT_EQ(report.gpus[1].index, 1);
  EXPECT_EQ(report.gpus[1].name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(report.gpus[1].compute_capability->text(), "9.0");
  EXPECT_EQ(report.gpus[1].memory_bytes.value(), 85520809984ULL);
  EXPECT_EQ(report.gpus[1].pci_bus_id, "00000000:19:00.0");
  EXPECT_EQ(report.gpus[1].source, "nvml");
}

TEST(DetectHost, NvmlWithoutCudaVersionFallsBackToMatrix)
{
  FakeLibraryEnvironment env(k_two_gpus, "no_cuda_version");
  FakeHost host;
  host.copy(std::string(k_lib) + "/libnvidia-ml.so.1", ENVSETUP_FAKE_NVML);
  const auto report = detect_on(host);
  ASSERT_TRUE(report.driver.has_value());
  EXPECT_EQ(report.driver->cuda_version->text(), "12.2");
  EXPECT_EQ(report.driver->cuda_source, "matrix");
}

TEST(DetectHost, NvmlInitFailsDriverApiAnswers)
{
  FakeLibraryEnvironment env(k_two_gpus, "init_fail");
  FakeHost host;
  host.kernel_module("535.104.05")
    .copy(std::string(k_lib) + "/libnvidia-ml.so.1", ENVSETUP_FAKE_NVML)
    .copy(std::string(k_lib) + "/libcuda.so.1", ENVSETUP_FAKE_CUDA);
  const auto report = detect_on(host);
  ASSERT_TRUE(report.driver.has_value());
  EXPECT_EQ(report.driver->source, "proc");
  ASSERT_EQ(report.gpus.size(), 2U);
  EXPECT_EQ(report.gpus[0].source, "libcuda");
  EXPECT_EQ(report.gpus[0].compute_capability->text(), "8.6");
  EXPECT_EQ(report.gpus[0].name, "NVIDIA GeForce RTX 3090");
  EXPECT_EQ(report.gpus[0].memory_bytes.value(), 25769803776ULL);
  EXPECT_TRUE(has_warning(report, "NVML gave no answer"));
}

TEST(DetectHost, EverythingFailsButPciStillAnswers)
{
  FakeLibraryEnvironment env(k_two_gpus, "init_fail", "init_fail");
  FakeHost host;
  host.kernel_module("535.104.05")
    .pci_gpu("0000:01:00.0", "0x2204", "NVIDIA GeForce RTX 3090")
    .copy(std::string(k_lib) + "/libnvidia-ml.so.1", ENVSETUP_FAKE_NVML)
    .copy(std::string(k_lib) + "/libcuda.so.1", ENVSETUP_FAKE_CUDA);
  const auto report = detect_on(host);
  ASSERT_EQ(report.gpus.size(), 1U);
  EXPECT_EQ(report.gpus[0].source, "pci");
  EXPECT_EQ(report.gpus[0].name, "NVIDIA GeForce RTX 3090");
}

TEST(DetectHost, NvidiaSmiIsTheLastResort)
{
  FakeHost host;
  host.kernel_module("580.95.05")
    .pci_gpu("0000:19:00.0", "0x9999")  // a device id the matrix does not know
    .script("/usr/bin/nvidia-smi", "0, NVIDIA H200, 9.0, 143771, 00000000:19:00.0, 580.95.05");
  const auto report = detect_on(host, {{"PATH", "/usr/bin"}});
  ASSERT_EQ(report.gpus.size(), 1U);
  EXPECT_EQ(report.gpus[0].source, "nvidia-smi");
  EXPECT_EQ(report.gpus[0].compute_capability->text(), "9.0");
  EXPECT_EQ(report.gpus[0].memory_bytes.value(), 143771ULL * 1024 * 1024);
}

TEST(DetectHost, LibcudaAndKernelModuleMismatch)
{
  FakeHost host;
  host.kernel_module("535.104.05")
    .file(std::string(k_lib) + "/libcuda.so.535.54.03", "")
    .link(std::string(k_lib) + "/libcuda.so.1", "libcuda.so.535.54.03");
  const auto report = detect_on(host);
  ASSERT_TRUE(report.driver.has_value());
  EXPECT_EQ(report.driver->libcuda->text(), "535.54.03");
  EXPECT_TRUE(has_warning(report, "user-space libcuda.so is 535.54.03 but the kernel module is 535.104.05"));
}

TEST(DetectHost, ABareLibcudaFileHasNoVersionAndNoMismatch)
{
  FakeHost host;
  host.kernel_module("535.104.05").file(std::string(k_lib) + "/libcuda.so.1", "");
  const auto report = detect_on(host);
  ASSERT_TRUE(report.driver.has_value());
  EXPECT_FALSE(report.driver->libcuda.has_value());
  for (const auto& warning : report.warnings) {
    EXPECT_EQ(warning.find("user-space libcuda.so is"), std::string::npos) << warning;
  }
}

TEST(DetectHost, OverridesWin)
{
  FakeHost host;
  host.kernel_module("470.82.01").pci_gpu("0000:01:00.0", "0x2204");
  const auto report =
    detect_on(host, {{"ENVSETUP_DRIVER_VERSION", "550.54.15"}, {"ENVSETUP_GPUS", "8.6,sm_89,bogus"}});
  EXPECT_EQ(report.driver->version.text(), "550.54.15");
  EXPECT_EQ(report.driver->source, "ENVSETUP_DRIVER_VERSION");
  ASSERT_EQ(report.gpus.size(), 2U);
  EXPECT_EQ(report.gpus[1].compute_capability->text(), "8.9");
  EXPECT_EQ(report.gpus[1].source, "ENVSETUP_GPUS");
  EXPECT_TRUE(has_warning(report, "ENVSETUP_GPUS: ignoring `bogus`"));
  const auto none = detect_on(host, {{"ENVSETUP_DRIVER_VERSION", "none"}, {"ENVSETUP_GPUS", "none"}});
  EXPECT_FALSE(none.driver.has_value());
  EXPECT_TRUE(none.gpus.empty());
}

TEST(DetectHost, GarbageNeverFails)
{
  FakeHost host;
  host.file("/proc/driver/nvidia/version", bytes("\0\xff\xfe NVRM version: Kernel Module  535."))
    .file("/sys/module/nvidia/version", "not a version\n")
    .file("/etc/os-release", bytes("\0\0\0=\n==\nNAME"))
    .file("/sys/bus/pci/devices/0000:01:00.0/vendor", "0x10de")
    .file("/sys/bus/pci/devices/0000:01:00.0/class", "garbage")
    .file("/usr/local/cuda-12.4/version.json", "{\"cuda\": {\"version\": ")
    .file("/usr/local/cuda-12.4/include/cuda_runtime_api.h", "#define CUDART_VERSION banana\n")
    .file("/usr/local/cuda-12.4/include/cudnn_version.h", "#define CUDNN_MAJOR\n");
  const auto report = detect_on(host);
  EXPECT_FALSE(report.driver.has_value());
  EXPECT_TRUE(report.gpus.empty());
  ASSERT_EQ(report.toolkits.size(), 1U);
  EXPECT_FALSE(report.toolkits[0].version.has_value());
  EXPECT_FALSE(report.toolkits[0].cudnn_version.has_value());
}

}  // namespace
}  // namespace envsetup::testing
