// SPDX-License-Identifier: Apache-2.0
// The cache's folders, locks, admission of cached archives and commits of new ones.
#include <envsetup/fetch/cache.hpp>
#include <envsetup/fetch/cache_record.hpp>

#include <envsetup/util/beneath.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace envsetup::fetch {

namespace fs = std::filesystem;

namespace {

constexpr const char* k_archives = "archives-v1";
constexpr const char* k_partial = "partial-v1";
constexpr const char* k_locks = "locks-v1";
constexpr std::size_t k_max_manifest_bytes = std::size_t{16} << 20;  // the network path's cap too
constexpr const char* k_manifests = "manifests-v1";
constexpr const char* k_cache_hint = "--cache (or ENVSETUP_CACHE_DIR) must name a writable folder";

std::string env_or_empty(const char* name)
{
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : std::string();
}

std::string partial_name(const std::string& sha256)
{
  return sha256 + ".part";
}

util::Error io_error(const std::string& what, int error_number)
{
  return util::make_error(util::ErrorKind::io, what).with_cause(std::strerror(error_number));
}

}  // namespace

Cache::Cache(fs::path root) : m_root(std::move(root))
{
  m_status = open_folders();
}

util::Result<Cache> Cache::open(fs::path root)
{
  Cache cache(std::move(root));
  if (!cache.m_status) {
    return cache.m_status.error();
  }
  return cache;
}

util::Status Cache::open_folders()
{
  auto failed = [this](util::Error error) {
    error.kind = util::ErrorKind::io;
    if (error.message.find(m_root.string()) == std::string::npos) {
      error = std::move(error).with_cause("in the cache `" + m_root.string() + "`");
    }
    return std::move(error).with_hint(k_cache_hint);
  };
  std::error_code ec;
  fs::create_directories(m_root, ec);  // the user's own path: followed
  auto root = util::open_root(m_root, "the cache");
  if (!root) {
    return failed(std::move(root).error());
  }
  for (auto [name, fd] : {std::pair{k_archives, &m_archives}, std::pair{k_partial, &m_partial},
                          std::pair{k_locks, &m_locks}, std::pair{k_manifests, &m_manifests}}) {
    auto folder = util::open_folder_beneath(root->get(), {name}, 1, true);
    if (!folder) {
      return failed(std::move(folder).error());
    }
    *fd = std::move(folder).value();
  }
  return util::ok_status();
}

fs::path Cache::default_root()
{
  if (auto dir = env_or_empty("ENVSETUP_CACHE_DIR"); !dir.empty()) {
    return dir;
  }
  if (auto dir = env_or_empty("XDG_CACHE_HOME"); !dir.empty()) {
    return fs::path(dir) / "envsetup";
  }
  const auto home = env_or_empty("HOME");
  return fs::path(home.empty() ? "/tmp" : home) / ".cache" / "envsetup";
}

fs::path Cache::archive_path(const std::string& sha256) const
{
  return m_root / k_archives / sha256;
}

fs::path Cache::partial_path(const std::string& sha256) const
{
  return m_root / k_partial / partial_name(sha256);
}

fs::path Cache::manifest_path(const std::string& product, const std::string& version) const
{
  return m_root / k_manifests / product / ("redistrib_" + version + ".json");
}

util::Result<util::FileLock> Cache::lock_archive(const std::string& sha256, bool wait) const
{
  ENVSETUP_TRY(m_status);
  auto lock = util::FileLock::acquire_at(m_locks.get(), sha256 + ".lock", wait);
  if (!lock) {
    return std::move(lock).error().with_cause("in `" + (m_root / k_locks).string() + "`");
  }
  return lock;
}

util::Result<ArchivePin> Cache::pin(const std::string& sha256) const
{
  ENVSETUP_TRY(m_status);
  auto lock = util::FileLock::acquire_at(m_locks.get(), sha256 + ".pin", true, util::FileLock::Mode::shared);
  if (!lock) {
    return std::move(lock).error().with_cause("in `" + (m_root / k_locks).string() + "`");
  }
  return ArchivePin(std::move(lock).value());
}

