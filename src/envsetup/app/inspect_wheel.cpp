// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/inspect_sources.hpp>

#include <envsetup/binary/byte_source.hpp>
#include <envsetup/binary/library_files.hpp>
#include <envsetup/install/wheel_reader.hpp>

#include <map>

#include <sys/stat.h>

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

// Records `error` for `path` unless the same error was just recorded for one of the wheel's
// entries (a stream error surfaces both in the entry being read and as the wheel's result).
void add_problem(InspectReport& report, const std::string& path, util::Error error, std::size_t first_of_wheel)
{
  for (std::size_t i = first_of_wheel; i < report.problems.size(); ++i) {
    const auto& known = report.problems[i].error;
    if (known.message == error.message && known.causes == error.causes) {
      return;
    }
  }
  report.problems.push_back({path, std::move(error)});
}

// What identifies the wheel's content for the two passes: a rewrite in place changes these.
struct Stamp {
  struct stat status {};
  bool same_as(const Stamp& other) const
  {
    return status.st_size == other.status.st_size && status.st_mtim.tv_sec == other.status.st_mtim.tv_sec &&
           status.st_mtim.tv_nsec == other.status.st_mtim.tv_nsec &&
           status.st_ctim.tv_sec == other.status.st_ctim.tv_sec && status.st_ctim.tv_nsec == other.status.st_ctim.tv_nsec;
  }
};

Stamp stamp_of(const util::UniqueFd& fd)
{
  Stamp stamp;
  static_cast<void>(::fstat(fd.get(), &stamp.status));
  return stamp;
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
  const std::size_t first_problem = report.problems.size();
  const Stamp before_reading = stamp_of(fd);
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
        add_problem(report, shown + entry.path, std::move(plan).error(), first_problem);
      } else if (plan->kind == binary::FileKind::elf) {
        plans.emplace(entry.path, std::move(*plan));
      }
      return true;
    });
  if (!first) {
    // The entries planned before the failure are still read: pass 2 skips the rest unread.
    add_problem(report, path.string(), std::move(first).error(), first_problem);
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
        add_problem(report, shown + entry.path, std::move(code).error(), first_problem);
      } else if (code->fatbins.empty()) {
        report.without_cuda.push_back(shown + entry.path);
      } else {
        report.libraries.push_back({shown + entry.path, name.distribution, std::move(*code), {}});
      }
      return true;
    });
  if (!second) {
    add_problem(report, path.string(), std::move(second).error(), first_problem);
  }
  if (!stamp_of(fd).same_as(before_reading)) {
    // The second pass read other bytes than the first planned for: nothing of it is kept.
    report.libraries.resize(before);
    report.problems.push_back({path.string(), util::make_error(util::ErrorKind::io, "the wheel changed while it was read")
                                                .with_hint("inspect it again once it is no longer being written")});
    return util::ok_status();
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
