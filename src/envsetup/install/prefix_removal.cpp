// SPDX-License-Identifier: Apache-2.0
// Reading and deleting what a receipt lists, through descriptors (prefix.hpp).
#include <envsetup/install/prefix.hpp>
#include <envsetup/install/tree_record.hpp>

#include <envsetup/util/beneath.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace envsetup::install {

namespace fs = std::filesystem;

namespace {

constexpr int k_open_folder = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
constexpr std::size_t k_causes_shown = 20;

// The folder holding `parts` under `root_fd`, never through a link; invalid when it cannot
// be reached that way.
util::UniqueFd parent_of(int root_fd, const util::PathParts& parts)
{
  auto folder = util::open_folder_beneath(root_fd, parts, parts.size() - 1, false);
  return folder ? std::move(folder).value() : util::UniqueFd();
}

// Whether the non-folder `name` (lstat `status`) is still what the install created at
// `file`: a symlink with the recorded target, or a regular file where none was recorded,
// with the recorded identity where the receipt has one.
bool still_as_installed(int parent_fd, const std::string& name, const struct stat& status, const Receipt& receipt,
                        const std::string& file)
{
  const auto& symlinks = *receipt.symlinks;
  const auto recorded = symlinks.find(file);
  if (!S_ISLNK(status.st_mode)) {
    if (recorded != symlinks.end() || !S_ISREG(status.st_mode)) {
      return false;
    }
    if (!receipt.file_identities) {
      return true;
    }
    const auto identity = receipt.file_identities->find(file);
    return identity == receipt.file_identities->end() || identity->second == file_identity(status);
  }
  if (recorded == symlinks.end()) {
    return false;
  }
  std::string target(recorded->second.size() + 2, '\0');
  const ssize_t length = ::readlinkat(parent_fd, name.c_str(), target.data(), target.size());
  return length >= 0 && static_cast<std::size_t>(length) == recorded->second.size() &&
         target.compare(0, recorded->second.size(), recorded->second) == 0;
}

}  // namespace

util::Result<std::vector<std::string>> files_in(int root_fd)
{
  auto entries = scan_tree(root_fd, false);  // a FIFO the user made is the user's file
  if (!entries) {
    return std::move(entries).error();
  }
  std::vector<std::string> files;
  for (const auto& entry : *entries) {
    if (entry.type != TreeEntry::Type::folder) {
      files.push_back(entry.path);
    }
  }
  return files;
}

util::Status check_replaceable(int parent_fd, const std::string& name, const std::string& shown)
{
  struct stat status {};
  if (!util::stat_at(parent_fd, name, status)) {
    return errno == ENOENT ? util::ok_status()
                           : util::make_error(util::ErrorKind::io, "cannot inspect `" + shown + "`")
                               .with_cause(std::strerror(errno));
  }
  if (!S_ISDIR(status.st_mode)) {
    return util::make_error(util::ErrorKind::usage, "`" + shown + "` exists and is not a folder")
      .with_cause(S_ISLNK(status.st_mode) ? "it is a symlink; envsetup never installs through a link" : "it is a file")
      .with_hint("choose another --prefix");
  }
  util::UniqueFd root(::openat(parent_fd, name.c_str(), k_open_folder));
  if (!root.valid()) {
    return util::make_error(util::ErrorKind::io, "cannot open `" + shown + "`").with_cause(std::strerror(errno));
  }
  auto files = files_in(root.get());
  if (!files) {
    return std::move(files).error();
  }
  if (files->empty()) {
    return util::ok_status();
  }
  auto receipt = read_receipt(root.get(), shown);
  if (!receipt) {
    return util::make_error(util::ErrorKind::usage, "`" + shown + "` is a folder with files envsetup did not install")
      .with_hint("choose a new or empty folder for --prefix; envsetup never replaces files it did not create");
  }
  std::set<std::string> known(receipt->files.begin(), receipt->files.end());
  known.insert(".envsetup/receipt.json");
  std::vector<std::string> foreign;
  std::copy_if(files->begin(), files->end(), std::back_inserter(foreign),
               [&](const std::string& file) { return !known.contains(file); });
  if (foreign.empty()) {
    return util::ok_status();
  }
  util::Error error = util::make_error(util::ErrorKind::usage, "`" + shown + "` holds " +
                                                                 std::to_string(foreign.size()) +
                                                                 " file(s) envsetup did not install");
  for (std::size_t i = 0; i < foreign.size() && i < k_causes_shown; ++i) {
    error.causes.push_back(foreign[i]);
  }
  if (foreign.size() > k_causes_shown) {
    error.causes.push_back("... and " + std::to_string(foreign.size() - k_causes_shown) + " more");
  }
  error.hints.push_back("move them away, or install into another --prefix");
  return error;
}

