// SPDX-License-Identifier: Apache-2.0
// RECORD files: a small CSV reader, lexical path normalization, and the walk of site-packages
// through descriptors.
#include <envsetup/pyenv/record.hpp>

#include <envsetup/pyenv/metadata.hpp>
#include <envsetup/util/beneath.hpp>
#include <envsetup/util/strings.hpp>

#include <algorithm>
#include <cctype>
#include <utility>

#include <sys/stat.h>

namespace envsetup::pyenv {

namespace fs = std::filesystem;

namespace {

util::Error refused(std::string reason)
{
  return util::make_error(util::ErrorKind::input, std::move(reason));
}

std::string shown(std::string_view text)
{
  return "`" + util::escape_control_characters(text) + "`";
}

// Keeps the first problem of a distribution; later ones become its causes.
void note(DistributionRecord& record, util::Error error)
{
  if (!record.error) {
    record.error = std::move(error);
    return;
  }
  record.error->causes.push_back(error.message);
  record.error->causes.insert(record.error->causes.end(), error.causes.begin(), error.causes.end());
}

// "lib/python3.11", "python3.13t": the folder name of a CPython's library.
bool python_library_folder(std::string_view name)
{
  if (!name.starts_with("python")) {
    return false;
  }
  name.remove_prefix(6);
  if (name.ends_with('t')) {
    name.remove_suffix(1);
  }
  const std::size_t dot = name.find('.');
  const auto digits = [](std::string_view part) {
    return !part.empty() && part.size() <= 4 &&
           std::all_of(part.begin(), part.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  };
  return dot != std::string_view::npos && digits(name.substr(0, dot)) && digits(name.substr(dot + 1));
}

// The name and version the folder's name gives: "<name>-<version>.dist-info".
void name_from_folder(DistributionRecord& record)
{
  const std::string stem = record.dist_info.substr(0, record.dist_info.size() - 10);
  const std::size_t dash = stem.find('-');
  record.name = stem.substr(0, dash);
  record.version = dash == std::string::npos ? "" : stem.substr(dash + 1);
  record.normalized_name = normalize_name(record.name);
}

// The regular file `file` of the distribution's folder; nullopt, with the problem noted,
// when it is missing, not a regular file (a symlink is never followed), too big or unreadable.
std::optional<std::string> read_part(int folder, DistributionRecord& record, const std::string& file,
                                     std::size_t max_bytes)
{
  auto text = util::read_file_beneath(folder, file, max_bytes);
  if (!text) {
    note(record, util::make_error(text.error().kind, "cannot read " + shown(record.dist_info + "/" + file))
                   .with_cause(text.error().message));
    return std::nullopt;
  }
  if (!*text) {
    struct stat status {};
    note(record, refused(util::stat_at(folder, file, status)
                           ? shown(record.dist_info + "/" + file) + " is not a regular file: not read"
                           : shown(record.dist_info) + " has no " + file + " file"));
  }
  return std::move(text).value();
}

// METADATA's name and version, which replace the folder name's.
void read_metadata(int folder, DistributionRecord& record)
{
  const auto text = read_part(folder, record, "METADATA", k_max_metadata_bytes);
  if (!text) {
    return;
  }
  auto metadata = parse_metadata(*text);
  if (!metadata) {
    note(record, refused("cannot read " + shown(record.dist_info + "/METADATA")).with_cause(metadata.error().message));
    return;
  }
  record.name = metadata->name;
  record.version = metadata->version;
  record.normalized_name = normalize_name(record.name);
}

// `left`: the rows all of site-packages' RECORDs may still list (k_max_recorded_files).
void read_files(int folder, DistributionRecord& record, std::size_t& left)
{
  const auto text = read_part(folder, record, "RECORD", k_max_record_bytes);
  if (!text) {
    return;
  }
  auto paths = parse_record_paths(*text);
  if (!paths) {
    note(record, refused("cannot read " + shown(record.dist_info + "/RECORD")).with_cause(paths.error().message));
    return;
  }
  if (paths->size() > left) {
    note(record, refused("cannot read " + shown(record.dist_info + "/RECORD"))
                   .with_cause("the RECORDs of site-packages list more than " + std::to_string(k_max_recorded_files) +
                               " files"));
    return;
  }
  left -= paths->size();
  for (const std::string& path : *paths) {
    auto file = normalize_record_path(path);
    if (file) {
      record.files.push_back(std::move(file).value());
    } else {
      record.rejected.push_back(path);
    }
  }
}

}  // namespace

util::Result<std::vector<std::string>> parse_record_paths(std::string_view text)
{
  std::vector<std::string> paths;
  std::string field;
  std::size_t column = 0;  // of the field being read
  std::size_t row = 1;
  bool quoted = false;  // inside a quoted field
  bool row_started = false;
  const auto end_row = [&] {
    if (row_started) {
      if (column == 0) {
        paths.push_back(std::move(field));
      }
      ++row;
    }
    field.clear();
    column = 0;
    row_started = false;
  };
  for (std::size_t at = 0; at < text.size(); ++at) {
    if (row > k_max_record_rows) {
      return refused("more than " + std::to_string(k_max_record_rows) + " rows");
    }
    const char c = text[at];
    if (quoted) {
      if (c != '"') {
        field += c;
      } else if (at + 1 < text.size() && text[at + 1] == '"') {
        field += '"';
        ++at;
      } else {
        quoted = false;
      }
    } else if (c == '\n' || c == '\r') {
      end_row();
      if (c == '\r' && at + 1 < text.size() && text[at + 1] == '\n') {
        ++at;
      }
    } else if (c == ',') {
      if (column == 0) {
        paths.push_back(std::move(field));
      }
      field.clear();
      ++column;
      row_started = true;
    } else if (c == '"' && field.empty()) {
      quoted = true;  // only at a field's start; elsewhere a quote is a character
      row_started = true;
    } else {
      field += c;
      row_started = true;
    }
  }
  if (quoted) {
    return refused("unterminated quoted field in row " + std::to_string(row));
  }
  end_row();
  return paths;
}

util::Result<RecordedFile> normalize_record_path(std::string_view path)
{
  if (path.empty()) {
    return refused("the path is empty");
  }
  if (path.size() > k_max_record_path) {
    return refused("the path is longer than " + std::to_string(k_max_record_path) + " bytes");
  }
  if (path.front() == '/') {
    return refused("the path is absolute");
  }
  if (path.find('\0') != std::string_view::npos) {
    return refused("the path holds a NUL byte");
  }
  std::size_t ups = 0;
  util::PathParts names;
  for (const std::string_view part : util::split(path, '/')) {
    if (part == "..") {
      if (names.empty()) {
        ++ups;
      } else {
        names.pop_back();
      }
    } else if (!part.empty() && part != ".") {
      names.emplace_back(part);
    }
  }
  if (names.empty()) {
    return refused("the path names no file");
  }
  RecordedFile file;
  for (std::size_t i = 0; i < ups; ++i) {
    file.path += "../";
  }
  file.path += util::join_parts(names);
  file.outside = ups > 0;
  return file;
}

util::Result<std::vector<DistributionRecord>> read_records(const fs::path& site_packages)
{
  auto root = util::open_root(site_packages, "site-packages");
  if (!root) {
    return std::move(root).error();
  }
  auto names = util::list_folder(root->get());
  if (!names) {
    return std::move(names).error();
  }
  std::vector<DistributionRecord> records;
  std::size_t left = k_max_recorded_files;
  for (const std::string& name : *names) {
    if (!name.ends_with(".dist-info") || name.size() == 10) {
      continue;
    }
    DistributionRecord& record = records.emplace_back();
    record.dist_info = name;
    name_from_folder(record);
    struct stat status {};
    if (util::stat_at(root->get(), name, status) && !S_ISDIR(status.st_mode)) {
      record.error =
        refused(shown(name) + (S_ISLNK(status.st_mode) ? " is a symbolic link: not followed" : " is not a folder"));
      continue;
    }
    auto folder = util::open_folder_beneath(root->get(), {name}, 1, false);  // never through a link
    if (!folder) {
      record.error = std::move(folder).error();
      continue;
    }
    read_metadata(folder->get(), record);
    read_files(folder->get(), record, left);
  }
  return records;
}

util::Result<fs::path> site_packages_of(const fs::path& venv)
{
  auto root = util::open_root(venv, "the venv");
  if (!root) {
    return std::move(root).error();
  }
  auto config = util::read_file_beneath(root->get(), "pyvenv.cfg", std::size_t{1} << 20);
  if (!config) {
    return std::move(config).error();
  }
  if (!*config) {
    return refused(shown(venv.string()) + " is not a venv: it has no pyvenv.cfg");
  }
  std::vector<std::string> found;
  if (auto lib = util::open_folder_beneath(root->get(), {"lib"}, 1, false)) {
    auto names = util::list_folder(lib->get());
    if (!names) {
      return std::move(names).error();
    }
    for (const std::string& name : *names) {
      if (python_library_folder(name) && util::open_folder_beneath(lib->get(), {name, "site-packages"}, 2, false)) {
        found.push_back("lib/" + name + "/site-packages");
      }
    }
  }
  if (found.size() != 1) {
    return refused("venv " + shown(venv.string()) +
                   (found.empty() ? " has no lib/pythonX.Y/site-packages folder"
                                  : " has several site-packages folders: " + util::join(found, ", ")))
      .with_hint("give the site-packages folder itself");
  }
  return venv / found.front();
}

}  // namespace envsetup::pyenv
