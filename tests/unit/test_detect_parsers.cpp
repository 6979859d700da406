// SPDX-License-Identifier: Apache-2.0
// The detection parsers on real text captured from hosts, and on the truncated, empty and
// binary inputs a broken host can produce.
#include <envsetup/detect/parsers.hpp>

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace envsetup::detect {
namespace {

using namespace std::string_literals;

// The version's spelling, or "none".
template <typename T>
std::string text_of(const std::optional<T>& version)
{
  return version ? version->text() : "none";
}

TEST(DetectParsers, DriverVersion)
{
  const struct {
    std::string input;
    std::string expected;
  } cases[] = {
    {"NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  Sat Aug 19 01:15:15 UTC 2023\n"
     "GCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n",
     "535.104.05"},
    {"NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  570.86.15  Release Build  "
     "(dvs-builder@U16-I3-B03-4-3)  Thu Jan 23 22:50:59 UTC 2025\n",
     "570.86.15"},
    {"NVRM version: NVIDIA UNIX Open Kernel Module for aarch64  580.95.05  Release Build  "
     "(dvs-builder@U16-A24-23-2)  Tue Sep 23 09:57:59 UTC 2025\n",
     "580.95.05"},
    {"NVRM version: NVIDIA UNIX x86_64 Kernel Module  470.82.01  Wed Oct 27 21:21:55 UTC 2021\r\n"
     "GCC version:  gcc version 9.3.0 (Ubuntu 9.3.0-17ubuntu1~20.04)\r\n",
     "470.82.01"},
    {"535.104.05\n", "535.104.05"},
    {"  580.95.05  ", "580.95.05"},
    // Truncated or not a driver.
    {"NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.", "none"},
    {"NVRM version: NVIDIA UNIX x86_64 Kernel Module", "none"},
    {"NVRM version: NVIDIA UNIX x86_64 Kernel Module  535  Sat Aug 19 01:15:15 UTC 2023", "none"},
    {"GCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n", "none"},
    {"", "none"},
    {"\n\n", "none"},
    {"535\n", "none"},
    {"535.104.05 extra\n", "none"},
    {"NVRM version: NVIDIA UNIX x86_64 Kernel Module  99999999999.1  Sat Aug 19", "none"},
    {"\0\0\xff Kernel Module \0\0 535.\0104"s, "none"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(text_of(parse_driver_version(c.input)), c.expected) << c.input;
  }
  const auto driver = parse_driver_version("535.104.05\n");
  ASSERT_TRUE(driver);
  EXPECT_EQ(driver->parts(), (std::vector<int>{535, 104, 5}));
}

TEST(DetectParsers, OsRelease)
{
  const std::string debian12 =
    "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
    "NAME=\"Debian GNU/Linux\"\n"
    "VERSION_ID=\"12\"\n"
    "VERSION=\"12 (bookworm)\"\n"
    "VERSION_CODENAME=bookworm\n"
    "ID=debian\n"
    "HOME_URL=\"https://www.debian.org/\"\n"
    "SUPPORT_URL=\"https://www.debian.org/support\"\n"
    "BUG_REPORT_URL=\"https://bugs.debian.org/\"\n";
  const auto values = parse_os_release(debian12);
  EXPECT_EQ(values.size(), 9u);
  EXPECT_EQ(values.at("PRETTY_NAME"), "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(values.at("VERSION_ID"), "12");
  EXPECT_EQ(values.at("ID"), "debian");
  EXPECT_EQ(values.at("HOME_URL"), "https://www.debian.org/");

  const auto odd = parse_os_release(
    "# comment\r\n"
    "\r\n"
    "ID=ubuntu\r\n"
    "ID_LIKE='debian'\n"
    "NAME=\"Say \\\"hi\\\" \\\\ \\$HOME \\n\"\n"
    "EMPTY=\n"
    "QUOTED_EMPTY=\"\"\n"
    "  INDENTED=yes  \n"
    "UNTERMINATED=\"abc\n"
    "TRAILING=\"abc\"def\n"
    "no equals sign\n"
    "=value\n"
    "BAD KEY=x\n"
    "9LIVES=x\n"
    "ID=override\n");
  EXPECT_EQ(odd.at("ID"), "override");
  EXPECT_EQ(odd.at("ID_LIKE"), "debian");
  EXPECT_EQ(odd.at("NAME"), "Say \"hi\" \\ $HOME \\n");
  EXPECT_EQ(odd.at("EMPTY"), "");
  EXPECT_EQ(odd.at("QUOTED_EMPTY"), "");
  EXPECT_EQ(odd.at("INDENTED"), "yes");
  for (const char* skipped : {"UNTERMINATED", "TRAILING", "BAD KEY", "9LIVES", ""}) {
    EXPECT_EQ(odd.count(skipped), 0u) << skipped;
  }
  EXPECT_EQ(odd.size(), 6u);

  EXPECT_TRUE(parse_os_release("").empty());
  EXPECT_TRUE(parse_os_release("\0\0\xff=\x01"s).empty());
}

TEST(DetectParsers, ProcGpuInformation)
{
  const auto rtx3090 = parse_proc_gpu_information(
    "Model: \t\t NVIDIA GeForce RTX 3090\n"
    "IRQ:   \t\t 142\n"
    "GPU UUID: \t GPU-5ad2b8c5-3bda-4c7e-4ad3-2a5e4d1c8b3f\n"
    "Video BIOS: \t 94.02.42.00.a9\n"
    "Bus Type: \t PCIe\n"
    "DMA Size: \t 47 bits\n"
    "DMA Mask: \t 0x7fffffffffff\n"
    "Bus Location: \t 0000:01:00.0\n"
    "Device Minor: \t 0\n"
    "GPU Excluded:\t No\n");
  ASSERT_TRUE(rtx3090);
  EXPECT_EQ(rtx3090->model, "NVIDIA GeForce RTX 3090");
  EXPECT_EQ(rtx3090->bus_location, "0000:01:00.0");

  const auto crlf = parse_proc_gpu_information(
    "Model: \t\t NVIDIA H100 80GB HBM3\r\nBus Location: \t 0000:19:00.0\r\n");
  ASSERT_TRUE(crlf);
  EXPECT_EQ(crlf->model, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(crlf->bus_location, "0000:19:00.0");

  const auto no_bus = parse_proc_gpu_information("Model: \t\t Tesla T4\n");
  ASSERT_TRUE(no_bus);
  EXPECT_EQ(no_bus->bus_location, "");

  for (const std::string& bad : {""s, "Model:\n"s, "Model: \t\t \nBus Location: 0000:01:00.0\n"s,
                                 "IRQ: 142\n"s, "Modelx: A\n"s, "\0\0\0"s}) {
    EXPECT_FALSE(parse_proc_gpu_information(bad)) << bad;
  }
}

TEST(DetectParsers, CudaVersionJson)
{
  const std::string runfile =
    "{\n"
    "   \"cuda\" : {\n"
    "      \"name\" : \"CUDA SDK\",\n"
    "      \"version\" : \"12.4.1\"\n"
    "   },\n"
    "   \"cuda_cccl\" : {\n"
    "      \"name\" : \"CUDA C++ Core Compute Libraries\",\n"
    "      \"version\" : \"12.4.127\"\n"
    "   },\n"
    "   \"libcublas\" : {\n"
    "      \"name\" : \"CUDA cuBLAS\",\n"
    "      \"version\" : \"12.4.5.8\"\n"
    "   },\n"
    "   \"nvidia_driver\" : {\n"
    "      \"name\" : \"NVIDIA Linux Driver\",\n"
    "      \"version\" : \"550.54.15\"\n"
    "   }\n"
    "}\n";
  EXPECT_EQ(text_of(parse_cuda_version_json(runfile)), "12.4.1");
  // The "cuda" entry need not come first; other values of any JSON type are skipped.
  EXPECT_EQ(
    text_of(parse_cuda_version_json(
      R"({"x": [1, -2.5e3, true, false, null, {"a": []}], "s": "\"\u00e9\\", )"
      R"("cuda": {"name": "CUDA SDK", "extra": {"version": "1.0"}, "version": "11.8.0"}})")),
    "11.8.0");
  EXPECT_EQ(text_of(parse_cuda_version_json("\r\n{\"cuda\":{\"version\":\"13.0.1\"}}\r\n")),
            "13.0.1");

  for (const std::string& bad :
       {""s, "{}"s, "[]"s, "{\"cuda\": {\"name\": \"CUDA SDK\"}}"s,
        "{\"cuda\": {\"version\": 12.4}}"s, "{\"cuda\": {\"version\": \"12.4.x\"}}"s,
        "{\"cuda\": {\"version\": \"\"}}"s, "{\"cuda_cccl\": {\"version\": \"12.4.127\"}}"s,
        "{\"other\": {\"cuda\": {\"version\": \"12.4.1\"}}}"s,
        "{\"cuda\": {\"version\": \"12.4.1\"}"s,  // truncated
        "{\"cuda\": {\"version\": \"12.4.1\"}} trailing"s,
        "{\"cuda\": {\"version\": \"12.4.1\"},}"s, "{\"cuda\" {\"version\": \"12.4.1\"}}"s,
        "{\"cuda\": {\"version\": \"12.4\n.1\"}}"s, "{\"cuda\": {\"version\": \"99999999999.1\"}}"s,
        "{\"cuda\": {\"version\": \"12.4.1\0\"}}"s,
        std::string(10000, '[') + std::string(10000, ']'), "{\"a\":" + std::string(100000, '[')}) {
    EXPECT_FALSE(parse_cuda_version_json(bad)) << bad.substr(0, 80);
  }
}

TEST(DetectParsers, CudaVersionTxt)
{
  EXPECT_EQ(text_of(parse_cuda_version_txt("CUDA Version 11.0.228\n")), "11.0.228");
  EXPECT_EQ(text_of(parse_cuda_version_txt("CUDA Version 10.2.89")), "10.2.89");
  EXPECT_EQ(text_of(parse_cuda_version_txt("CUDA Version 9.0.176\r\n")), "9.0.176");
  for (const std::string& bad :
       {""s, "CUDA Version\n"s, "CUDA Version 11.\n"s, "CUDA Version 11\n"s, "CUDA Version abc\n"s,
        "cuda version 11.0.228\n"s, "CUDA Version 99999999999.0.1\n"s,
        "\0CUDA Version 11.0.228"s}) {
    EXPECT_FALSE(parse_cuda_version_txt(bad)) << bad;
  }
}

TEST(DetectParsers, NvccVersion)
{
  EXPECT_EQ(text_of(parse_nvcc_version("nvcc: NVIDIA (R) Cuda compiler driver\n"
                                       "Copyright (c) 2005-2025 NVIDIA Corporation\n"
                                       "Built on Wed_Aug_20_01:58:59_PM_PDT_2025\n"
                                       "Cuda compilation tools, release 13.0, V13.0.88\n"
                                       "Build cuda_13.0.r13.0/compiler.36424714_0\n")),
            "13.0");
  EXPECT_EQ(text_of(parse_nvcc_version("nvcc: NVIDIA (R) Cuda compiler driver\r\n"
                                       "Copyright (c) 2005-2024 NVIDIA Corporation\r\n"
                                       "Built on Thu_Mar_28_02:18:24_PDT_2024\r\n"
                                       "Cuda compilation tools, release 12.4, V12.4.131\r\n")),
            "12.4");
  EXPECT_EQ(text_of(parse_nvcc_version("Cuda compilation tools, release 10.2, V10.2.89")), "10.2");
  for (const std::string& bad :
       {""s, "nvcc: NVIDIA (R) Cuda compiler driver\n"s, "Cuda compilation tools, release \n"s,
        "Cuda compilation tools, release 13.\n"s, "Cuda compilation tools, release 13, V13.0.88\n"s,
        "release 13.0, V13.0.88\n"s, "Cuda compilation tools, release 99999999999.0\n"s,
        "Cuda compilation\0tools, release 13.0"s}) {
    EXPECT_FALSE(parse_nvcc_version(bad)) << bad;
  }
}

TEST(DetectParsers, CudartHeader)
{
  const struct {
    std::string input;
    std::string expected;
  } cases[] = {
    {"/*\n * Copyright 1993-2024 NVIDIA Corporation.\n */\n#define CUDART_VERSION  13000\n",
     "13.0"},
    {"#define CUDART_VERSION 12040\n", "12.4"},
    {"#define CUDART_VERSION 11080\r\n", "11.8"},
    {"  #  define\tCUDART_VERSION\t10020  /* CUDA 10.2 */\n", "10.2"},
    {"#define CUDART_VERSION_MAJOR 12\n#define CUDART_VERSION 12090\n", "12.9"},
    {"", "none"},
    {"#define CUDART_VERSION\n", "none"},
    {"#define CUDART_VERSION 999\n", "none"},
    {"#define CUDART_VERSION abc\n", "none"},
    {"#define CUDART_VERSION -12040\n", "none"},
    {"#define CUDART_VERSION 99999999999999\n", "none"},
    {"// #define CUDART_VERSION 12040\n", "none"},
    {"#define CUDART_VERSIONX 12040\n", "none"},
    {"#define CUDART\0VERSION 12040\n"s, "none"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(text_of(parse_cudart_header(c.input)), c.expected) << c.input;
  }
}

TEST(DetectParsers, CudnnHeader)
{
  const struct {
    std::string input;
    std::string expected;
  } cases[] = {
    {"#ifndef CUDNN_VERSION_H_\n#define CUDNN_VERSION_H_\n\n#define CUDNN_MAJOR 9\n"
     "#define CUDNN_MINOR 19\n#define CUDNN_PATCHLEVEL 0\n\n"
     "#define CUDNN_VERSION (CUDNN_MAJOR * 10000 + CUDNN_MINOR * 100 + CUDNN_PATCHLEVEL)\n",
     "9.19.0"},
    {"#define CUDNN_MAJOR 8\r\n#define CUDNN_MINOR 9\r\n#define CUDNN_PATCHLEVEL 7\r\n"
     "#define CUDNN_VERSION (CUDNN_MAJOR * 1000 + CUDNN_MINOR * 100 + CUDNN_PATCHLEVEL)\r\n",
     "8.9.7"},
    // cudnn.h of cuDNN 7, the defines among everything else.
    {"#if !defined(CUDNN_H_)\n#define CUDNN_H_\n\n#define CUDNN_MAJOR 7\n#define CUDNN_MINOR 6\n"
     "#define CUDNN_PATCHLEVEL 5\n\n"
     "#define CUDNN_VERSION (CUDNN_MAJOR * 1000 + CUDNN_MINOR * 100 + CUDNN_PATCHLEVEL)\n"
     "#include \"driver_types.h\"\n",
     "7.6.5"},
    {"#define CUDNN_MAJOR 9\n#define CUDNN_MINOR 19\n", "none"},
    {"#define CUDNN_MAJOR 9\n#define CUDNN_MINOR x\n#define CUDNN_PATCHLEVEL 0\n", "none"},
    {"#define CUDNN_MAJOR 99999999999\n#define CUDNN_MINOR 1\n#define CUDNN_PATCHLEVEL 0\n",
     "none"},
    {"#include \"cudnn_version.h\"\n", "none"},
    {"", "none"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(text_of(parse_cudnn_header(c.input)), c.expected) << c.input;
  }
}

TEST(DetectParsers, LibraryFileVersion)
{
  EXPECT_EQ(text_of(parse_library_file_version("libcudnn.so.9.1.0", "libcudnn.so")), "9.1.0");
  EXPECT_EQ(text_of(parse_library_file_version("libcudnn.so.9", "libcudnn.so")), "9");
  EXPECT_EQ(text_of(parse_library_file_version("libcuda.so.535.104.05", "libcuda.so")),
            "535.104.05");
  EXPECT_EQ(text_of(parse_library_file_version("libcudart.so.12.4.127", "libcudart.so")),
            "12.4.127");
  for (const auto& [file, library] : std::initializer_list<std::pair<std::string, std::string>>{
         {"libcudnn.so", "libcudnn.so"},
         {"libcudnn.so.", "libcudnn.so"},
         {"libcudnn.so.9.", "libcudnn.so"},
         {"libcudnn.so.9.1.0.bak", "libcudnn.so"},
         {"libcudnn_ops.so.9", "libcudnn.so"},
         {"libcudnn.so9", "libcudnn.so"},
         {"libcuda.so.1", "libcudnn.so"},
         {"libcudnn.so.99999999999", "libcudnn.so"},
         {"libcudnn.so.1.2.3.4.5.6.7", "libcudnn.so"},
         {".9", ""},
         {"", "libcudnn.so"}}) {
    EXPECT_FALSE(parse_library_file_version(file, library)) << file;
  }
}

TEST(DetectParsers, DistributionDir)
{
  const struct {
    const char* dir;
    const char* name;
    const char* version;
    const char* release;
    const char* local;
  } cases[] = {
    {"torch-2.5.1+cu124.dist-info", "torch", "2.5.1+cu124", "2.5.1", "cu124"},
    {"torch-2.9.0.dist-info", "torch", "2.9.0", "2.9.0", ""},
    {"nvidia_cudnn_cu12-9.1.0.70.dist-info", "nvidia_cudnn_cu12", "9.1.0.70", "9.1.0.70", ""},
    {"jax_cuda12_plugin-0.4.30.dist-info", "jax_cuda12_plugin", "0.4.30", "0.4.30", ""},
    {"tensorflow-2.15.0.post1.dist-info", "tensorflow", "2.15.0.post1", "2.15.0", ""},
    {"jaxlib-0.4.23+cuda12.cudnn89.dist-info", "jaxlib", "0.4.23+cuda12.cudnn89", "0.4.23",
     "cuda12.cudnn89"},
    {"numpy-1.26.4.dist-info", "numpy", "1.26.4", "1.26.4", ""},
    {"Jinja2-3.1.2.dist-info", "jinja2", "3.1.2", "3.1.2", ""},
    {"PyYAML-6.0.egg-info", "pyyaml", "6.0", "6.0", ""},
    {"PyYAML-6.0-py3.11.egg-info", "pyyaml", "6.0", "6.0", ""},
    {"jax-0.4.30.egg-info", "jax", "0.4.30", "0.4.30", ""},
    {"torch-2.6.0.dev20241112+cu124.dist-info", "torch", "2.6.0.dev20241112+cu124", "2.6.0",
     "cu124"},
    {"tensorflow-2.16.0rc0.dist-info", "tensorflow", "2.16.0rc0", "2.16.0", ""},
    {"zope.interface-6.1.dist-info", "zope_interface", "6.1", "6.1", ""},
    {"foo-1!2.0.dist-info", "foo", "1!2.0", "2.0", ""},
  };
  for (const auto& c : cases) {
    const auto parsed = parse_distribution_dir(c.dir);
    ASSERT_TRUE(parsed) << c.dir;
    EXPECT_EQ(parsed->name, c.name) << c.dir;
    EXPECT_EQ(parsed->version, c.version) << c.dir;
    EXPECT_EQ(parsed->release.text(), c.release) << c.dir;
    EXPECT_EQ(parsed->local, c.local) << c.dir;
  }
  for (const std::string& bad :
       {""s, ".dist-info"s, "torch.dist-info"s, "torch-.dist-info"s, "-2.5.1.dist-info"s,
        "torch-2.5.1"s, "torch-2.5.1.dist-info.bak"s, "torch-2.5.1-extra.dist-info"s,
        "torch-abc.dist-info"s, "torch-2.5.1+.dist-info"s, "torch-2.5.1+a+b.dist-info"s,
        "torch-x!2.0.dist-info"s, "torch-99999999999.0.dist-info"s,
        "torch-1.2.3.4.5.6.7.dist-info"s, "tor ch-2.5.1.dist-info"s, "torch-2.5 .1.dist-info"s,
        "_torch-2.5.1.dist-info"s, "torch-2.5.1\0.dist-info"s, "torch-2.5.1-x.egg-info"s}) {
    EXPECT_FALSE(parse_distribution_dir(bad)) << bad;
  }
}

TEST(DetectParsers, TorchVersionPy)
{
  const std::string torch_251 =
    "from typing import Optional\n\n"
    "__all__ = ['__version__', 'debug', 'cuda', 'git_version', 'hip']\n"
    "__version__ = '2.5.1+cu124'\n"
    "debug = False\n"
    "cuda: Optional[str] = '12.4'\n"
    "git_version = 'a8d6afb511a69687bbb2b7e88a3cf67917e1697e'\n"
    "hip: Optional[str] = None\n";
  EXPECT_EQ(parse_torch_version_py(torch_251), "12.4");

  const std::string cpu =
    "from typing import Optional\n\n"
    "__all__ = ['__version__', 'debug', 'cuda', 'git_version', 'hip']\n"
    "__version__ = '2.5.1+cpu'\n"
    "debug = False\n"
    "cuda: Optional[str] = None\n"
    "git_version = 'a8d6afb511a69687bbb2b7e88a3cf67917e1697e'\n"
    "hip: Optional[str] = None\n";
  EXPECT_EQ(parse_torch_version_py(cpu), "");

  EXPECT_EQ(parse_torch_version_py("__version__ = '1.10.0+cu113'\ndebug = False\ncuda = '11.3'\n"
                                   "git_version = '36449ea93134574c2a22b87baad3de0bf8d64d42'\n"
                                   "hip = None\n"),
            "11.3");
  EXPECT_EQ(parse_torch_version_py("cuda = \"12.1\"  # comment\r\n"), "12.1");
  EXPECT_EQ(parse_torch_version_py("cuda_version = '9.9'\ncuda = '12.8'\n"), "12.8");

  for (const std::string& bad :
       {""s, "__all__ = ['__version__', 'debug', 'cuda', 'git_version', 'hip']\n"s,
        "hip: Optional[str] = None\n"s, "cuda == '12.4'\n"s, "cuda = '12.4\n"s, "cuda = 12.4\n"s,
        "cuda = '12.4' + x\n"s, "cuda: Optional[str]\n"s, "cudax = '12.4'\n"s,
        "cuda\0 = '12.4'\n"s}) {
    EXPECT_FALSE(parse_torch_version_py(bad)) << bad;
  }
}

TEST(DetectParsers, TensorflowBuildInfo)
{
  const std::string gpu_build =
    "# Copyright 2020 The TensorFlow Authors. All Rights Reserved.\n"
    "\"\"\"Auto-generated module providing information about the build.\"\"\"\n"
    "import collections\n\n"
    "build_info = collections.OrderedDict([('cpu_compiler', '/usr/lib/llvm-17/bin/clang'), "
    "('cuda_compute_capabilities', ['sm_60', 'sm_70', 'sm_80', 'sm_89', 'compute_90']), "
    "('cuda_version', '12.3'), ('cudnn_version', '8'), ('is_cuda_build', True), "
    "('is_rocm_build', False), ('is_tensorrt_build', True)])\n";
  EXPECT_EQ(parse_tensorflow_build_info(gpu_build), "12.3");

  const std::string cpu_build =
    "import collections\n\n"
    "build_info = collections.OrderedDict([('cpu_compiler', '/usr/lib/llvm-17/bin/clang'), "
    "('is_cuda_build', False), ('is_rocm_build', False), ('is_tensorrt_build', False)])\n";
  EXPECT_EQ(parse_tensorflow_build_info(cpu_build), "");

  // TensorFlow 2.1 / 2.2: module-level assignments.
  EXPECT_EQ(
    parse_tensorflow_build_info("is_rocm_build = False\nis_cuda_build = True\n"
                                "cuda_version_number = '10.1'\ncudnn_version_number = '7'\n"),
    "10.1");
  EXPECT_EQ(parse_tensorflow_build_info("is_rocm_build = True\r\nis_cuda_build = False\r\n"), "");
  // A dict spelling, and an entry split across lines.
  EXPECT_EQ(
    parse_tensorflow_build_info("build_info = {\"is_cuda_build\": True,\n  \"cuda_version\":\n"
                                "  \"11.8\"}\n"),
    "11.8");

  for (const std::string& bad :
       {""s, "import collections\n"s,
        "build_info = collections.OrderedDict([('is_cuda_build', True)])\n"s,
        "build_info = {'is_cuda_build': Maybe, 'cuda_version': '12.3'}\n"s,
        "build_info = {'is_cuda_build': True, 'cuda_version': None}\n"s,
        "build_info = {'is_cuda_build': True, 'cuda_version': ''}\n"s,
        "build_info = {'is_cuda_build': True, 'cuda_version': '12.3\n"s,
        "('cuda_compute_capabilities', ['sm_60'])\n"s, "\0\0('cuda_version'\0"s}) {
    EXPECT_FALSE(parse_tensorflow_build_info(bad)) << bad;
  }
}

TEST(DetectParsers, PciDeviceName)
{
  const std::string pci_ids =
    "#\n#\tList of PCI ID's\n#\n# Version: 2024.02.02\n\n"
    "10dd  Evans & Sutherland\n"
    "\t0100  Lightning 1200\n"
    "10de  NVIDIA Corporation\n"
    "\t0008  NV1 [EDGE 3D]\n"
    "\t\t10de 0008  NV1 [EDGE 3D]\n"
    "# 2204 is GA102\n"
    "\t2204  GA102 [GeForce RTX 3090]\n"
    "\t\t1458 403b  GeForce RTX 3090 Vision OC 24G\n"
    "\t2330  GH100 [H100 SXM5 80GB]\r\n"
    "\t2b85  GB202 [GeForce RTX 5090]\n"
    "\tABCD  Upper-case id\n"
    "10df  Emulex Corporation\n"
    "\t1ae5  LP6000 [TyTAN]\n"
    "\t0101  Later vendor's device\n"
    "C 03  Display controller\n"
    "\t00  VGA compatible controller\n";
  EXPECT_EQ(find_pci_device_name(pci_ids, 0x2204), "GA102 [GeForce RTX 3090]");
  EXPECT_EQ(find_pci_device_name(pci_ids, 0x2330), "GH100 [H100 SXM5 80GB]");
  EXPECT_EQ(find_pci_device_name(pci_ids, 0x2b85), "GB202 [GeForce RTX 5090]");
  EXPECT_EQ(find_pci_device_name(pci_ids, 0x0008), "NV1 [EDGE 3D]");
  EXPECT_EQ(find_pci_device_name(pci_ids, 0xabcd), "Upper-case id");
  // Other vendors' devices, subsystems and absent ids.
  EXPECT_FALSE(find_pci_device_name(pci_ids, 0x0100));
  EXPECT_FALSE(find_pci_device_name(pci_ids, 0x0101));
  EXPECT_FALSE(find_pci_device_name(pci_ids, 0x1ae5));
  EXPECT_FALSE(find_pci_device_name(pci_ids, 0x403b));
  EXPECT_FALSE(find_pci_device_name(pci_ids, 0x1458));
  EXPECT_FALSE(find_pci_device_name(pci_ids, 0x0000));

  EXPECT_FALSE(find_pci_device_name("", 0x2204));
  EXPECT_FALSE(find_pci_device_name("\t2204  GA102 [GeForce RTX 3090]\n", 0x2204));
  EXPECT_FALSE(find_pci_device_name("10de  NVIDIA Corporation\n\t2204\n\t2204  \n", 0x2204));
  EXPECT_FALSE(find_pci_device_name("10de  NVIDIA Corporation\n\t22041  x\n\t220  x\n", 0x2204));
  EXPECT_FALSE(find_pci_device_name("10de\0 NVIDIA\n\t2204  GA102\n"s, 0x2204));
}

TEST(DetectParsers, SysfsHex)
{
  EXPECT_EQ(parse_sysfs_hex("0x10de\n"), 0x10deu);
  EXPECT_EQ(parse_sysfs_hex("0x030000\n"), 0x030000u);
  EXPECT_EQ(parse_sysfs_hex("0x2204"), 0x2204u);
  EXPECT_EQ(parse_sysfs_hex("0XFFFFFFFF\r\n"), 0xffffffffu);
  EXPECT_EQ(parse_sysfs_hex("0x00000000000010de"), 0x10deu);
  for (const std::string& bad : {""s, "0x"s, "0x\n"s, "10de"s, "0x10dg"s, "0x100000000"s, "0x-1"s,
                                 "0x 10de"s, "0x10de 0x10de"s, "0x10\0de"s, "-0x10de"s}) {
    EXPECT_FALSE(parse_sysfs_hex(bad)) << bad;
  }
}

TEST(DetectParsers, NvidiaSmiCsv)
{
  const auto gpus = parse_nvidia_smi_csv(
    "0, NVIDIA H100 80GB HBM3, 9.0, 81559, 00000000:19:00.0, 580.95.05\n"
    "1, NVIDIA GeForce RTX 3090, 8.6, 24576, 00000000:01:00.0, 580.95.05\n");
  ASSERT_EQ(gpus.size(), 2u);
  EXPECT_EQ(gpus[0].index, 0);
  EXPECT_EQ(gpus[0].name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(gpus[0].compute_capability, (core::ComputeCapability{9, 0}));
  EXPECT_EQ(gpus[0].memory_bytes, 81559ull * 1024 * 1024);
  EXPECT_EQ(gpus[0].pci_bus_id, "00000000:19:00.0");
  EXPECT_EQ(text_of(gpus[0].driver), "580.95.05");
  EXPECT_EQ(gpus[1].index, 1);
  EXPECT_EQ(gpus[1].compute_capability, (core::ComputeCapability{8, 6}));

  // Placeholders, extra spaces, blank lines, CRLF, a comma in the name, units left on.
  const auto odd = parse_nvidia_smi_csv(
    "\r\n"
    "  3 ,  Tesla K80 ,  [N/A] ,  [N/A] , 00000000:04:00.0 , [N/A] \r\n"
    "\r\n"
    "4, Odd, Name, 12.0, 97887 MiB, [Not Supported], 580.95.05\r\n");
  ASSERT_EQ(odd.size(), 2u);
  EXPECT_EQ(odd[0].index, 3);
  EXPECT_EQ(odd[0].name, "Tesla K80");
  EXPECT_FALSE(odd[0].compute_capability);
  EXPECT_FALSE(odd[0].memory_bytes);
  EXPECT_EQ(odd[0].pci_bus_id, "00000000:04:00.0");
  EXPECT_FALSE(odd[0].driver);
  EXPECT_EQ(odd[1].name, "Odd, Name");
  EXPECT_EQ(odd[1].compute_capability, (core::ComputeCapability{12, 0}));
  EXPECT_EQ(odd[1].memory_bytes, 97887ull * 1024 * 1024);
  EXPECT_EQ(odd[1].pci_bus_id, "");
  EXPECT_EQ(text_of(odd[1].driver), "580.95.05");

  // Bad fields are dropped; lines without an index are skipped.
  const auto bad_fields = parse_nvidia_smi_csv(
    "0, X, 8.10, 99999999999999999999, 0, 99999999999.1\n"
    "1, Y, 8.6, -5, 0, 580\n");
  ASSERT_EQ(bad_fields.size(), 2u);
  EXPECT_FALSE(bad_fields[0].compute_capability);
  EXPECT_FALSE(bad_fields[0].memory_bytes);
  EXPECT_FALSE(bad_fields[0].driver);
  EXPECT_FALSE(bad_fields[1].memory_bytes);
  EXPECT_FALSE(bad_fields[1].driver);

  EXPECT_TRUE(parse_nvidia_smi_csv("").empty());
  EXPECT_TRUE(parse_nvidia_smi_csv("No devices were found\n").empty());
  EXPECT_TRUE(
    parse_nvidia_smi_csv(
      "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make "
      "sure that the latest NVIDIA driver is installed and running.\n")
      .empty());
  EXPECT_TRUE(parse_nvidia_smi_csv("index, name, compute_cap, memory.total [MiB], pci.bus_id, "
                                   "driver_version\n")
                .empty());
  EXPECT_TRUE(
    parse_nvidia_smi_csv("0, NVIDIA H100 80GB HBM3, 9.0, 81559, 00000000:19:00.0\n").empty());
  EXPECT_TRUE(
    parse_nvidia_smi_csv("99999999999, A, 9.0, 1, 0, 580.95.05\n-1, A, 9.0, 1, 0, 580.95.05\n")
      .empty());
  EXPECT_TRUE(parse_nvidia_smi_csv("\0,\0,\0,\0,\0,\0\n"s).empty());
}

TEST(DetectParsers, GlibcVersion)
{
  EXPECT_EQ(text_of(parse_glibc_version(
              "GNU C Library (Debian GLIBC 2.36-9+deb12u14) stable release version 2.36.\n"
              "Copyright (C) 2022 Free Software Foundation, Inc.\n")),
            "2.36");
  EXPECT_EQ(
    text_of(parse_glibc_version("GNU C Library (Ubuntu GLIBC 2.35-0ubuntu3.8) stable release "
                                "version 2.35.")),
    "2.35");
  EXPECT_EQ(
    text_of(parse_glibc_version("GNU C Library (GNU libc) development release version 2.39.9000.")),
    "2.39.9000");
  EXPECT_EQ(text_of(parse_glibc_version("libc-2.31.so")), "2.31");
  EXPECT_EQ(text_of(parse_glibc_version("/lib/x86_64-linux-gnu/libc-2.17.so")), "2.17");
  // A banner inside binary junk, as when reading libc.so.6 itself.
  EXPECT_EQ(text_of(parse_glibc_version("\x7f"
                                        "ELF\0\0\0release version \0junk\0GNU C Library (GNU libc) "
                                        "stable release version 2.28.\0\0"s)),
            "2.28");
  for (const std::string& bad : {""s, "libc.so.6"s, "libc-2.31"s, "libc-.so"s, "libc-2.so"s,
                                 "glibc-2.31.so"s, "release version 2."s, "release version x"s,
                                 "stable release version 99999999999.1."s, "\0\0\0"s}) {
    EXPECT_FALSE(parse_glibc_version(bad)) << bad;
  }
}

}  // namespace
}  // namespace envsetup::detect
