// SPDX-License-Identifier: Apache-2.0
// The system and CUDA parsers of parsers.hpp; version.json is parsed in parsers_json.cpp and
// the Python sources in parsers_python.cpp.
#include <envsetup/detect/parsers.hpp>

#include <envsetup/detect/parse_support.hpp>
#include <envsetup/util/strings.hpp>

#include <charconv>
#include <limits>
#include <utility>

namespace envsetup::detect {

using detail::find_define;
using detail::leading_version_text;
using detail::next_line;
using detail::next_token;
using detail::parse_hex4;
using detail::to_version;

namespace {

constexpr std::uint16_t k_nvidia_vendor = 0x10de;

// A nvidia-smi CSV field, with the "[N/A]" / "[Not Supported]" placeholders as "".
std::string_view smi_field(std::string_view field)
{
  field = util::trim(field);
  return field.starts_with('[') && field.ends_with(']') ? std::string_view{} : field;
}

std::optional<std::uint64_t> smi_memory_bytes(std::string_view field)
{
  if (field.ends_with("MiB")) {
    field = util::trim(field.substr(0, field.size() - 3));
  }
  std::uint64_t mib = 0;
  const char* end = field.data() + field.size();
  const auto [ptr, ec] = std::from_chars(field.data(), end, mib);
  constexpr std::uint64_t k_mib = std::uint64_t{1024} * 1024;
  if (field.empty() || ec != std::errc{} || ptr != end ||
      mib > std::numeric_limits<std::uint64_t>::max() / k_mib) {
    return std::nullopt;
  }
  return mib * k_mib;
}

}  // namespace

std::optional<core::Version> parse_driver_version(std::string_view text)
{
  // The sysfs form is the version alone.
  if (auto bare = to_version(util::trim(text), 2)) {
    return bare;
  }
  constexpr std::string_view marker = "Kernel Module";
  std::string_view rest = text;
  while (!rest.empty()) {
    std::string_view line = next_line(rest);
    const std::size_t at = line.find(marker);
    if (at == std::string_view::npos) {
      continue;
    }
    // "... Kernel Module [for <arch>]  535.104.05  <build date or info>": the first dotted
    // token after the marker; "for", the architecture and the date never parse.
    line.remove_prefix(at + marker.size());
    for (std::string_view token = next_token(line); !token.empty(); token = next_token(line)) {
      if (auto version = to_version(token, 2)) {
        return version;
      }
    }
    return std::nullopt;
  }
  return std::nullopt;
}

std::map<std::string, std::string> parse_os_release(std::string_view text)
{
  std::map<std::string, std::string> values;
  std::string_view rest = text;
  while (!rest.empty()) {
    const std::string_view line = util::trim(next_line(rest));
    const std::size_t equals = line.find('=');
    if (line.empty() || line.starts_with('#') || equals == std::string_view::npos) {
      continue;
    }
    const std::string_view key = line.substr(0, equals);
    if (key.empty() || (key[0] >= '0' && key[0] <= '9') ||
        key.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") !=
          std::string_view::npos) {
      continue;
    }
    const std::string_view raw = util::trim(line.substr(equals + 1));
    if (raw.empty() || (raw[0] != '"' && raw[0] != '\'')) {
      values[std::string(key)] = std::string(raw);
      continue;
    }
    // Shell quoting: '...' is literal; inside "..." a backslash escapes " \ $ and `.
    const char quote = raw[0];
    std::string value;
    bool closed = false;
    std::size_t i = 1;
    for (; i < raw.size(); ++i) {
      const char c = raw[i];
      if (c == quote) {
        closed = true;
        break;
      }
      if (quote == '"' && c == '\\' && i + 1 < raw.size() &&
          std::string_view("\"\\$`").find(raw[i + 1]) != std::string_view::npos) {
        ++i;
      }
      value += raw[i];
    }
    if (closed && i + 1 == raw.size()) {
      values[std::string(key)] = std::move(value);
    }
  }
  return values;
}

std::optional<ProcGpuInformation> parse_proc_gpu_information(std::string_view text)
{
  ProcGpuInformation information;
  std::string_view rest = text;
  while (!rest.empty()) {
    const std::string_view line = next_line(rest);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      continue;
    }
    const std::string_view key = util::trim(line.substr(0, colon));
    const std::string_view value = util::trim(line.substr(colon + 1));
    if (key == "Model" && information.model.empty()) {
      information.model = std::string(value);
    } else if (key == "Bus Location" && information.bus_location.empty()) {
      information.bus_location = std::string(value);
    }
  }
  if (information.model.empty()) {
    return std::nullopt;
  }
  return information;
}

std::optional<core::Version> parse_cuda_version_txt(std::string_view text)
{
  constexpr std::string_view prefix = "CUDA Version";
  std::string_view rest = text;
  while (!rest.empty()) {
    std::string_view line = util::trim(next_line(rest));
    if (line.starts_with(prefix)) {
      line.remove_prefix(prefix.size());
      return to_version(next_token(line), 2);
    }
  }
  return std::nullopt;
}

std::optional<core::Version> parse_nvcc_version(std::string_view text)
{
  // "Cuda compilation tools, release 12.4, V12.4.131"
  constexpr std::string_view tools = "Cuda compilation tools";
  constexpr std::string_view release = "release ";
  std::string_view rest = text;
  while (!rest.empty()) {
    const std::string_view line = next_line(rest);
    const std::size_t at_tools = line.find(tools);
    const std::size_t at_release =
      at_tools == std::string_view::npos ? at_tools : line.find(release, at_tools + tools.size());
    if (at_release != std::string_view::npos) {
      const std::string_view after = line.substr(at_release + release.size());
      return to_version(util::trim(after.substr(0, after.find(','))), 2);
    }
  }
  return std::nullopt;
}

