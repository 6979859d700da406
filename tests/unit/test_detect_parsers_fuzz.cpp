// SPDX-License-Identifier: Apache-2.0
// Randomized robustness of the detection parsers: random bytes and mutated real inputs must
// neither crash nor produce malformed results. The seed is fixed, so a failure reproduces.
#include <envsetup/detect/parsers.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace envsetup::detect {
namespace {

using namespace std::string_literals;

constexpr int k_random_iterations = 1500;
constexpr int k_mutated_iterations = 2500;
constexpr std::size_t k_max_random_length = 512;

// Fragments that steer mutations towards the parsers' interesting paths.
const std::vector<std::string>& dictionary()
{
  // clang-format off
  static const std::vector<std::string> words = {
    "Kernel Module", "for", "535.104.05", ".", "..", "0", "9", "99999999999", "-", "+", "!",
    " ", "\t", "\n", "\r\n", "\0"s, "\xff", "=", "\"", "'", "\\", "#", ":", ",", "[N/A]", "0x",
    "{", "}", "[", "]", "\"cuda\"", "\"version\"", "CUDA Version", "release ", "V12.4.131",
    "#define", "CUDART_VERSION", "CUDNN_MAJOR", "CUDNN_MINOR", "CUDNN_PATCHLEVEL", ".dist-info",
    ".egg-info", "cuda", "None", "True", "False", "'cuda_version'", "'is_cuda_build'", "10de",
    "\t2204  ", "\t\t", "Model", "Bus Location", "release version ", "libc-", ".so", "12.0"};
  // clang-format on
  return words;
}

class Mutator {
public:
  explicit Mutator(std::uint32_t seed) : m_rng(seed) {}

  std::size_t below(std::size_t bound)
  {
    return std::uniform_int_distribution<std::size_t>(0, bound - 1)(m_rng);
  }
  char byte() { return static_cast<char>(below(256)); }

  std::string random_bytes()
  {
    std::string text(below(k_max_random_length + 1), '\0');
    // Half the strings use a small alphabet so that numbers, separators and line breaks
    // line up often enough to reach past the first check of each parser.
    constexpr std::string_view alphabet = "0123456789.. \t\n,:='\"x#-+";
    const bool small_alphabet = below(2) == 0;
    for (char& c : text) {
      c = small_alphabet ? alphabet[below(alphabet.size())] : byte();
    }
    return text;
  }

