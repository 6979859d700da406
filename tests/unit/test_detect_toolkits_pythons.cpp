// SPDX-License-Identifier: Apache-2.0
// Toolkits in every layout detection understands, Python interpreters with their
// frameworks, and the warnings between them.
#include "fake_host.hpp"
#include "matrix_fixture.hpp"

#include <envsetup/detect/detect.hpp>

#include <gtest/gtest.h>

namespace envsetup::testing {
namespace {

const std::string k_cudnn9_header = "#define CUDNN_MAJOR 9\n#define CUDNN_MINOR 1\n#define CUDNN_PATCHLEVEL 0\n";

const detect::ToolkitInfo* toolkit_at(const std::vector<detect::ToolkitInfo>& toolkits,
                                      const std::string& suffix)
{
  for (const auto& toolkit : toolkits) {
    if (toolkit.path.ends_with(suffix)) {
      return &toolkit;
    }
  }
  return nullptr;
}

TEST(DetectToolkits, EveryLayout)
{
  FakeHost host;
  // runfile layout: version.json, cuDNN headers, /usr/local/cuda -> cuda-12.4 (absolute link)
  host.file("/usr/local/cuda-12.4/version.json", R"({"cuda": {"name": "CUDA SDK", "version": "12.4.1"}})")
    .file("/usr/local/cuda-12.4/include/cuda_runtime_api.h", "#define CUDART_VERSION 12040\n")
    .file("/usr/local/cuda-12.4/include/cudnn_version.h", k_cudnn9_header)
    .link("/usr/local/cuda", "/usr/local/cuda-12.4")
    // CUDA 11.0: version.txt
    .file("/usr/local/cuda-11.0/version.txt", "CUDA Version 11.0.228\n")
    .file("/usr/local/cuda-11.0/include/cudnn.h", "#define CUDNN_MAJOR 8\n#define CUDNN_MINOR 0\n#define CUDNN_PATCHLEVEL 5\n")
    // no version file: nvcc answers
    .file("/opt/cuda-12.1/include/cuda_runtime_api.h", "#define CUDART_VERSION 12010\n")
    .script("/opt/cuda-12.1/bin/nvcc", "nvcc: NVIDIA (R) Cuda compiler driver\nCuda compilation tools, release 12.1, V12.1.105")
    .file("/opt/cuda-12.1/lib64/libcudnn.so.8.9.7", "")
    // headers only, under targets/
    .file("/opt/cuda-11.8/targets/x86_64-linux/include/cuda_runtime_api.h", "#define CUDART_VERSION 11080\n")
    // the pip-wheel layout (like /usr/local/cuda-13.0 on the development machine)
    .file("/srv/cuda13/include/cuda_runtime_api.h", "/* no define here */\n")
    .dir("/srv/cuda13/dist-info/nvidia_cuda_runtime-13.0.96.dist-info")
    .dir("/srv/cuda13/dist-info/nvidia_cudnn_cu13-9.19.0.56.dist-info")
    // a wrapper script on PATH does not make /usr/local/bin's parent a toolkit
    .script("/usr/local/bin/nvcc", "wrapper");
  const auto toolkits = detect::detect_toolkits(
    host.probe({{"CUDA_HOME", "/srv/cuda13"}, {"PATH", "/usr/local/bin:/usr/bin"}}));
  ASSERT_EQ(toolkits.size(), 5U);

  const auto* runfile = toolkit_at(toolkits, "/usr/local/cuda-12.4");
  ASSERT_NE(runfile, nullptr);
  EXPECT_EQ(runfile->version->text(), "12.4.1");
  EXPECT_EQ(runfile->version_source, "version.json");
  EXPECT_EQ(runfile->cudnn_version->text(), "9.1.0");
  EXPECT_EQ(runfile->cudnn_source, "cudnn_version.h");

  const auto* old = toolkit_at(toolkits, "/usr/local/cuda-11.0");
  ASSERT_NE(old, nullptr);
  EXPECT_EQ(old->version->text(), "11.0.228");
  EXPECT_EQ(old->version_source, "version.txt");
  EXPECT_EQ(old->cudnn_version->text(), "8.0.5");
  EXPECT_EQ(old->cudnn_source, "cudnn.h");

  const auto* nvcc = toolkit_at(toolkits, "/opt/cuda-12.1");
  ASSERT_NE(nvcc, nullptr);
  EXPECT_EQ(nvcc->version->text(), "12.1");
  EXPECT_EQ(nvcc->version_source, "nvcc --version");
  EXPECT_EQ(nvcc->cudnn_version->text(), "8.9.7");
  EXPECT_EQ(nvcc->cudnn_source, "library name");

  const auto* header = toolkit_at(toolkits, "/opt/cuda-11.8");
  ASSERT_NE(header, nullptr);
  EXPECT_EQ(header->version->text(), "11.8");
  EXPECT_EQ(header->version_source, "cuda_runtime_api.h");

  const auto* wheels = toolkit_at(toolkits, "/srv/cuda13");
  ASSERT_NE(wheels, nullptr);
  EXPECT_EQ(wheels->origin, "CUDA_HOME");
  EXPECT_EQ(wheels->version->text(), "13.0");
  EXPECT_EQ(wheels->version_source, "dist-info");
  EXPECT_EQ(wheels->cudnn_version->text(), "9.19.0.56");
  EXPECT_EQ(wheels->cudnn_source, "dist-info");
}

TEST(DetectToolkits, CondaAndEnvsetupStore)
{
  FakeHost host;
  host.file("/home/u/miniconda3/envs/dl/include/cuda_runtime_api.h", "#define CUDART_VERSION 12060\n")
    .dir("/home/u/miniconda3/envs/web/include")
    .file("/home/u/.local/share/envsetup/toolkits/cuda-12.8.1/version.json",
          R"({"cuda": {"version": "12.8.1"}})");
  const auto toolkits = detect::detect_toolkits(host.probe({{"HOME", "/home/u"}}));
  ASSERT_EQ(toolkits.size(), 2U);
  EXPECT_EQ(toolkits[0].path, "/home/u/miniconda3/envs/dl");
  EXPECT_EQ(toolkits[0].origin, "conda");
  EXPECT_EQ(toolkits[0].version->text(), "12.6");
  EXPECT_EQ(toolkits[1].origin, "envsetup");
  EXPECT_EQ(toolkits[1].version->text(), "12.8.1");
}

const detect::PythonInfo* python_at(const std::vector<detect::PythonInfo>& pythons,
                                    const std::string& path)
{
  for (const auto& python : pythons) {
    if (python.path == path) {
      return &python;
    }
  }
  return nullptr;
}

// The framework `name` of `python`; a test failure (and an empty value) when missing.
detect::FrameworkInfo framework(const detect::PythonInfo& python, const std::string& name)
{
  for (const auto& entry : python.frameworks) {
    if (entry.name == name) {
      return entry;
    }
  }
  ADD_FAILURE() << python.path << " has no " << name;
  return {};
}

bool has_framework(const detect::PythonInfo& python, const std::string& name)
{
  return std::any_of(python.frameworks.begin(), python.frameworks.end(),
                     [&](const auto& entry) { return entry.name == name; });
}

FakeHost& python_host(FakeHost& host)
{
  const std::string system_site = "/usr/lib/python3/dist-packages";
  const std::string venv_site = "/work/.venv/lib/python3.11/site-packages";
  host.script("/usr/bin/python3.11", "")
    .link("/usr/bin/python3", "python3.11")
    .dist(system_site, "numpy-1.24.2.dist-info")
    .dist(system_site, "torch-2.5.1+cu124.dist-info")
    .file(system_site + "/torch/version.py",
          "__version__ = '2.5.1+cu124'\ndebug = False\ncuda: Optional[str] = '12.4'\nhip: Optional[str] = None\n")
    // a venv whose python links to the system one
    .file("/work/.venv/pyvenv.cfg", "home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.2\n")
    .link("/work/.venv/bin/python", "/usr/bin/python3.11")
    .dist(venv_site, "tensorflow-2.15.0.post1.dist-info")
    .file(venv_site + "/tensorflow/python/platform/build_info.py",
          "build_info = collections.OrderedDict([('cuda_version', '12.2'), ('cudnn_version', '8'), "
          "('is_cuda_build', True)])\n")
    .dist(venv_site, "jax-0.4.30.dist-info")
    .dist(venv_site, "jax_cuda12_plugin-0.4.30.dist-info")
    // a pyenv interpreter with a CPU-only torch
    .script("/home/u/.pyenv/versions/3.12.1/bin/python3.12", "")
    .link("/home/u/.pyenv/versions/3.12.1/bin/python3", "python3.12")
    .dist("/home/u/.pyenv/versions/3.12.1/lib/python3.12/site-packages", "torch-2.6.0+cpu.dist-info")
    .script("/home/u/.pyenv/shims/python3", "shim");
  return host;
}

TEST(DetectPythons, InterpretersAndFrameworksFromMetadata)
{
  FakeHost host;
  python_host(host);
  const auto pythons = detect::detect_pythons(host.probe(
    {{"PATH", "/home/u/.pyenv/shims:/usr/bin"}, {"HOME", "/home/u"}, {"VIRTUAL_ENV", "/work/.venv"}}));
  ASSERT_EQ(pythons.size(), 3U);

  const auto* venv = python_at(pythons, "/work/.venv/bin/python");
  ASSERT_NE(venv, nullptr);
  EXPECT_EQ(venv->origin, "venv");
  EXPECT_EQ(venv->version->text(), "3.11");
  EXPECT_EQ(framework(*venv, "tensorflow").version, "2.15.0.post1");
  EXPECT_EQ(framework(*venv, "tensorflow").cuda, "12.2");
  EXPECT_EQ(framework(*venv, "jax").cuda, "12");
  EXPECT_FALSE(has_framework(*venv, "torch"));  // the venv does not see system packages

  const auto* system = python_at(pythons, "/usr/bin/python3");
  ASSERT_NE(system, nullptr);
  EXPECT_EQ(system->version->text(), "3.11");
  EXPECT_EQ(framework(*system, "torch").version, "2.5.1+cu124");
  EXPECT_EQ(framework(*system, "torch").cuda, "12.4");
  EXPECT_EQ(framework(*system, "numpy").version, "1.24.2");

  const auto* pyenv = python_at(pythons, "/home/u/.pyenv/versions/3.12.1/bin/python3");
  ASSERT_NE(pyenv, nullptr);
  EXPECT_EQ(pyenv->origin, "pyenv");
  EXPECT_EQ(pyenv->version->text(), "3.12");
  EXPECT_EQ(framework(*pyenv, "torch").cuda, "");  // +cpu
}

TEST(DetectWarnings, FrameworksAgainstDriverAndGpus)
{
  FakeHost host;
  python_host(host).kernel_module("470.82.01").pci_gpu("0000:01:00.0", "0x2b85");  // GB202, 12.0
  const auto report = detect::detect_host(
    host.probe({{"PATH", "/usr/bin"}, {"HOME", "/home/u"}, {"VIRTUAL_ENV", "/work/.venv"}}),
    real_matrix());
  auto has = [&](const std::string& text) {
    return std::any_of(report.warnings.begin(), report.warnings.end(),
                       [&](const auto& w) { return w.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(has("torch 2.6.0+cpu in /home/u/.pyenv/versions/3.12.1/bin/python3 is a CPU-only build"));
  EXPECT_TRUE(has("torch 2.5.1+cu124 in /usr/bin/python3 is built for CUDA 12.4, but driver 470.82.01 supports CUDA 11.4"));
  EXPECT_TRUE(has("GPU 0 (sm_120) is not covered by torch 2.5.1+cu124 in /usr/bin/python3"));
}

TEST(DetectWarnings, LibraryPathShadowing)
{
  FakeHost host;
  host.file("/usr/local/cuda-12.4/version.json", R"({"cuda": {"version": "12.4.1"}})")
    .file("/opt/old/lib64/libcudart.so.11.8.89", "")
    .file("/opt/old/lib64/libcudnn.so.8.9.7", "")
    .file("/opt/new/lib/libcudnn.so.9.1.0", "");
  const auto report = detect::detect_host(
    host.probe({{"CUDA_HOME", "/usr/local/cuda-12.4"}, {"LD_LIBRARY_PATH", "/opt/old/lib64:/opt/new/lib"}}),
    real_matrix());
  auto has = [&](const std::string& text) {
    return std::any_of(report.warnings.begin(), report.warnings.end(),
                       [&](const auto& w) { return w.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(has("LD_LIBRARY_PATH entry `/opt/old/lib64` provides libcudart.so.11.8.89, but CUDA_HOME is CUDA 12.4.1"));
  EXPECT_TRUE(has("LD_LIBRARY_PATH provides libcudnn.so 8.9.7 from `/opt/old/lib64` and 9.1.0 from `/opt/new/lib`"));
}

}  // namespace
}  // namespace envsetup::testing