std::optional<core::Version> parse_cudart_header(std::string_view text)
{
  // CUDART_VERSION is major * 1000 + minor * 10: 12040 -> 12.4.
  const auto value = find_define(text, "CUDART_VERSION");
  int number = 0;
  if (!value || !util::parse_non_negative(*value, number) || number < 1000) {
    return std::nullopt;
  }
  return to_version(std::to_string(number / 1000) + "." + std::to_string(number % 1000 / 10));
}

std::optional<core::Version> parse_cudnn_header(std::string_view text)
{
  const auto major = find_define(text, "CUDNN_MAJOR");
  const auto minor = find_define(text, "CUDNN_MINOR");
  const auto patch = find_define(text, "CUDNN_PATCHLEVEL");
  int parts[3] = {};
  if (!major || !minor || !patch || !util::parse_non_negative(*major, parts[0]) ||
      !util::parse_non_negative(*minor, parts[1]) || !util::parse_non_negative(*patch, parts[2])) {
    return std::nullopt;
  }
  return to_version(std::to_string(parts[0]) + "." + std::to_string(parts[1]) + "." +
                    std::to_string(parts[2]));
}

std::optional<core::Version> parse_library_file_version(std::string_view file_name,
                                                        std::string_view library)
{
  if (library.empty() || !file_name.starts_with(library) ||
      file_name.substr(library.size(), 1) != ".") {
    return std::nullopt;
  }
  return to_version(file_name.substr(library.size() + 1));
}

std::optional<std::string> find_pci_device_name(std::string_view pci_ids, std::uint16_t device_id)
{
  // Vendors start at column 0, their devices after one tab, subsystems after two.
  bool in_nvidia = false;
  std::string_view rest = pci_ids;
  while (!rest.empty()) {
    const std::string_view line = next_line(rest);
    if (line.empty() || line.starts_with('#')) {
      continue;
    }
    if (line[0] != '\t') {
      const bool nvidia = line.size() > 4 && (line[4] == ' ' || line[4] == '\t') &&
        parse_hex4(line.substr(0, 4)) == k_nvidia_vendor;
      if (in_nvidia && !nvidia) {
        return std::nullopt;
      }
      in_nvidia = nvidia;
      continue;
    }
    if (!in_nvidia || line.size() < 6 || line[1] == '\t' || (line[5] != ' ' && line[5] != '\t') ||
        parse_hex4(line.substr(1, 4)) != device_id) {
      continue;
    }
    if (const std::string_view name = util::trim(line.substr(5)); !name.empty()) {
      return std::string(name);
    }
  }
  return std::nullopt;
}

std::optional<std::uint32_t> parse_sysfs_hex(std::string_view text)
{
  text = util::trim(text);
  if (!text.starts_with("0x") && !text.starts_with("0X")) {
    return std::nullopt;
  }
  text.remove_prefix(2);
  std::uint32_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value, 16);
  if (text.empty() || ec != std::errc{} || ptr != end) {
    return std::nullopt;
  }
  return value;
}

std::vector<SmiGpu> parse_nvidia_smi_csv(std::string_view text)
{
  // index, name, compute_cap, memory.total, pci.bus_id, driver_version. A name with commas
  // in it is rejoined: the four fields after it are counted from the end.
  constexpr std::size_t k_fields = 6;
  std::vector<SmiGpu> gpus;
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto fields = util::split(next_line(rest), ',');
    SmiGpu gpu;
    if (fields.size() < k_fields || !util::parse_non_negative(util::trim(fields[0]), gpu.index)) {
      continue;
    }
    const std::size_t tail = fields.size() - 4;
    const char* name_begin = fields[1].data();
    const char* name_end = fields[tail - 1].data() + fields[tail - 1].size();
    gpu.name = std::string(
      smi_field(std::string_view(name_begin, static_cast<std::size_t>(name_end - name_begin))));
    if (auto capability = core::ComputeCapability::parse(smi_field(fields[tail]))) {
      gpu.compute_capability = *capability;
    }
    gpu.memory_bytes = smi_memory_bytes(smi_field(fields[tail + 1]));
    gpu.pci_bus_id = std::string(smi_field(fields[tail + 2]));
    gpu.driver = to_version(smi_field(fields[tail + 3]), 2);
    gpus.push_back(std::move(gpu));
  }
  return gpus;
}

std::optional<core::Version> parse_glibc_version(std::string_view text)
{
  // The banner in libc.so.6: "... stable release version 2.36."
  constexpr std::string_view banner = "release version ";
  for (std::size_t at = text.find(banner); at != std::string_view::npos;
       at = text.find(banner, at + 1)) {
    if (auto version = to_version(leading_version_text(text.substr(at + banner.size())), 2)) {
      return version;
    }
  }
  // The file name of glibc < 2.34: "libc-2.31.so", possibly with a directory.
  constexpr std::string_view prefix = "libc-";
  for (std::size_t at = text.find(prefix); at != std::string_view::npos;
       at = text.find(prefix, at + 1)) {
    const bool word_start = at == 0 || text[at - 1] == '/' || text[at - 1] == ' ';
    const std::string_view after = text.substr(at + prefix.size());
    const std::string_view digits = leading_version_text(after);
    if (word_start && after.substr(digits.size()).starts_with(".so")) {
      if (auto version = to_version(digits, 2)) {
        return version;
      }
    }
  }
  return std::nullopt;
}

}  // namespace envsetup::detect
