// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/inspect_sources.hpp>

#include <envsetup/binary/byte_source.hpp>
#include <envsetup/binary/library_files.hpp>
#include <envsetup/install/wheel_reader.hpp>

#include <map>

namespace envsetup::app {

namespace fs = std::filesystem;

WheelName parse_wheel_name(const std::string& file_name)
{
  // {distribution}-{version}(-{build})?-{python}-{abi}-{platform}.whl
  std::string stem = file_name;
  if (stem.ends_with(".whl")) {
    stem.resize(stem.size() - 4);
  }
  const auto first = stem.find('-');
  if (first == std::string::npos) {
    return {stem, ""};
  }
  const auto second = stem.find('-', first + 1);
  return {stem.substr(0, first), stem.substr(first + 1, second == std::string::npos ? std::string::npos
                                                                                     : second - first - 1)};
}

namespace {

std::string base_name(const std::string& member)
{
  const auto slash = member.rfind('/');
  return slash == std::string::npos ? member : member.substr(slash + 1);
}

binary::PullSource pull_source(install::WheelEntryStream& stream, std::uint64_t size)
{
  return binary::PullSource([&stream](std::span<std::byte> out) { return stream.read(out); }, size);
}

}  // namespace

util::Status read_wheel(const fs::path& path, util::UniqueFd fd, InspectReport& report)
{
  const WheelName name = parse_wheel_name(path.filename().string());
  const std::string shown = path.string() + "!";
  // Pass 1: the ELF header and section table of each library (both read in file order).
  std::map<std::string, binary::ElfPlan> plans;
  auto first = install::for_each_wheel_entry(
    fd, {}, [&](const install::WheelEntry& entry, install::WheelEntryStream& stream) -> util::Result<bool> {
      if (!entry.regular_file || !binary::is_library_name(base_name(entry.path))) {
        return true;
      }
      auto source = pull_source(stream, entry.declared_size);
      auto plan = binary::plan_library(source);
      if (!plan) {
        report.problems.push_back({shown + entry.path, std::move(plan).error()});
      } else if (plan->kind == binary::FileKind::elf) {
        plans.emplace(entry.path, std::move(*plan));
      }
      return true;
    });
  if (!first) {
    report.problems.push_back({path.string(), std::move(first).error()});
    return util::ok_status();
  }
  // Pass 2: names and fatbins, in file order again.
  const std::size_t before = report.libraries.size();
  auto second = install::for_each_wheel_entry(
    fd, {}, [&](const install::WheelEntry& entry, install::WheelEntryStream& stream) -> util::Result<bool> {
      const auto plan = plans.find(entry.path);
      if (plan == plans.end()) {
        return true;
      }
      auto source = pull_source(stream, entry.declared_size);
      auto code = binary::read_library(plan->second, source);
      if (!code) {
        report.problems.push_back({shown + entry.path, std::move(code).error()});
      } else if (code->fatbins.empty()) {
        report.without_cuda.push_back(shown + entry.path);
      } else {
        report.libraries.push_back({shown + entry.path, name.distribution, std::move(*code), {}});
      }
      return true;
    });
  if (!second) {
    report.problems.push_back({path.string(), std::move(second).error()});
  }
  if (report.libraries.size() > before) {
    report.packages.push_back({name.distribution, name.version, {}});
    for (std::size_t i = before; i < report.libraries.size(); ++i) {
      report.packages.back().libraries.push_back(i);
    }
  }
  return util::ok_status();
}

}  // namespace envsetup::app