util::Result<std::vector<std::string>> remove_installed(int root_fd, const Receipt& receipt)
{
  std::set<std::string> folders{".envsetup"};
  std::vector<std::string> files = receipt.files;
  files.emplace_back(".envsetup/receipt.json");
  for (const auto& file : files) {
    auto parts = util::split_relative_path(file);
    if (!parts) {
      continue;  // read_receipt refuses such receipts; never acted on
    }
    for (std::size_t depth = 1; depth < parts->size(); ++depth) {
      folders.insert(util::join_parts(*parts, depth));
    }
    util::UniqueFd parent = parent_of(root_fd, *parts);
    struct stat status {};
    if (!parent.valid() || !util::stat_at(parent.get(), parts->back(), status) || S_ISDIR(status.st_mode)) {
      continue;  // gone, behind a link, or replaced by a folder: left alone
    }
    if (receipt.symlinks && !still_as_installed(parent.get(), parts->back(), status, receipt, file)) {
      continue;  // the user replaced it (a link by a file, a file by a link, another target)
    }
    if (::unlinkat(parent.get(), parts->back().c_str(), 0) != 0 && errno != ENOENT) {
      return util::make_error(util::ErrorKind::io, "cannot remove `" + file + "`").with_cause(std::strerror(errno));
    }
  }
  // Deepest folders first; a folder the user filled stays.
  std::vector<std::string> ordered(folders.begin(), folders.end());
  std::sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
    return std::count(a.begin(), a.end(), '/') > std::count(b.begin(), b.end(), '/');
  });
  for (const auto& folder : ordered) {
    auto parts = util::split_relative_path(folder);
    util::UniqueFd parent = parts ? parent_of(root_fd, *parts) : util::UniqueFd();
    struct stat status {};
    if (parent.valid() && util::stat_at(parent.get(), parts->back(), status) && S_ISDIR(status.st_mode)) {
      static_cast<void>(::unlinkat(parent.get(), parts->back().c_str(), AT_REMOVEDIR));  // ENOTEMPTY: kept
    }
  }
  return files_in(root_fd);
}

util::Result<std::vector<std::string>> remove_prefix(const fs::path& requested)
{
  auto normal = normal_prefix_path(requested);
  if (!normal) {
    return std::move(normal).error();
  }
  const fs::path prefix = std::move(normal).value();
  const std::string name = prefix.filename().string();
  auto not_prefix = [&](const std::string& why) {
    return util::make_error(util::ErrorKind::usage, "`" + prefix.string() + "` is not a prefix envsetup installed")
      .with_cause(why)
      .with_hint("run `envsetup list` for the installed prefixes");
  };
  auto parent = util::open_root(prefix.parent_path(), "the prefix's folder");
  if (!parent) {
    return not_prefix(parent.error().message);
  }
  // Not a prefix: refused before a lock file is made beside a folder that is not envsetup's.
  {
    util::UniqueFd probe(::openat(parent->get(), name.c_str(), k_open_folder));
    if (!probe.valid()) {
      return not_prefix(errno == ELOOP || errno == ENOTDIR ? "it is a symlink or not a folder" : std::strerror(errno));
    }
    if (auto receipt = read_receipt(probe.get(), receipt_path(prefix).string());
        !receipt && receipt.error().kind != util::ErrorKind::input) {
      return not_prefix("it has no readable " + receipt_path(prefix).string());
    }
  }
  auto lock = util::FileLock::acquire_at(parent->get(), "." + name + ".lock", true);
  if (!lock) {
    return std::move(lock).error();
  }
  util::UniqueFd root(::openat(parent->get(), name.c_str(), k_open_folder));
  if (!root.valid()) {
    return not_prefix(errno == ELOOP ? "it is a symlink" : std::strerror(errno));
  }
  auto receipt = read_receipt(root.get(), receipt_path(prefix).string());
  if (!receipt) {
    if (receipt.error().kind == util::ErrorKind::input) {
      return std::move(receipt).error().with_hint("nothing was removed");
    }
    return not_prefix("it has no readable " + receipt_path(prefix).string());
  }
  auto kept = remove_installed(root.get(), *receipt);
  if (!kept) {
    return kept;
  }
  if (kept->empty()) {
    ENVSETUP_TRY(util::remove_tree_at(parent->get(), name));  // only empty folders are left
  }
  return kept;
}

std::vector<std::string> missing_files(const fs::path& prefix, const Receipt& receipt)
{
  std::vector<std::string> missing;
  auto root = util::open_root(prefix, "the prefix", true);
  for (const auto& file : receipt.files) {
    auto parts = util::split_relative_path(file);
    util::UniqueFd parent = root && parts ? parent_of(root->get(), *parts) : util::UniqueFd();
    struct stat status {};
    if (!parent.valid() || !util::stat_at(parent.get(), parts->back(), status) || S_ISDIR(status.st_mode)) {
      missing.push_back(file);
    }
  }
  return missing;
}

std::uint64_t installed_size(const fs::path& prefix, const Receipt& receipt)
{
  std::uint64_t total = 0;
  std::set<std::pair<dev_t, ino_t>> counted;
  auto root = util::open_root(prefix, "the prefix", true);
  if (!root) {
    return 0;
  }
  for (const auto& file : receipt.files) {
    auto parts = util::split_relative_path(file);
    util::UniqueFd parent = parts ? parent_of(root->get(), *parts) : util::UniqueFd();
    struct stat status {};
    if (parent.valid() && util::stat_at(parent.get(), parts->back(), status) && S_ISREG(status.st_mode) &&
        counted.emplace(status.st_dev, status.st_ino).second) {
      total += static_cast<std::uint64_t>(status.st_size);
    }
  }
  return total;
}

}  // namespace envsetup::install
