// SPDX-License-Identifier: Apache-2.0
#include <envsetup/specgen/container_image.hpp>

#include <array>
#include <string_view>
#include <vector>

namespace envsetup::specgen {

namespace {

// Published nvidia/cuda tags per CUDA X.Y: the newest patch release and its Ubuntu bases,
// newest first (Docker Hub nvidia/cuda tag list; gitlab.com/nvidia/container-images/cuda
// dist/ folders). Tags below 12.4 name the cuDNN major (`11.8.0-cudnn8-runtime-ubuntu22.04`),
// from 12.4 on just `cudnn` (`12.4.1-cudnn-runtime-ubuntu22.04`).
struct CudaImage {
  std::string_view cuda;     // "12.4"
  std::string_view version;  // "12.4.1", as in the tag
  std::vector<std::string_view> ubuntus;
};

const std::vector<CudaImage>& cuda_images()
{
  static const std::vector<CudaImage> images{
    {"10.2", "10.2", {"18.04"}},
    {"11.0", "11.0.3", {"20.04", "18.04"}},
    {"11.2", "11.2.2", {"20.04", "18.04"}},
    {"11.3", "11.3.1", {"20.04", "18.04"}},
    {"11.6", "11.6.2", {"20.04", "18.04"}},
    {"11.7", "11.7.1", {"22.04", "20.04", "18.04"}},
    {"11.8", "11.8.0", {"22.04", "20.04"}},
    {"12.1", "12.1.1", {"22.04", "20.04"}},
    {"12.2", "12.2.2", {"22.04", "20.04"}},
    {"12.3", "12.3.2", {"22.04", "20.04"}},
    {"12.4", "12.4.1", {"22.04", "20.04"}},
    {"12.5", "12.5.1", {"24.04", "22.04", "20.04"}},
    {"12.6", "12.6.3", {"24.04", "22.04", "20.04"}},
    {"12.8", "12.8.1", {"24.04", "22.04", "20.04"}},
    {"12.9", "12.9.1", {"24.04", "22.04", "20.04"}},
    {"13.0", "13.0.1", {"24.04", "22.04"}},
  };
  return images;
}

// The python3 each Ubuntu LTS ships.
constexpr std::array<std::pair<std::string_view, std::string_view>, 4> k_ubuntu_python{{
  {"18.04", "3.6"},
  {"20.04", "3.8"},
  {"22.04", "3.10"},
  {"24.04", "3.12"},
}};

std::string_view ubuntu_python(std::string_view ubuntu)
{
  for (const auto& [release, python] : k_ubuntu_python) {
    if (release == ubuntu) {
      return python;
    }
  }
  return "";
}

// The release of `ubuntus` (newest first) whose python3 is `python`, else the newest.
std::string_view pick_ubuntu(const std::vector<std::string_view>& ubuntus, const std::string& python)
{
  for (const auto ubuntu : ubuntus) {
    if (ubuntu_python(ubuntu) == python) {
      return ubuntu;
    }
  }
  return ubuntus.front();
}

std::string major_minor(const core::Version& version)
{
  return std::to_string(version.major()) + "." + std::to_string(version.minor());
}

}  // namespace

ContainerImage container_image(const core::Plan& plan)
{
  const std::string python = plan.python ? major_minor(*plan.python) : "";
  ContainerImage result;
  if (!plan.cuda) {
    result.ubuntu = std::string(pick_ubuntu({"24.04", "22.04"}, python));
    result.image = "ubuntu:" + result.ubuntu;
  } else {
    const std::string cuda = major_minor(*plan.cuda);
    std::string version = plan.cuda->text();
    std::vector<std::string_view> ubuntus{"24.04"};
    for (const auto& entry : cuda_images()) {
      if (entry.cuda == cuda) {
        version = std::string(entry.version);
        ubuntus = entry.ubuntus;
      }
    }
    result.ubuntu = std::string(pick_ubuntu(ubuntus, python));
    std::string flavor = "runtime";
    if (plan.system_toolkit) {
      const bool versioned_cudnn = *plan.cuda < core::Version::parse("12.4").value();
      flavor = "cudnn" + (versioned_cudnn && plan.cudnn ? std::to_string(plan.cudnn->major()) : "") + "-devel";
    }
    result.image = "nvidia/cuda:" + version + "-" + flavor + "-ubuntu" + result.ubuntu;
  }
  result.needs_ppa = ubuntu_python(result.ubuntu) != python;
  return result;
}

}  // namespace envsetup::specgen
