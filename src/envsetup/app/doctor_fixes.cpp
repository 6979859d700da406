// SPDX-License-Identifier: Apache-2.0
// Fixes that fit the host: the distribution's own driver commands, container advice
// (docs/doctor.md "Fixes per host"), and the toolkit-newer-than-driver finding.
#include <envsetup/app/doctor.hpp>

#include <envsetup/resolve/binary_coverage.hpp>

#include <algorithm>

namespace envsetup::app {

namespace {

using detect::OsFamily;

// "9" of VERSION_ID "9.4"; "" when the major version is not 1 to 3 digits. VERSION_ID is text
// from /etc/os-release: only digits may reach the repo URL of a command users paste into a
// root shell (`9;rm -rf ~` must not).
std::string major_of(const std::string& version_id)
{
  const std::string major = version_id.substr(0, version_id.find('.'));
  const bool digits = !major.empty() && major.size() <= 3 &&
                      std::all_of(major.begin(), major.end(), [](char c) { return c >= '0' && c <= '9'; });
  return digits ? major : std::string();
}

std::string nvidia_rhel_repo(const detect::HostOs& os)
{
  const std::string major = major_of(os.version_id).empty() ? "9" : major_of(os.version_id);
  return "sudo dnf config-manager --add-repo https://developer.download.nvidia.com/compute/cuda/repos/rhel" + major +
         "/x86_64/cuda-rhel" + major + ".repo   # sbsa instead of x86_64 on Arm servers; DKMS needs EPEL";
}

}  // namespace

std::string container_fix(const detect::HostOs& os)
{
  return "envsetup runs inside a container (" + os.container_evidence +
         "): the driver belongs to the host, not the image. On the host: install the NVIDIA driver and the "
         "NVIDIA Container Toolkit (sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart "
         "docker), then start the container with `docker run --gpus all ...` (Podman: `--device "
         "nvidia.com/gpu=all` after `sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml`)";
}

std::string driver_install_fix(const detect::HostOs& os, std::optional<int> branch)
{
  if (os.container) {
    return container_fix(os);
  }
  const std::string b = branch ? std::to_string(*branch) : "";
  switch (os.family) {
    case OsFamily::ubuntu:
      return branch ? "sudo apt install nvidia-driver-" + b + "   # then reboot"
                    : "sudo ubuntu-drivers install   # the recommended driver (`ubuntu-drivers list` shows the "
                      "choices); then reboot";
    case OsFamily::debian:
      if (branch) {
        return "Debian packages one driver branch; for R" + b +
               " use NVIDIA's CUDA repository (https://developer.nvidia.com/cuda-downloads, Debian): sudo apt "
               "install cuda-drivers-" +
               b + "   # then reboot";
      }
      return "sudo apt install nvidia-driver firmware-misc-nonfree   # needs `contrib non-free "
             "non-free-firmware` on the deb lines of /etc/apt/sources.list (then sudo apt update); "
             "with Secure Boot, enrol the DKMS key (mokutil); then reboot";
    case OsFamily::fedora:
      if (branch) {
        return "sudo dnf install akmod-nvidia-" + b +
               "xx   # RPM Fusion nonfree's package for that branch, when "
               "it has one; else NVIDIA's repository: sudo dnf module install nvidia-driver:" +
               b + "-dkms; then reboot";
      }
      return "sudo dnf install akmod-nvidia xorg-x11-drv-nvidia-cuda   # from RPM Fusion nonfree "
             "(https://rpmfusion.org/Configuration); wait for akmods to build the module, then reboot";
    case OsFamily::rhel:
      return nvidia_rhel_repo(os) + "; sudo dnf module install nvidia-driver:" + (branch ? b : "latest") +
             "-dkms   # then reboot";
    case OsFamily::unknown:
      break;
  }
  return branch ? "install an R" + b +
                    " NVIDIA driver (your distribution's package, or the .run installer from "
                    "https://www.nvidia.com/drivers) and reboot"
                : "install the NVIDIA driver (your distribution's package, or the .run installer from "
                  "https://www.nvidia.com/drivers) and reboot";
}

std::string nouveau_fix(const detect::HostOs& os)
{
  if (os.container) {
    return "nouveau is loaded by the host's kernel (" + os.container_evidence +
           "): blacklist it on the host, not in the container";
  }
  const std::string blacklist =
    "printf 'blacklist nouveau\\noptions nouveau modeset=0\\n' | sudo tee "
    "/etc/modprobe.d/blacklist-nouveau.conf && ";
  if (os.family == OsFamily::fedora || os.family == OsFamily::rhel) {
    return blacklist + "sudo dracut --force && sudo reboot";
  }
  return blacklist + "sudo update-initramfs -u && sudo reboot";
}

void host_fit_findings(const detect::HostReport& report, const detect::EnvironmentFacts& facts,
                       const matrix::Matrix& matrix, std::vector<Finding>& out)
{
  if (!report.driver) {
    return;
  }
  auto driver_cuda = report.driver->cuda_version;
  std::string source = report.driver->cuda_source;
  if (!driver_cuda) {
    driver_cuda = resolve::cuda_for_driver(report.driver->version, matrix);
    source = "matrix";
  }
  if (!driver_cuda) {
    return;
  }
  for (const auto& toolkit : report.toolkits) {
    if (!toolkit.version) {
      continue;
    }
    const core::Version toolkit_xy = toolkit.version->prefix(2);
    if (!(driver_cuda->prefix(2) < toolkit_xy)) {
      continue;
    }
    const bool same_major = driver_cuda->major() == toolkit_xy.major();
    out.push_back(
      {same_major ? Severity::warning : Severity::error, "toolkit-newer-than-driver",
       "the CUDA toolkit " + toolkit_xy.text() + " in " + toolkit.path + " is newer than driver " +
         report.driver->version.text() + " supports (CUDA " + driver_cuda->text() + ")",
       "toolkit " + toolkit.version->text() + " (" + toolkit.version_source + "), driver " +
         report.driver->version.text() + " runs CUDA <= " + driver_cuda->text() + " (" + source + ")" +
         (same_major ? "; minor-version compatibility runs its SASS, but PTX it compiles cannot be JIT-compiled "
                       "and newer APIs fail"
                     : "; programs built with it fail with cudaErrorInsufficientDriver"),
       "upgrade the driver: " + driver_install_fix(facts.os, std::nullopt) +
         "; or use a toolkit this driver runs: envsetup install --cuda " + driver_cuda->text()});
  }
}

}  // namespace envsetup::app
