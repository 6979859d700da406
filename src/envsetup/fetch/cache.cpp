// SPDX-License-Identifier: Apache-2.0
#include <envsetup/fetch/cache.hpp>

#include <envsetup/util/sha256.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>

namespace envsetup::fetch {

namespace fs = std::filesystem;

namespace {

std::string env_or_empty(const char* name)
{
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : std::string();
}

std::optional<CacheEntry> read_sidecar(const fs::path& archive)
{
  CacheEntry entry;
  entry.sha256 = archive.filename().string();
  entry.path = archive;
  std::error_code ec;
  entry.size = fs::file_size(archive, ec);
  entry.modified = fs::last_write_time(archive, ec);
  if (auto text = util::read_file(archive.string() + ".json")) {
    const auto document = nlohmann::json::parse(*text, nullptr, false);
    if (document.is_object()) {
      entry.name = document.value("name", "");
      entry.url = document.value("url", "");
    }
  }
  return entry;
}

}  // namespace

Cache::Cache(fs::path root) : m_root(std::move(root)) {}

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
  return m_root / "archives-v1" / sha256;
}

fs::path Cache::partial_path(const std::string& sha256) const
{
  return m_root / "partial-v1" / (sha256 + ".part");
}

fs::path Cache::lock_path(const std::string& sha256) const
{
  return m_root / "locks-v1" / (sha256 + ".lock");
}

fs::path Cache::manifest_path(const std::string& product, const std::string& version) const
{
  return m_root / "manifests-v1" / product / ("redistrib_" + version + ".json");
}

bool Cache::has(const std::string& sha256, std::uint64_t size) const
{
  std::error_code ec;
  const auto path = archive_path(sha256);
  return fs::is_regular_file(path, ec) && fs::file_size(path, ec) == size;
}

util::Status Cache::commit(const fs::path& verified_file, const CacheEntry& entry) const
{
  const fs::path target = archive_path(entry.sha256);
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  ENVSETUP_TRY(util::fsync_path(verified_file));
  const nlohmann::json sidecar = {{"name", entry.name}, {"url", entry.url}, {"size", entry.size}};
  ENVSETUP_TRY(util::write_file_atomic(target.string() + ".json", sidecar.dump(2)));
  fs::rename(verified_file, target, ec);
  if (ec) {
    return util::make_error(util::ErrorKind::io, "cannot move a download into the cache `" +
                                                   target.string() + "`")
      .with_cause(ec.message());
  }
  return util::fsync_path(target.parent_path());
}

std::vector<CacheEntry> Cache::list() const
{
  std::vector<CacheEntry> entries;
  std::error_code ec;
  for (fs::directory_iterator it(m_root / "archives-v1", ec), end; !ec && it != end; it.increment(ec)) {
    const auto name = it->path().filename().string();
    if (util::is_sha256_hex(name)) {
      if (auto entry = read_sidecar(it->path())) {
        entries.push_back(std::move(*entry));
      }
    }
  }
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return entries;
}

util::Result<std::vector<std::string>> Cache::verify() const
{
  std::vector<std::string> corrupt;
  for (const auto& entry : list()) {
    auto lock = util::FileLock::acquire(lock_path(entry.sha256));
    if (!lock) {
      return std::move(lock).error();
    }
    auto digest = util::sha256_file(entry.path);
    if (!digest) {
      return std::move(digest).error();
    }
    if (*digest != entry.sha256) {
      corrupt.push_back(entry.name.empty() ? entry.sha256 : entry.name);
      std::error_code ec;
      fs::remove(entry.path, ec);
      fs::remove(entry.path.string() + ".json", ec);
    }
  }
  return corrupt;
}

util::Result<std::uint64_t> Cache::clean(std::optional<std::chrono::hours> older_than) const
{
  std::uint64_t freed = 0;
  const auto now = fs::file_time_type::clock::now();
  for (const auto& entry : list()) {
    if (older_than && now - entry.modified < *older_than) {
      continue;
    }
    auto lock = util::FileLock::acquire(lock_path(entry.sha256));
    if (!lock) {
      return std::move(lock).error();
    }
    std::error_code ec;
    fs::remove(entry.path.string() + ".json", ec);
    if (fs::remove(entry.path, ec)) {
      freed += entry.size;
    }
  }
  std::error_code ec;
  for (fs::directory_iterator it(m_root / "partial-v1", ec), end; !ec && it != end; it.increment(ec)) {
    const auto sha = it->path().stem().string();
    auto lock = util::FileLock::try_acquire(lock_path(sha));
    if (lock && lock->held()) {  // never pull a file from under a running download
      std::error_code size_ec;
      freed += fs::file_size(it->path(), size_ec);
      fs::remove(it->path(), size_ec);
    }
  }
  return freed;
}

}  // namespace envsetup::fetch