bool Cache::has(const std::string& sha256, std::uint64_t size) const
{
  if (!m_status) {
    return false;
  }
  struct stat status {};
  const auto verdict = detail::check_archive(m_archives.get(), sha256, size, status);
  return verdict && (*verdict == detail::Verdict::trusted || *verdict == detail::Verdict::rehashed_ok);
}

util::Result<bool> Cache::admit(const std::string& sha256, std::uint64_t size) const
{
  ENVSETUP_TRY(m_status);
  struct stat status {};
  auto verdict = detail::check_archive(m_archives.get(), sha256, size, status);
  if (!verdict) {
    return std::move(verdict).error();
  }
  switch (*verdict) {
    case detail::Verdict::trusted:
      return true;
    case detail::Verdict::rehashed_ok: {
      auto record = detail::read_record(m_archives.get(), sha256).value_or(detail::ArchiveRecord{});
      record.sha256 = sha256;
      record.size = size;
      record.identity = detail::identity_of(status);
      static_cast<void>(detail::write_record(m_archives.get(), record));  // else: re-hashed next time
      return true;
    }
    case detail::Verdict::mismatch:
      detail::remove_archive_files(m_archives.get(), sha256);
      return false;
    case detail::Verdict::missing:
      break;
  }
  return false;
}

util::Result<PartialFile> Cache::open_partial(const std::string& sha256, std::uint64_t size) const
{
  ENVSETUP_TRY(m_status);
  const std::string name = partial_name(sha256);
  const auto shown = partial_path(sha256).string();
  struct stat status {};
  if (util::stat_at(m_partial.get(), name, status) &&
      (!S_ISREG(status.st_mode) || status.st_nlink != 1 || static_cast<std::uint64_t>(status.st_size) > size)) {
    // A link (symbolic or hard), a folder, a fifo or too many bytes: not our partial file.
    // The name is removed; whatever it pointed at is never opened.
    ENVSETUP_TRY(util::remove_tree_at(m_partial.get(), name));
  }
  PartialFile partial;
  partial.fd = util::UniqueFd(
    ::openat(m_partial.get(), name.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0644));
  if (!partial.fd.valid()) {
    return io_error("cannot write `" + shown + "`", errno);
  }
  if (::fstat(partial.fd.get(), &status) != 0) {
    return io_error("cannot inspect `" + shown + "`", errno);
  }
  if (!S_ISREG(status.st_mode) || status.st_nlink != 1) {
    // Planted between the check and the open: refuse rather than write into it.
    return util::make_error(util::ErrorKind::io, "cannot write `" + shown + "`")
      .with_cause("it was replaced by something that is not a plain file while it was opened");
  }
  const int flags = ::fcntl(partial.fd.get(), F_GETFL);
  static_cast<void>(::fcntl(partial.fd.get(), F_SETFL, flags & ~O_NONBLOCK));
  if (static_cast<std::uint64_t>(status.st_size) > size) {
    if (::ftruncate(partial.fd.get(), 0) != 0) {
      return io_error("cannot truncate `" + shown + "`", errno);
    }
    status.st_size = 0;
  }
  partial.existing = static_cast<std::uint64_t>(status.st_size);
  return partial;
}

