// SPDX-License-Identifier: Apache-2.0
#include <envsetup/install/store.hpp>

#include <envsetup/install/tree_record.hpp>
#include <envsetup/util/beneath.hpp>
#include <envsetup/util/sha256.hpp>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace envsetup::install {

namespace fs = std::filesystem;

namespace {

util::Error io_error(const std::string& what, int saved)
{
  return util::make_error(util::ErrorKind::io, what).with_cause(std::strerror(saved));
}

std::string record_name(const std::string& sha256)
{
  return sha256 + ".tree.json";
}

// The file `name` in `folder_fd` (a tree record), read without following a link or blocking
// on a FIFO; nullopt when absent, not a regular file, unreadable or over 256 MiB.
std::optional<std::string> read_at(int folder_fd, const std::string& name)
{
  auto text = util::read_file_beneath(folder_fd, name, std::size_t{256} << 20);
  return text ? std::move(text).value() : std::nullopt;
}

// Whether the finished tree `sha256` is there, a real folder matching its record; sets
// `entries` to the record's size.
bool intact(int folder_fd, const std::string& sha256, std::size_t& entries)
{
  struct stat status {};
  if (!util::stat_at(folder_fd, sha256, status) || !S_ISDIR(status.st_mode)) {
    return false;
  }
  const auto text = read_at(folder_fd, record_name(sha256));
  auto recorded = text ? parse_tree_record(*text) : util::Result<std::vector<TreeEntry>>(util::make_error(
                                                      util::ErrorKind::integrity, "no record"));
  util::UniqueFd tree(::openat(folder_fd, sha256.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!recorded || !tree.valid()) {
    return false;
  }
  auto actual = scan_tree(tree.get());
  entries = recorded->size();
  return actual && first_difference(*recorded, *actual).empty();
}

}  // namespace

StoreSlot::~StoreSlot()
{
  if (!m_committed && m_folder.valid() && !m_temporary.empty()) {
    static_cast<void>(util::remove_tree_at(m_folder.get(), m_temporary.filename().string()));
  }
}

util::Result<fs::path> StoreSlot::commit()
{
  const std::string temporary = m_temporary.filename().string();
  util::UniqueFd tree(::openat(m_folder.get(), temporary.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!tree.valid()) {
    return io_error("cannot open `" + m_temporary.string() + "`", errno);
  }
  auto entries = scan_tree(tree.get());
  if (!entries) {
    return std::move(entries).error();
  }
  // Every extracted file, then the record, is on disk before the tree becomes visible.
  if (::syncfs(tree.get()) != 0) {
    return io_error("cannot sync `" + m_temporary.string() + "`", errno);
  }
  ENVSETUP_TRY(util::write_file_atomic_at(m_folder.get(), record_name(m_sha256), tree_record_text(*entries)));
  // A damaged tree of the same name was removed by reserve(); nothing can be there now.
  if (::renameat(m_folder.get(), temporary.c_str(), m_folder.get(), m_sha256.c_str()) != 0) {
    return io_error("cannot finish `" + (m_folder_path / m_sha256).string() + "`", errno);
  }
  if (::fsync(m_folder.get()) != 0) {
    return io_error("cannot sync `" + m_folder_path.string() + "`", errno);
  }
  m_committed = true;
  m_finished = m_folder_path / m_sha256;
  m_entries = entries->size();
  return *m_finished;
}

util::Result<ExtractedStore> ExtractedStore::open(const fs::path& store_root)
{
  ExtractedStore store;
  store.m_folder_path = store_root / "extracted-v1";
  std::error_code ec;
  fs::create_directories(store.m_folder_path, ec);
  if (ec) {
    return util::make_error(util::ErrorKind::io, "cannot create the store `" + store.m_folder_path.string() + "`")
      .with_cause(ec.message())
      .with_hint("choose a writable --store (or ENVSETUP_STORE)");
  }
  auto in_use = util::FileLock::acquire(store.m_folder_path / "gc.lock", util::FileLock::Mode::shared);
  if (!in_use) {
    return std::move(in_use).error();
  }
  store.m_in_use = std::move(in_use).value();
  return store;
}

util::Result<std::optional<StoreSlot>> ExtractedStore::reserve(const std::string& sha256, bool wait) const
{
  if (!util::is_sha256_hex(sha256)) {
    return util::make_error(util::ErrorKind::usage, "`" + sha256 + "` is not a sha256");
  }
  auto folder = util::open_root(m_folder_path, "the store");
  if (!folder) {
    return std::move(folder).error();
  }
  StoreSlot slot;
  slot.m_folder = std::move(folder).value();
  slot.m_folder_path = m_folder_path;
  slot.m_sha256 = sha256;
  auto lock = util::FileLock::acquire_at(slot.m_folder.get(), sha256 + ".lock", wait);
  if (!lock) {
    return std::move(lock).error();
  }
  if (!lock->held()) {
    return std::optional<StoreSlot>();
  }
  slot.m_lock = std::move(lock).value();
  if (intact(slot.m_folder.get(), sha256, slot.m_entries)) {
    slot.m_finished = m_folder_path / sha256;
    return std::optional<StoreSlot>(std::move(slot));
  }
  // Holding the lock: whatever else is under this archive's names is stale or damaged.
  auto names = util::list_folder(slot.m_folder.get());
  if (!names) {
    return std::move(names).error();
  }
  for (const auto& name : *names) {
    if (name == sha256 || name == record_name(sha256) || name.starts_with(sha256 + ".tmp-") ||
        name.starts_with("." + record_name(sha256) + ".tmp-")) {
      ENVSETUP_TRY(util::remove_tree_at(slot.m_folder.get(), name));
    }
  }
  const std::string temporary = sha256 + ".tmp-" + std::to_string(::getpid());
  if (::mkdirat(slot.m_folder.get(), temporary.c_str(), 0755) != 0) {
    return io_error("cannot create `" + (m_folder_path / temporary).string() + "`", errno);
  }
  slot.m_temporary = m_folder_path / temporary;
  return std::optional<StoreSlot>(std::move(slot));
}

util::Result<std::optional<ComponentTree>> ExtractedStore::extract(const std::string& sha256,
                                                                   const std::string& component,
                                                                   int archive_fd, const std::string& shown,
                                                                   const ExtractLimits& limits, DecodePool* decoders,
                                                                   bool wait, bool& extracted) const
{
  auto reserved = reserve(sha256, wait);
  if (!reserved) {
    return std::move(reserved).error();
  }
  if (!reserved->has_value()) {
    return std::optional<ComponentTree>();  // busy, and not waiting
  }
  StoreSlot& slot = **reserved;
  if (!slot.finished()) {
    auto result = extract_archive_fd(archive_fd, shown, slot.temporary(), limits, decoders);
    if (!result) {
      return std::move(result).error().with_cause("while extracting " + shown);
    }
    auto done = slot.commit();
    if (!done) {
      return std::move(done).error();
    }
    extracted = true;
  }
  return std::optional<ComponentTree>(ComponentTree{component, *slot.finished(), slot.entries()});
}

}  // namespace envsetup::install