  std::string mutate(std::string text)
  {
    // One edit usually, up to three now and then.
    const std::size_t edits = below(4) == 0 ? 2 + below(2) : 1;
    for (std::size_t i = 0; i < edits; ++i) {
      const std::size_t at = below(text.size() + 1);
      switch (below(6)) {
        case 0:
          if (at < text.size()) {
            text[at] = byte();
          }
          break;
        case 1:
          text.resize(at);
          break;
        case 2:
          text.insert(at, 1 + below(3), byte());
          break;
        case 3:
          text.erase(at, below(16));
          break;
        case 4:
          text.insert(at, dictionary()[below(dictionary().size())]);
          break;
        default:
          text.insert(at, text.substr(below(text.size() + 1), below(64)));
          break;
      }
    }
    return text;
  }

private:
  std::mt19937 m_rng;
};

void expect_sane(const core::Version& version, std::size_t min_parts = 1)
{
  ASSERT_GE(version.parts().size(), min_parts) << version.text();
  ASSERT_LE(version.parts().size(), 6u) << version.text();
  for (const int part : version.parts()) {
    ASSERT_GE(part, 0) << version.text();
  }
  const auto reparsed = core::Version::parse(version.text());
  ASSERT_TRUE(reparsed.ok()) << version.text();
  ASSERT_EQ(*reparsed, version);
}

void expect_one_line(std::string_view text)
{
  ASSERT_EQ(text.find('\n'), std::string_view::npos) << text;
}

struct Subject {
  const char* name;
  std::vector<std::string> seeds;
  // Parses and checks the result; true when the input parsed (to something non-empty).
  std::function<bool(const std::string&)> run;
};

std::vector<Subject> subjects()
{
  const auto version_subject = [](const char* name, std::vector<std::string> seeds,
                                  std::optional<core::Version> (*parse)(std::string_view),
                                  std::size_t min_parts) {
    return Subject{name, std::move(seeds), [parse, min_parts](const std::string& input) {
                     const auto version = parse(input);
                     if (version) {
                       expect_sane(*version, min_parts);
                     }
                     return version.has_value();
                   }};
  };
  return {
    version_subject(
      "driver",
      {"NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  Sat Aug 19 01:15:15 UTC 2023\n"
       "GCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n",
       "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  570.86.15  Release Build  "
       "(dvs-builder@U16-I3-B03-4-3)  Thu Jan 23 22:50:59 UTC 2025",
       "535.104.05\n"},
      &parse_driver_version, 2),
    {"os-release",
     {"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian "
      "GNU/Linux\"\nVERSION_ID=\"12\"\n"
      "# comment\n\nID=debian\nNAME='x \\\" y'\n"},
     [](const std::string& input) {
       const auto values = parse_os_release(input);
       for (const auto& [key, value] : values) {
         EXPECT_FALSE(key.empty());
         EXPECT_EQ(key.find_first_of("= \t\n"), std::string::npos) << key;
         expect_one_line(value);
       }
       return !values.empty();
     }},
    {"proc-gpu-information",
     {"Model: \t\t NVIDIA GeForce RTX 3090\nIRQ:   \t\t 142\nGPU UUID: \t GPU-5ad2b8c5\n"
      "Bus Location: \t 0000:01:00.0\nDevice Minor: \t 0\nGPU Excluded:\t No\n"},
     [](const std::string& input) {
       const auto information = parse_proc_gpu_information(input);
       if (information) {
         EXPECT_FALSE(information->model.empty());
         expect_one_line(information->model);
         expect_one_line(information->bus_location);
       }
       return information.has_value();
     }},
    version_subject(
      "cuda-version-json",
      {"{\n   \"cuda\" : {\n      \"name\" : \"CUDA SDK\",\n      \"version\" : \"12.4.1\"\n   },\n"
       "   \"cuda_cccl\" : {\n      \"name\" : \"CUDA C++\",\n      \"version\" : \"12.4.127\"\n"
       "   },\n   \"x\" : [1, -2.5e3, true, null, \"\\u00e9\"]\n}\n"},
      &parse_cuda_version_json, 1),
    version_subject("cuda-version-txt", {"CUDA Version 11.0.228\n", "CUDA Version 10.2.89"},
                    &parse_cuda_version_txt, 2),
    version_subject(
      "nvcc",
      {"nvcc: NVIDIA (R) Cuda compiler driver\nCopyright (c) 2005-2025 NVIDIA Corporation\n"
       "Built on Wed_Aug_20_01:58:59_PM_PDT_2025\nCuda compilation tools, release 13.0, "
       "V13.0.88\nBuild cuda_13.0.r13.0/compiler.36424714_0\n"},
      &parse_nvcc_version, 2),
    version_subject("cudart-header", {"/* header */\n#define CUDART_VERSION  13000\n"},
                    &parse_cudart_header, 2),
    version_subject(
      "cudnn-header",
      {"#define CUDNN_MAJOR 9\n#define CUDNN_MINOR 19\n#define CUDNN_PATCHLEVEL 0\n"
       "#define CUDNN_VERSION (CUDNN_MAJOR * 10000 + CUDNN_MINOR * 100 + CUDNN_PATCHLEVEL)\n"},
      &parse_cudnn_header, 3),
    {"library-file-version",
     {"libcudnn.so.9.1.0", "libcuda.so.535.104.05"},
     [](const std::string& input) {
       bool parsed = false;
       for (const std::string_view library : {"libcudnn.so", "libcuda.so", ""}) {
         if (const auto version = parse_library_file_version(input, library)) {
           expect_sane(*version);
           parsed = true;
         }
       }
       return parsed;
     }},
    {"distribution-dir",
     {"torch-2.5.1+cu124.dist-info", "tensorflow-2.15.0.post1.dist-info",
      "jaxlib-0.4.23+cuda12.cudnn89.dist-info", "PyYAML-6.0-py3.11.egg-info",
      "foo-1!2.0.dist-info"},
     [](const std::string& input) {
       const auto parsed = parse_distribution_dir(input);
       if (parsed) {
         EXPECT_FALSE(parsed->name.empty());
         EXPECT_EQ(parsed->name.find_first_of("-.ABCDEFGHIJKLMNOPQRSTUVWXYZ"), std::string::npos);
         EXPECT_FALSE(parsed->version.empty());
         EXPECT_NE(parsed->version.find(parsed->release.text()), std::string::npos);
         EXPECT_EQ(parsed->local.find('+'), std::string::npos);
         expect_sane(parsed->release);
       }
       return parsed.has_value();
     }},
    {"torch-version-py",
     {"from typing import Optional\n\n__all__ = ['__version__', 'debug', 'cuda', 'git_version', "
      "'hip']\n"
      "__version__ = '2.5.1+cu124'\ndebug = False\ncuda: Optional[str] = '12.4'\n"
      "git_version = 'a8d6afb511a69687bbb2b7e88a3cf67917e1697e'\nhip: Optional[str] = None\n"},
     [](const std::string& input) {
       const auto cuda = parse_torch_version_py(input);
       if (cuda) {
         expect_one_line(*cuda);
       }
       return cuda.has_value();
     }},
    {"tensorflow-build-info",
     {"build_info = collections.OrderedDict([('cpu_compiler', '/usr/lib/llvm-17/bin/clang'), "
      "('cuda_compute_capabilities', ['sm_60', 'compute_90']), ('cuda_version', '12.3'), "
      "('cudnn_version', '8'), ('is_cuda_build', True), ('is_rocm_build', False)])\n",
      "is_cuda_build = True\ncuda_version_number = '10.1'\n"},
     [](const std::string& input) {
       const auto cuda = parse_tensorflow_build_info(input);
       if (cuda) {
         expect_one_line(*cuda);
       }
       return cuda.has_value();
     }},
    {"pci-ids",
     {"# comment\n10dd  Evans & Sutherland\n\t0100  Lightning 1200\n10de  NVIDIA Corporation\n"
      "\t2204  GA102 [GeForce RTX 3090]\n\t\t1458 403b  GeForce RTX 3090 Vision OC 24G\n"
      "10df  Emulex Corporation\n"},
     [](const std::string& input) {
       bool found = false;
       for (const std::uint16_t device :
            {std::uint16_t{0x2204}, std::uint16_t{0x0100}, std::uint16_t{0}}) {
         if (const auto name = find_pci_device_name(input, device)) {
           EXPECT_FALSE(name->empty());
           expect_one_line(*name);
           found = true;
         }
       }
       return found;
     }},
    {"sysfs-hex",
     {"0x10de\n", "0x030000\n"},
     [](const std::string& input) { return parse_sysfs_hex(input).has_value(); }},
    {"nvidia-smi-csv",
     {"0, NVIDIA H100 80GB HBM3, 9.0, 81559, 00000000:19:00.0, 580.95.05\r\n"
      "1, Tesla K80, [N/A], [N/A], 00000000:04:00.0, [N/A]\n\n"},
     [](const std::string& input) {
       const auto gpus = parse_nvidia_smi_csv(input);
       for (const auto& gpu : gpus) {
         EXPECT_GE(gpu.index, 0);
         expect_one_line(gpu.name);
         expect_one_line(gpu.pci_bus_id);
         if (gpu.compute_capability) {
           EXPECT_GE(gpu.compute_capability->major, 1);
           EXPECT_LE(gpu.compute_capability->minor, 9);
           EXPECT_GE(gpu.compute_capability->minor, 0);
         }
         if (gpu.memory_bytes) {
           EXPECT_EQ(*gpu.memory_bytes % (1024 * 1024), 0u);
         }
         if (gpu.driver) {
           expect_sane(*gpu.driver, 2);
         }
       }
       return !gpus.empty();
     }},
    version_subject("glibc",
                    {"GNU C Library (Debian GLIBC 2.36-9+deb12u14) stable release version 2.36.\n",
                     "/lib/x86_64-linux-gnu/libc-2.31.so"},
                    &parse_glibc_version, 2),
  };
}

// `text` with non-printable bytes as \xNN, for failure messages.
std::string printable(std::string_view text)
{
  std::string shown;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f && c != '\\') {
      shown += c;
    } else {
      constexpr std::string_view hex = "0123456789abcdef";
      shown += "\\x";
      shown += hex[byte >> 4];
      shown += hex[byte & 0xf];
    }
  }
  return shown;
}

