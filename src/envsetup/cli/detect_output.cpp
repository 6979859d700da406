// SPDX-License-Identifier: Apache-2.0
#include <envsetup/cli/detect_output.hpp>

#include <envsetup/cli/output.hpp>

#include <nlohmann/json.hpp>

#include <ostream>

namespace envsetup::cli {

namespace {

using nlohmann::json;

json optional_version(const std::optional<core::Version>& version)
{
  return version ? json(version->text()) : json(nullptr);
}

std::string gib(std::uint64_t bytes)
{
  char text[32];
  std::snprintf(text, sizeof text, "%.1f GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
  return text;
}

std::string framework_text(const detect::FrameworkInfo& framework)
{
  std::string text = framework.name + " " + framework.version;
  if (framework.cuda) {
    text += framework.cuda->empty() ? " (CPU-only)" : " (CUDA " + *framework.cuda + ")";
  }
  return text;
}

// "glibc 2.36 (/usr/lib/x86_64-linux-gnu/libc.so.6)", "musl", "glibc unknown".
std::string c_library_text(const detect::HostPlatform& host)
{
  if (host.musl) {
    return "musl";
  }
  if (host.glibc.empty()) {
    return "glibc unknown";
  }
  return "glibc " + host.glibc +
         (host.glibc_source == "gnu_get_libc_version" ? " (from envsetup's own process: no libc.so.6 found)"
                                                      : " (" + host.glibc_source + ")");
}

}  // namespace

std::string host_report_json(const detect::HostReport& report)
{
  json document;
  document["host"] = {{"os", report.host.os},
                      {"os_version", report.host.os_version},
                      {"arch", report.host.arch},
                      {"platform", report.host.platform ? json(core::platform_name(*report.host.platform))
                                                        : json(nullptr)},
                      {"glibc", report.host.glibc.empty() ? json(nullptr) : json(report.host.glibc)},
                      {"glibc_source", report.host.glibc_source},
                      {"musl", report.host.musl},
                      {"jetson", report.host.jetson},
                      {"wsl", report.host.wsl},
                      {"container", report.host.container}};
  if (report.driver) {
    const auto& driver = *report.driver;
    document["driver"] = {{"version", driver.version.text()},
                          {"cuda_version", optional_version(driver.cuda_version)},
                          {"source", driver.source},
                          {"cuda_version_source", driver.cuda_source},
                          {"kernel_module", optional_version(driver.kernel_module)},
                          {"libcuda", optional_version(driver.libcuda)}};
  } else {
    document["driver"] = nullptr;
  }
  json gpus = json::array();
  for (const auto& gpu : report.gpus) {
    gpus.push_back({{"index", gpu.index},
                    {"name", gpu.name},
                    {"compute_capability",
                     gpu.compute_capability ? json(gpu.compute_capability->text()) : json(nullptr)},
                    {"memory_bytes", gpu.memory_bytes ? json(*gpu.memory_bytes) : json(nullptr)},
                    {"pci_bus_id", gpu.pci_bus_id},
                    {"source", gpu.source}});
  }
  document["gpus"] = gpus;
  json toolkits = json::array();
  for (const auto& toolkit : report.toolkits) {
    toolkits.push_back({{"path", toolkit.path},
                        {"version", optional_version(toolkit.version)},
                        {"source", toolkit.version_source},
                        {"cudnn_version", optional_version(toolkit.cudnn_version)},
                        {"cudnn_source", toolkit.cudnn_source},
                        {"found_via", toolkit.origin}});
  }
  document["toolkits"] = toolkits;
  json pythons = json::array();
  for (const auto& python : report.pythons) {
    json frameworks = json::array();
    for (const auto& framework : python.frameworks) {
      frameworks.push_back({{"name", framework.name},
                            {"version", framework.version},
                            {"cuda", framework.cuda ? json(*framework.cuda) : json(nullptr)}});
    }
    pythons.push_back({{"path", python.path},
                       {"version", optional_version(python.version)},
                       {"found_via", python.origin},
                       {"frameworks", frameworks}});
  }
  document["pythons"] = pythons;
  document["warnings"] = report.warnings;
  return document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

void print_host_report(std::ostream& out, const detect::HostReport& report)
{
  const auto& host = report.host;
  out << "host     " << (host.os.empty() ? "unknown OS" : host.os + " " + host.os_version) << ", "
      << host.arch << " (" << (host.platform ? core::platform_name(*host.platform) : "no envsetup builds")
      << "), " << c_library_text(host) << (host.wsl ? ", WSL" : "") << (host.container ? ", container" : "")
      << '\n';
  if (!host.jetson.empty()) {
    out << "Jetson   " << host.jetson
        << " (integrated GPU: framework plans are refused; use NVIDIA's JetPack wheels)\n";
  }
  if (report.driver) {
    const auto& driver = *report.driver;
    out << "driver   " << driver.version.text() << " (" << driver.source << "), supports CUDA "
        << (driver.cuda_version ? driver.cuda_version->text() + " (" + driver.cuda_source + ")"
                                : "unknown")
        << '\n';
  } else {
    out << "driver   none found\n";
  }
  if (report.gpus.empty()) {
    out << "GPUs     none found\n";
  } else {
    Table table({"GPU", "name", "cc", "memory", "bus", "source"});
    for (const auto& gpu : report.gpus) {
      table.add({std::to_string(gpu.index), gpu.name,
                 gpu.compute_capability ? gpu.compute_capability->text() : "?",
                 gpu.memory_bytes ? gib(*gpu.memory_bytes) : "", gpu.pci_bus_id, gpu.source});
    }
    out << '\n';
    table.print(out, "  ");
  }
  out << '\n';
  if (report.toolkits.empty()) {
    out << "CUDA toolkits: none found\n";
  } else {
    Table table({"CUDA toolkit", "version", "cuDNN", "found via"});
    for (const auto& toolkit : report.toolkits) {
      table.add({toolkit.path,
                 toolkit.version ? toolkit.version->text() + " (" + toolkit.version_source + ")" : "?",
                 toolkit.cudnn_version ? toolkit.cudnn_version->text() + " (" + toolkit.cudnn_source + ")"
                                       : "-",
                 toolkit.origin});
    }
    table.print(out, "  ");
  }
  out << '\n';
  if (report.pythons.empty()) {
    out << "Pythons: none found\n";
  } else {
    Table table({"Python", "version", "frameworks", "found via"});
    for (const auto& python : report.pythons) {
      std::string frameworks;
      for (const auto& framework : python.frameworks) {
        frameworks += (frameworks.empty() ? "" : ", ") + framework_text(framework);
      }
      table.add({python.path, python.version ? python.version->text() : "?",
                 frameworks.empty() ? "-" : frameworks, python.origin});
    }
    table.print(out, "  ");
  }
  for (const auto& warning : report.warnings) {
    out << "\nwarning: " << warning;
  }
  if (!report.warnings.empty()) {
    out << '\n';
  }
}

}  // namespace envsetup::cli