util::UniqueFd Cache::open_partial_for_reading(const std::string& sha256) const
{
  if (!m_status) {
    errno = EBADF;
    return {};
  }
  return util::UniqueFd(::openat(m_partial.get(), partial_name(sha256).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
}

void Cache::discard_partial(const std::string& sha256) const
{
  if (m_status) {
    static_cast<void>(util::remove_tree_at(m_partial.get(), partial_name(sha256)));
  }
}

util::Status Cache::commit(PartialFile& partial, const CacheEntry& entry) const
{
  ENVSETUP_TRY(m_status);
  const auto target = archive_path(entry.sha256).string();
  if (::fsync(partial.fd.get()) != 0) {
    return io_error("cannot sync `" + partial_path(entry.sha256).string() + "`", errno);
  }
  // A folder (or anything renameat cannot replace) squatting on the name goes first.
  struct stat existing {};
  if (util::stat_at(m_archives.get(), entry.sha256, existing) && S_ISDIR(existing.st_mode)) {
    ENVSETUP_TRY(util::remove_tree_at(m_archives.get(), entry.sha256));
  }
  if (::renameat(m_partial.get(), partial_name(entry.sha256).c_str(), m_archives.get(), entry.sha256.c_str()) != 0) {
    return io_error("cannot move a download into the cache `" + target + "`", errno);
  }
  struct stat ours {};
  struct stat named {};
  if (::fstat(partial.fd.get(), &ours) != 0 || !util::stat_at(m_archives.get(), entry.sha256, named) ||
      ours.st_dev != named.st_dev || ours.st_ino != named.st_ino) {
    detail::remove_archive_files(m_archives.get(), entry.sha256);
    return util::make_error(util::ErrorKind::io, "cannot move a download into the cache `" + target + "`")
      .with_cause("the partial file was replaced while it was downloaded: it is not the file that was checked");
  }
  detail::ArchiveRecord record{entry.sha256, entry.size, entry.name, entry.url, detail::identity_of(ours)};
  ENVSETUP_TRY(detail::write_record(m_archives.get(), record));
  if (::fsync(m_archives.get()) != 0) {
    return io_error("cannot sync the folder `" + (m_root / k_archives).string() + "`", errno);
  }
  return util::ok_status();
}

util::UniqueFd Cache::open_archive(const std::string& sha256) const
{
  if (!m_status) {
    errno = EBADF;
    return {};
  }
  return util::UniqueFd(::openat(m_archives.get(), sha256.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
}

util::UniqueFd Cache::open_verified(const std::string& sha256) const
{
  util::UniqueFd fd = open_archive(sha256);
  struct stat status {};
  if (!fd.valid() || ::fstat(fd.get(), &status) != 0) {
    return {};
  }
  const auto record = detail::read_record(m_archives.get(), sha256);
  if (!S_ISREG(status.st_mode) || !record || !record->identity || *record->identity != detail::identity_of(status)) {
    errno = ESTALE;
    return {};
  }
  return fd;
}

util::Result<std::optional<std::string>> Cache::read_manifest(const std::string& product,
                                                              const std::string& version) const
{
  ENVSETUP_TRY(m_status);
  const std::string relative = product + "/redistrib_" + version + ".json";
  auto text = util::read_file_beneath(m_manifests.get(), relative, k_max_manifest_bytes);
  if (text) {
    return text;
  }
  if (text.error().kind == util::ErrorKind::input) {  // as on the network: a planted huge file is not read whole
    return util::make_error(util::ErrorKind::input, "the cached manifest `" + manifest_path(product, version).string() +
                                                       "` is larger than " +
                                                       std::to_string(k_max_manifest_bytes >> 20) + " MiB")
      .with_hint("delete it, or run without --offline to download it again");
  }
  return util::make_error(util::ErrorKind::io, "cannot read `" + manifest_path(product, version).string() + "`")
    .with_cause(text.error().causes.empty() ? text.error().message : text.error().causes.front());
}

util::Status Cache::write_manifest(const std::string& product, const std::string& version,
                                   const std::string& text) const
{
  ENVSETUP_TRY(m_status);
  auto folder = util::open_folder_beneath(m_manifests.get(), {product}, 1, true);
  if (!folder) {
    return std::move(folder).error();
  }
  return util::write_file_atomic_at(folder->get(), "redistrib_" + version + ".json", text);
}

}  // namespace envsetup::fetch
