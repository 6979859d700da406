// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/inspect_sources.hpp>

#include <envsetup/binary/file_source.hpp>
#include <envsetup/binary/library_files.hpp>
#include <envsetup/install/wheel_reader.hpp>
#include <envsetup/pyenv/record.hpp>
#include <envsetup/util/beneath.hpp>

#include <cerrno>
#include <cstring>
#include <map>

#include <fcntl.h>
#include <sys/stat.h>

namespace envsetup::app {

namespace fs = std::filesystem;

namespace {

void add_library(InspectReport& report, std::string path, std::string package,
                 util::Result<binary::LibraryCode> code)
{
  if (!code) {
    report.problems.push_back({std::move(path), std::move(code).error()});
  } else if (code->fatbins.empty()) {
    report.without_cuda.push_back(std::move(path));
  } else {
    report.libraries.push_back({std::move(path), std::move(package), std::move(*code), {}});
  }
}

// The package `name` of `report`, added when new; its index.
std::size_t package_index(InspectReport& report, const std::string& name, const std::string& version)
{
  for (std::size_t i = 0; i < report.packages.size(); ++i) {
    if (report.packages[i].name == name && report.packages[i].version == version) {
      return i;
    }
  }
  report.packages.push_back({name, version, {}});
  return report.packages.size() - 1;
}

void link_package(InspectReport& report, std::size_t before, const std::string& name, const std::string& version)
{
  if (name.empty()) {
    return;
  }
  for (std::size_t i = before; i < report.libraries.size(); ++i) {
    if (report.libraries[i].package == name) {
      report.packages[package_index(report, name, version)].libraries.push_back(i);
    }
  }
}

// Reads one library open as `fd` into `report` under the name `shown`; a file that is not
// ELF (a linker script named libx.so) says nothing.
void read_one(const std::string& shown, const std::string& package, util::UniqueFd fd, InspectReport& report,
              SeenFiles& seen)
{
  if (!first_sighting(fd.get(), seen)) {
    return;
  }
  auto source = binary::FileSource::adopt(std::move(fd));
  if (!source) {
    add_library(report, shown, package, std::move(source).error());
    return;
  }
  auto code = binary::read_library(*source);
  if (!code) {
    add_library(report, shown, package, std::move(code).error());
  } else if (code->has_value()) {
    add_library(report, shown, package, std::move(**code));
  }
}

// `folder`, walked; `owner_of` names the package of a path relative to it ("" for none).
util::Status read_folder(const fs::path& folder, const std::map<std::string, std::string>& owner_of,
                         InspectReport& report, SeenFiles& seen)
{
  auto root = util::open_root(folder, "the folder");
  if (!root) {
    return std::move(root).error();
  }
  auto walked = binary::walk_libraries(root->get(), {}, [&](binary::FoundFile& found) {
    const auto owner = owner_of.find(found.relative);
    read_one((folder / found.relative).string(), owner == owner_of.end() ? "" : owner->second,
             std::move(found.fd), report, seen);
    return util::ok_status();
  });
  if (!walked) {
    return std::move(walked).error();
  }
  if (walked->too_deep > 0) {
    report.warnings.push_back({"too-deep", folder.string(),
                               std::to_string(walked->too_deep) + " folder(s) below `" + folder.string() +
                                 "` nested deeper than 64 levels were not read, the first: `" +
                                 walked->first_too_deep + "`"});
  }
  return util::ok_status();
}

util::Status read_venv(const fs::path& venv, InspectReport& report, SeenFiles& seen)
{
  auto site = pyenv::site_packages_of(venv);
  if (!site) {
    return std::move(site).error();
  }
  auto records = pyenv::read_records(*site);
  if (!records) {
    return std::move(records).error();
  }
  std::map<std::string, std::string> owner_of;
  for (const auto& record : *records) {
    for (const auto& file : record.files) {
      if (!file.outside) {
        owner_of.emplace(file.path, record.name);
      }
    }
  }
  const std::size_t before = report.libraries.size();
  ENVSETUP_TRY(read_folder(*site, owner_of, report, seen));
  for (const auto& record : *records) {
    link_package(report, before, record.name, record.version);
  }
  return util::ok_status();
}

}  // namespace

bool first_sighting(int fd, SeenFiles& seen)
{
  struct stat status {};
  if (::fstat(fd, &status) != 0) {
    return true;  // the read that follows reports the problem
  }
  return seen.emplace(static_cast<std::uint64_t>(status.st_dev), static_cast<std::uint64_t>(status.st_ino)).second;
}

util::Status collect_path(const fs::path& path, InspectReport& report, SeenFiles& seen)
{
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) {
    return util::make_error(util::ErrorKind::usage, "cannot inspect `" + path.string() + "`")
      .with_cause(std::strerror(errno));
  }
  if (S_ISDIR(status.st_mode)) {
    struct stat config {};
    if (::stat((path / "pyvenv.cfg").c_str(), &config) == 0 && S_ISREG(config.st_mode)) {
      return read_venv(path, report, seen);
    }
    return read_folder(path, {}, report, seen);
  }
  if (!S_ISREG(status.st_mode)) {
    return util::make_error(util::ErrorKind::usage, "`" + path.string() + "` is neither a file nor a folder");
  }
  util::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  struct stat opened {};
  if (!fd.valid() || ::fstat(fd.get(), &opened) != 0 || !S_ISREG(opened.st_mode)) {
    report.problems.push_back(
      {path.string(), util::make_error(util::ErrorKind::io, "cannot open the file").with_cause(std::strerror(errno))});
    return util::ok_status();
  }
  if (path.extension() == ".whl") {
    return first_sighting(fd.get(), seen) ? read_wheel(path, std::move(fd), report) : util::ok_status();
  }
  read_one(path.string(), "", std::move(fd), report, seen);
  return util::ok_status();
}

}  // namespace envsetup::app
