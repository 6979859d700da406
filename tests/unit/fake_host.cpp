// SPDX-License-Identifier: Apache-2.0
#include "fake_host.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace envsetup::testing {

namespace fs = std::filesystem;

FakeHost::FakeHost()
{
  std::string pattern = (fs::temp_directory_path() / "envsetup-host-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  m_root = pattern;
}

FakeHost::~FakeHost()
{
  std::error_code ec;
  fs::remove_all(m_root, ec);
}

FakeHost& FakeHost::file(const std::string& path, const std::string& content)
{
  const fs::path real = m_root / fs::path(path).relative_path();
  fs::create_directories(real.parent_path());
  std::ofstream(real, std::ios::binary) << content;
  return *this;
}

FakeHost& FakeHost::glibc(const std::string& dir, const std::string& version)
{
  const std::string banner = "GNU C Library (GNU libc) stable release version " + version + ".\n";
  return file(dir + "/libc.so.6", std::string("\x7f" "ELF\x02\x01\0\0junk\0", 13) + banner + std::string("\0more", 5));
}

FakeHost& FakeHost::script(const std::string& path, const std::string& output, int status)
{
  file(path, "#!/bin/sh\ncat <<'ENVSETUP_EOF'\n" + output + "\nENVSETUP_EOF\nexit " +
               std::to_string(status) + "\n");
  fs::permissions(m_root / fs::path(path).relative_path(), fs::perms::owner_all);
  return *this;
}

FakeHost& FakeHost::link(const std::string& path, const std::string& target)
{
  const fs::path real = m_root / fs::path(path).relative_path();
  fs::create_directories(real.parent_path());
  fs::create_symlink(target, real);
  return *this;
}

FakeHost& FakeHost::dir(const std::string& path)
{
  fs::create_directories(m_root / fs::path(path).relative_path());
  return *this;
}

FakeHost& FakeHost::copy(const std::string& path, const fs::path& from)
{
  const fs::path real = m_root / fs::path(path).relative_path();
  fs::create_directories(real.parent_path());
  fs::copy_file(from, real, fs::copy_options::overwrite_existing);
  return *this;
}

FakeHost& FakeHost::kernel_module(const std::string& version)
{
  file("/proc/driver/nvidia/version", "NVRM version: NVIDIA UNIX x86_64 Kernel Module  " + version +
                                        "  Sat Aug 19 01:15:15 UTC 2023\nGCC version:  gcc version 12.2.0\n");
  return file("/sys/module/nvidia/version", version + "\n");
}

FakeHost& FakeHost::pci_gpu(const std::string& address, const std::string& device_id,
                            const std::string& proc_model)
{
  const std::string dir = "/sys/bus/pci/devices/" + address;
  file(dir + "/vendor", "0x10de\n");
  file(dir + "/device", device_id + "\n");
  file(dir + "/class", "0x030000\n");
  if (!proc_model.empty()) {
    file("/proc/driver/nvidia/gpus/" + address + "/information",
         "Model: \t\t " + proc_model + "\nIRQ:   \t\t 142\nBus Location: \t " + address + "\n");
  }
  return *this;
}

FakeHost& FakeHost::dist(const std::string& site, const std::string& name)
{
  return dir(site + "/" + name);
}

detect::SystemProbe FakeHost::probe(detect::SystemProbe::Environment environment) const
{
  return detect::SystemProbe(m_root, std::move(environment));
}

}  // namespace envsetup::testing