TEST(DetectParsersFuzz, RandomAndMutatedInputs)
{
  for (const auto& subject : subjects()) {
    SCOPED_TRACE(subject.name);
    Mutator mutator(20250101u);
    for (int i = 0; i < k_random_iterations; ++i) {
      const std::string input = mutator.random_bytes();
      subject.run(input);
      ASSERT_FALSE(HasFailure()) << "random input #" << i << ": " << printable(input);
    }
    int parsed = 0;
    for (int i = 0; i < k_mutated_iterations; ++i) {
      std::string input = subject.seeds[mutator.below(subject.seeds.size())];
      input = mutator.mutate(std::move(input));
      parsed += subject.run(input) ? 1 : 0;
      ASSERT_FALSE(HasFailure()) << "mutated input #" << i << ": " << printable(input);
    }
    // Enough mutated inputs must still parse for the result checks to mean something.
    ASSERT_GE(parsed, k_mutated_iterations / 20);
    for (const auto& seed : subject.seeds) {
      EXPECT_TRUE(subject.run(seed)) << printable(seed);
    }
  }
}

// Big inputs built from the fragments each parser searches for: every parser has to stay
// linear in its input, so these finish at once instead of timing out.
TEST(DetectParsersFuzz, LargeRepetitiveInputs)
{
  constexpr std::size_t k_size = 1 << 17;
  const auto repeat = [&](std::string_view unit) {
    std::string text;
    while (text.size() < k_size) {
      text += unit;
    }
    return text;
  };
  const std::string digits = repeat("1.");
  const std::string blanks = repeat(" ");
  const std::string nested = "{\"cuda\":" + repeat("[");
  EXPECT_FALSE(parse_driver_version("Kernel Module " + repeat("1.2x ")));
  EXPECT_FALSE(parse_driver_version(digits));
  EXPECT_TRUE(parse_os_release(repeat("A=\"\\\\")).empty());
  EXPECT_FALSE(parse_proc_gpu_information(repeat(":")));
  EXPECT_FALSE(parse_cuda_version_json(nested));
  EXPECT_FALSE(parse_cuda_version_json(repeat("{\"a\":\"\\u00")));
  EXPECT_FALSE(parse_cuda_version_txt(repeat("CUDA Version ")));
  EXPECT_FALSE(parse_nvcc_version(repeat("Cuda compilation tools, release ")));
  EXPECT_FALSE(parse_cudart_header(repeat("#define CUDART_VERSION ")));
  EXPECT_FALSE(parse_cudnn_header(repeat("#define CUDNN_MAJOR 9\n")));
  EXPECT_FALSE(parse_library_file_version(digits, "1"));
  EXPECT_FALSE(parse_distribution_dir(digits + ".dist-info"));
  EXPECT_FALSE(parse_torch_version_py(repeat("cuda = '") + "\n"));
  EXPECT_FALSE(parse_tensorflow_build_info(repeat("'cuda_version', '")));
  EXPECT_FALSE(parse_tensorflow_build_info(repeat("'is_cuda_build'") + blanks));
  EXPECT_FALSE(find_pci_device_name("10de  NVIDIA\n" + repeat("\t2204\n"), 0x2204));
  EXPECT_FALSE(parse_sysfs_hex("0x" + repeat("0") + "1g"));
  EXPECT_TRUE(parse_nvidia_smi_csv(repeat(",")).empty());
  EXPECT_FALSE(parse_glibc_version(repeat("release version libc-")));
  EXPECT_FALSE(parse_glibc_version(repeat("release version 1.") + ".so"));
}

}  // namespace
}  // namespace envsetup::detect
