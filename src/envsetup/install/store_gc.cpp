// SPDX-License-Identifier: Apache-2.0
// `envsetup gc` on the extracted-archive store: trees no prefix, venv or lock refers to.
#include <envsetup/install/store.hpp>

#include <envsetup/util/beneath.hpp>
#include <envsetup/util/sha256.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace envsetup::install {

namespace fs = std::filesystem;

namespace {

// The archive a store entry belongs to: `<sha256>` (tree), `<sha256>.tree.json` (record),
// `<sha256>.tmp-<pid>` and `.<sha256>.tree.json.tmp-<pid>` (leftovers); "" for anything
// else, lock files included (never unlinked) and names that are not the store's own.
std::string owner_of(const std::string& name)
{
  const std::string_view view = name;
  if (util::is_sha256_hex(view.substr(0, 64))) {
    const std::string sha256 = name.substr(0, 64);
    const std::string_view rest = view.substr(64);
    if (rest.empty() || rest == ".tree.json" || rest.starts_with(".tmp-")) {
      return sha256;
    }
  }
  if (view.starts_with(".") && view.size() > 65 && util::is_sha256_hex(view.substr(1, 64)) &&
      view.substr(65).starts_with(".tree.json.tmp-")) {
    return name.substr(1, 64);
  }
  return {};
}

// Bytes of the regular files under `name` in `dir_fd` that have no other link (what deleting
// them frees); links are never followed, other file systems never entered.
std::uint64_t sole_bytes(int dir_fd, const std::string& name, dev_t device, int depth = 0)
{
  struct stat status {};
  if (!util::stat_at(dir_fd, name, status) || status.st_dev != device) {
    return 0;
  }
  if (S_ISREG(status.st_mode)) {
    return status.st_nlink == 1 ? static_cast<std::uint64_t>(status.st_size) : 0;
  }
  if (!S_ISDIR(status.st_mode) || depth > 256) {
    return 0;
  }
  util::UniqueFd folder(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!folder.valid()) {
    return 0;
  }
  std::uint64_t total = 0;
  for (const auto& child : util::list_folder(folder.get()).value_or(std::vector<std::string>{})) {
    total += sole_bytes(folder.get(), child, device, depth + 1);
  }
  return total;
}

}  // namespace

util::Result<StoreCollectReport> ExtractedStore::collect(const fs::path& store_root, const std::set<std::string>& keep,
                                                         bool dry_run)
{
  StoreCollectReport report;
  std::error_code ec;
  if (!fs::exists(store_root, ec)) {
    return report;
  }
  auto root = util::open_root(store_root, "the store");
  if (!root) {
    return std::move(root).error();
  }
  struct stat status {};
  if (!util::stat_at(root->get(), "extracted-v1", status)) {
    if (errno == ENOENT) {
      return report;
    }
    return util::make_error(util::ErrorKind::io, "cannot read " + (store_root / "extracted-v1").string())
      .with_cause(std::strerror(errno));
  }
  auto folder = util::open_folder_beneath(root->get(), {"extracted-v1"}, 1, false);
  if (!folder) {
    // A symlink in its place: integrity, nothing touched.
    return std::move(folder)
      .error()
      .with_cause("in the store " + store_root.string())
      .with_hint(
        "envsetup never deletes through a link: replace the link by the folder, or pass that folder's store "
        "with --store");
  }
  const int fd = folder->get();
  struct stat folder_status {};
  if (::fstat(fd, &folder_status) != 0) {
    return util::make_error(util::ErrorKind::io, "cannot read the store").with_cause(std::strerror(errno));
  }
  // No install holds the store open (ExtractedStore::open) while this lock is held.
  util::FileLock exclusive;
  if (!dry_run) {
    auto taken = util::FileLock::acquire_at(fd, "gc.lock", false);
    if (!taken) {
      return std::move(taken).error();
    }
    if (!taken->held()) {
      report.busy.push_back("the store (an install is using it)");
      return report;
    }
    exclusive = std::move(taken).value();
  }
  auto names = util::list_folder(fd);
  if (!names) {
    return std::move(names).error();
  }
  std::vector<std::string> owners;
  for (const auto& name : *names) {
    if (auto owner = owner_of(name); !owner.empty() && !keep.contains(owner)) {
      owners.push_back(std::move(owner));
    }
  }
  std::sort(owners.begin(), owners.end());
  owners.erase(std::unique(owners.begin(), owners.end()), owners.end());
  for (const auto& sha256 : owners) {
    util::FileLock lock;
    if (!dry_run) {
      auto taken = util::FileLock::acquire_at(fd, sha256 + ".lock", false);
      if (!taken) {
        report.busy.push_back(sha256 + " (its lock is unusable: " + taken.error().message + ")");
        continue;
      }
      if (!taken->held()) {
        report.busy.push_back(sha256);
        continue;
      }
      lock = std::move(taken).value();
    }
    // Listed again under the lock: exactly this archive's entries go.
    auto current = util::list_folder(fd);
    if (!current) {
      return std::move(current).error();
    }
    for (const auto& name : *current) {
      if (owner_of(name) != sha256) {
        continue;
      }
      report.freed += sole_bytes(fd, name, folder_status.st_dev);
      if (!dry_run) {
        ENVSETUP_TRY(util::remove_tree_at(fd, name));
      }
    }
    report.removed.push_back(sha256);
  }
  return report;
}

}  // namespace envsetup::install
