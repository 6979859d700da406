// SPDX-License-Identifier: Apache-2.0
#include <envsetup/fetch/cache_record.hpp>

#include <envsetup/util/beneath.hpp>
#include <envsetup/util/fs.hpp>
#include <envsetup/util/sha256.hpp>
#include <envsetup/util/unique_fd.hpp>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace envsetup::fetch::detail {

namespace {

constexpr std::size_t k_block = std::size_t{1} << 20;
constexpr std::size_t k_max_record = 64 * 1024;

std::int64_t nanoseconds(const struct timespec& time)
{
  return static_cast<std::int64_t>(time.tv_sec) * 1'000'000'000 + time.tv_nsec;
}

std::string record_name(const std::string& sha256)
{
  return sha256 + ".json";
}

std::optional<std::string> read_small(int dir_fd, const std::string& name)
{
  auto text = util::read_file_beneath(dir_fd, name, k_max_record);
  return text ? std::move(text).value() : std::nullopt;
}

}  // namespace

FileIdentity identity_of(const struct stat& status)
{
  return {static_cast<std::uint64_t>(status.st_dev), static_cast<std::uint64_t>(status.st_ino),
          static_cast<std::uint64_t>(status.st_size), nanoseconds(status.st_mtim), nanoseconds(status.st_ctim)};
}

std::optional<ArchiveRecord> read_record(int archives_fd, const std::string& sha256)
{
  const auto text = read_small(archives_fd, record_name(sha256));
  if (!text) {
    return std::nullopt;
  }
  const auto document = nlohmann::json::parse(*text, nullptr, false);
  if (!document.is_object()) {
    return std::nullopt;
  }
  ArchiveRecord record;
  // A record is untrusted: a field of the wrong type reads as absent (never an exception).
  auto text_field = [&](const char* key) {
    const auto found = document.find(key);
    return found != document.end() && found->is_string() ? found->get<std::string>() : std::string();
  };
  record.name = text_field("name");
  record.url = text_field("url");
  record.sha256 = text_field("sha256");
  const auto size = document.find("size");
  if (size != document.end() && size->is_number_unsigned()) {
    record.size = size->get<std::uint64_t>();
  }
  const auto identity = document.find("identity");
  if (identity != document.end() && identity->is_object()) {
    const bool integers = std::all_of(identity->begin(), identity->end(),
                                      [](const auto& field) { return field.is_number_integer(); });
    try {
      if (integers) {  // a float (1e300) read as an integer would be undefined
        record.identity = FileIdentity{identity->at("st_dev").get<std::uint64_t>(),
                                       identity->at("st_ino").get<std::uint64_t>(),
                                       identity->at("st_size").get<std::uint64_t>(),
                                       identity->at("st_mtim_ns").get<std::int64_t>(),
                                       identity->at("st_ctim_ns").get<std::int64_t>()};
      }
    } catch (const nlohmann::json::exception&) {
      record.identity.reset();  // damaged: the archive is re-hashed
    }
  }
  return record;
}

util::Status write_record(int archives_fd, const ArchiveRecord& record)
{
  nlohmann::json document = {{"name", record.name}, {"url", record.url}, {"size", record.size},
                             {"sha256", record.sha256}};
  if (record.identity) {
    const auto& id = *record.identity;
    document["identity"] = {{"st_dev", id.device}, {"st_ino", id.inode}, {"st_size", id.size},
                            {"st_mtim_ns", id.mtime_ns}, {"st_ctim_ns", id.ctime_ns}};
  }
  return util::write_file_atomic_at(archives_fd, record_name(record.sha256), document.dump(2));
}

void remove_archive_files(int archives_fd, const std::string& sha256)
{
  static_cast<void>(util::remove_tree_at(archives_fd, sha256));
  static_cast<void>(util::remove_tree_at(archives_fd, record_name(sha256)));
}

util::Result<std::string> sha256_of_fd(int fd, const std::string& shown)
{
  util::Sha256 hash;
  std::vector<char> block(k_block);
  off_t offset = 0;
  for (;;) {
    const ssize_t got = ::pread(fd, block.data(), block.size(), offset);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0) {
      return util::make_error(util::ErrorKind::io, "cannot read `" + shown + "`").with_cause(std::strerror(errno));
    }
    if (got == 0) {
      return hash.hex_digest();
    }
    hash.update(block.data(), static_cast<std::size_t>(got));
    offset += got;
  }
}

util::Result<Verdict> check_archive(int archives_fd, const std::string& sha256, std::uint64_t size,
                                    struct stat& status_out)
{
  struct stat status {};
  if (!util::stat_at(archives_fd, sha256, status)) {
    if (errno == ENOENT) {
      return Verdict::missing;
    }
    return util::make_error(util::ErrorKind::io, "cannot inspect the cached archive `" + sha256 + "`")
      .with_cause(std::strerror(errno));
  }
  if (!S_ISREG(status.st_mode) || static_cast<std::uint64_t>(status.st_size) != size) {
    return Verdict::mismatch;  // a symlink, a folder, a device, or other bytes: not the archive
  }
  const auto record = read_record(archives_fd, sha256);
  if (record && record->sha256 == sha256 && record->size == size && record->identity == identity_of(status)) {
    status_out = status;
    return Verdict::trusted;
  }
  // No record (an older cache) or the file changed since it was recorded: hash it again.
  util::UniqueFd fd(::openat(archives_fd, sha256.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  struct stat opened {};
  if (!fd.valid() || ::fstat(fd.get(), &opened) != 0 || opened.st_ino != status.st_ino ||
      opened.st_dev != status.st_dev || !S_ISREG(opened.st_mode)) {
    return Verdict::mismatch;  // replaced while we looked
  }
  auto digest = sha256_of_fd(fd.get(), sha256);
  if (!digest) {
    return std::move(digest).error();
  }
  if (*digest != sha256 || ::fstat(fd.get(), &opened) != 0 || static_cast<std::uint64_t>(opened.st_size) != size) {
    return Verdict::mismatch;
  }
  status_out = opened;
  return Verdict::rehashed_ok;
}

}  // namespace envsetup::fetch::detail
