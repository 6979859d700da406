// SPDX-License-Identifier: Apache-2.0
// Builds a fake host as a sysroot folder for detection tests: files, links, scripts, the
// fake NVIDIA libraries. Removed when the object goes away.
#pragma once

#include <envsetup/detect/probe.hpp>

#include <filesystem>
#include <string>

namespace envsetup::testing {

class FakeHost {
public:
  FakeHost();
  ~FakeHost();
  FakeHost(const FakeHost&) = delete;
  FakeHost& operator=(const FakeHost&) = delete;

  [[nodiscard]] const std::filesystem::path& root() const { return m_root; }

  // Writes `content` at host path `path` (parents created).
  FakeHost& file(const std::string& path, const std::string& content);
  // An executable shell script at `path` printing `output` and exiting with `status`.
  FakeHost& script(const std::string& path, const std::string& output, int status = 0);
  // A symbolic link at `path` pointing at `target` (written as given, absolute or relative).
  FakeHost& link(const std::string& path, const std::string& target);
  FakeHost& dir(const std::string& path);
  // Copies a real file (a built fake library) to host path `path`.
  FakeHost& copy(const std::string& path, const std::filesystem::path& from);

  // The driver's kernel interfaces for `version` (/proc/driver/nvidia/version, sysfs).
  FakeHost& kernel_module(const std::string& version);
  // An NVIDIA PCI device at `address` (e.g. "0000:01:00.0") with `device_id` (e.g. "0x2204").
  FakeHost& pci_gpu(const std::string& address, const std::string& device_id,
                    const std::string& proc_model = "");
  // A glibc `libc.so.6` in folder `dir` whose banner says "release version <version>."
  // (a few bytes of ELF-looking junk around it, NULs included).
  FakeHost& glibc(const std::string& dir, const std::string& version);
  // A Python distribution folder in `site` ("torch-2.5.1+cu124.dist-info").
  FakeHost& dist(const std::string& site, const std::string& name);

  // A probe of this host with `environment`.
  [[nodiscard]] detect::SystemProbe probe(detect::SystemProbe::Environment environment = {}) const;

private:
  std::filesystem::path m_root;
};

}  // namespace envsetup::testing
