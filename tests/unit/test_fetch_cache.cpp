// SPDX-License-Identifier: Apache-2.0
// The download cache against what a hostile local user, a careless user or a crash leaves on
// disk: real files, real links, real locks (flock between two open files conflicts within
// one process too, so a second Cache here plays the other process).
#include <envsetup/fetch/cache.hpp>
#include <envsetup/util/sha256.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace envsetup::fetch {
namespace {

namespace fs = std::filesystem;

std::string random_bytes(std::size_t size, unsigned seed)
{
  std::mt19937 rng(seed);
  std::string bytes(size, '\0');
  for (auto& c : bytes) {
    c = static_cast<char>(rng() & 0xff);
  }
  return bytes;
}

std::string sha256_of(const std::string& bytes)
{
  util::Sha256 hash;
  hash.update(bytes);
  return hash.hex_digest();
}

std::string read_all(const fs::path& path)
{
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_all(const fs::path& path, const std::string& bytes)
{
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

class FetchCache : public ::testing::Test {
protected:
  void SetUp() override
  {
    m_dir = fs::temp_directory_path() / ("envsetup-cache-" + std::to_string(::getpid()) + "-" +
                                          ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
    m_bytes = random_bytes(100'000, 7);
    m_sha = sha256_of(m_bytes);
    m_canary = m_dir / "canary";
    write_all(m_canary, "canary: must never change\n");
  }
  void TearDown() override { fs::remove_all(m_dir); }

  fs::path root() const { return m_dir / "cache"; }

  // Commits m_bytes as a downloaded archive, as the downloader does.
  void commit(const Cache& cache)
  {
    auto lock = cache.lock_archive(m_sha, true);
    ASSERT_TRUE(lock.ok() && lock->held());
    auto partial = cache.open_partial(m_sha, m_bytes.size());
    ASSERT_TRUE(partial.ok()) << partial.error().message;
    ASSERT_EQ(::pwrite(partial->fd.get(), m_bytes.data(), m_bytes.size(), 0), static_cast<ssize_t>(m_bytes.size()));
    CacheEntry entry{m_sha, "x.tar.xz", "http://127.0.0.1/x.tar.xz", m_bytes.size(), {}, {}};
    auto committed = cache.commit(*partial, entry);
    ASSERT_TRUE(committed.ok()) << committed.error().message;
  }

  bool admitted(const Cache& cache)
  {
    auto lock = cache.lock_archive(m_sha, true);
    auto result = cache.admit(m_sha, m_bytes.size());
    EXPECT_TRUE(result.ok());
    return result.ok() && *result;
  }

  fs::path m_dir;
  fs::path m_canary;
  std::string m_bytes;
  std::string m_sha;
};

TEST_F(FetchCache, PartFileSymlinkIsNotFollowed)
{
  const Cache cache(root());
  ASSERT_TRUE(cache.status().ok());
  const std::string before = read_all(m_canary);
  fs::create_symlink(m_canary, cache.partial_path(m_sha));
  auto partial = cache.open_partial(m_sha, m_bytes.size());
  ASSERT_TRUE(partial.ok()) << partial.error().message;
  EXPECT_EQ(partial->existing, 0U);  // the link's target is not a download to continue
  ASSERT_EQ(::pwrite(partial->fd.get(), "appended", 8, 0), 8);
  EXPECT_EQ(read_all(m_canary), before);
  EXPECT_FALSE(fs::is_symlink(cache.partial_path(m_sha)));
  EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(cache.partial_path(m_sha))));
}

TEST_F(FetchCache, PartFileHardLinkIsNotWrittenThrough)
{
  const Cache cache(root());
  const std::string before = read_all(m_canary);
  fs::create_hard_link(m_canary, cache.partial_path(m_sha));
  auto partial = cache.open_partial(m_sha, m_bytes.size());
  ASSERT_TRUE(partial.ok()) << partial.error().message;
  EXPECT_EQ(partial->existing, 0U);
  ASSERT_EQ(::pwrite(partial->fd.get(), "appended", 8, 0), 8);
  EXPECT_EQ(read_all(m_canary), before);
}

TEST_F(FetchCache, PartFileFolderOrFifoIsReplaced)
{
  const Cache cache(root());
  fs::create_directories(cache.partial_path(m_sha) / "inside");
  auto partial = cache.open_partial(m_sha, m_bytes.size());
  ASSERT_TRUE(partial.ok()) << partial.error().message;
  partial->fd = {};
  fs::remove(cache.partial_path(m_sha));
  ASSERT_EQ(::mkfifo(cache.partial_path(m_sha).c_str(), 0644), 0);
  partial = cache.open_partial(m_sha, m_bytes.size());  // must not block on the fifo
  ASSERT_TRUE(partial.ok()) << partial.error().message;
  EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(cache.partial_path(m_sha))));
}

TEST_F(FetchCache, CommittedArchiveIsTrustedByItsRecordWithoutRehash)
{
  const Cache cache(root());
  commit(cache);
  EXPECT_TRUE(cache.has(m_sha, m_bytes.size()));
  EXPECT_TRUE(admitted(cache));
  const auto record = nlohmann::json::parse(read_all(cache.archive_path(m_sha).string() + ".json"));
  EXPECT_EQ(record.at("sha256"), m_sha);
  EXPECT_EQ(record.at("size"), m_bytes.size());
  struct stat status {};
  ASSERT_EQ(::lstat(cache.archive_path(m_sha).c_str(), &status), 0);
  EXPECT_EQ(record.at("identity").at("st_ino"), status.st_ino);
  EXPECT_FALSE(cache.has(m_sha, m_bytes.size() + 1));  // the size asked for is part of the check
}

TEST_F(FetchCache, SymlinkedArchiveIsNotTrustedAndItsTargetUntouched)
{
  const Cache cache(root());
  // Even a link to the right bytes: the cache keeps files, never pointers elsewhere.
  const fs::path elsewhere = m_dir / "elsewhere";
  write_all(elsewhere, m_bytes);
  fs::create_symlink(elsewhere, cache.archive_path(m_sha));
  EXPECT_FALSE(cache.has(m_sha, m_bytes.size()));
  EXPECT_FALSE(admitted(cache));
  EXPECT_FALSE(fs::exists(fs::symlink_status(cache.archive_path(m_sha))));
  EXPECT_EQ(read_all(elsewhere), m_bytes);
}

TEST_F(FetchCache, SameSizeOtherBytesPlantedUnderTheRecordAreRehashedAndRemoved)
{
  const Cache cache(root());
  commit(cache);
  // Rewrite in place (same inode, same size) and put the modification time back.
  struct stat before {};
  ASSERT_EQ(::stat(cache.archive_path(m_sha).c_str(), &before), 0);
  write_all(cache.archive_path(m_sha), random_bytes(m_bytes.size(), 99));
  const struct timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, cache.archive_path(m_sha).c_str(), times, 0), 0);
  EXPECT_FALSE(cache.has(m_sha, m_bytes.size()));
  EXPECT_FALSE(admitted(cache));
  EXPECT_FALSE(fs::exists(cache.archive_path(m_sha)));
  EXPECT_FALSE(fs::exists(cache.archive_path(m_sha).string() + ".json"));
}

TEST_F(FetchCache, SameSizeOtherBytesPlantedWithTheRecordRemovedAreRehashedAndRemoved)
{
  const Cache cache(root());
  commit(cache);
  fs::remove(cache.archive_path(m_sha));
  write_all(cache.archive_path(m_sha), random_bytes(m_bytes.size(), 99));
  fs::remove(cache.archive_path(m_sha).string() + ".json");
  EXPECT_FALSE(cache.has(m_sha, m_bytes.size()));
  EXPECT_FALSE(admitted(cache));
  EXPECT_FALSE(fs::exists(cache.archive_path(m_sha)));
}

TEST_F(FetchCache, RecordOfAnotherFileDoesNotVouchForAReplacement)
{
  const Cache cache(root());
  commit(cache);
  // A new file with other bytes renamed over the archive, the old record left in place.
  const fs::path planted = m_dir / "cache" / "archives-v1" / "planted";
  write_all(planted, random_bytes(m_bytes.size(), 5));
  fs::rename(planted, cache.archive_path(m_sha));
  EXPECT_FALSE(admitted(cache));
  EXPECT_FALSE(fs::exists(cache.archive_path(m_sha)));
}

TEST_F(FetchCache, LegacyEntryWithoutIdentityIsRehashedThenRecorded)
{
  const Cache cache(root());
  write_all(cache.archive_path(m_sha), m_bytes);
  write_all(cache.archive_path(m_sha).string() + ".json", R"({"name": "old.tar.xz", "url": "u", "size": 100000})");
  EXPECT_TRUE(cache.has(m_sha, m_bytes.size()));
  EXPECT_TRUE(admitted(cache));
  const auto record = nlohmann::json::parse(read_all(cache.archive_path(m_sha).string() + ".json"));
  EXPECT_EQ(record.at("name"), "old.tar.xz");  // kept
  EXPECT_TRUE(record.contains("identity"));
  // A legacy entry with other bytes is removed.
  const std::string other = random_bytes(5000, 3);
  const std::string other_sha = sha256_of(other);
  write_all(cache.archive_path(other_sha), random_bytes(5000, 4));
  auto lock = cache.lock_archive(other_sha, true);
  EXPECT_FALSE(cache.admit(other_sha, 5000).value());
  EXPECT_FALSE(fs::exists(cache.archive_path(other_sha)));
}

TEST_F(FetchCache, PinnedArchiveSurvivesCleanAndVerify)
{
  const Cache cache(root());
  commit(cache);
  {
    const Cache other_process(root());
    auto pin = other_process.pin(m_sha);
    ASSERT_TRUE(pin.ok() && pin->held());
    auto cleaned = cache.clean(std::nullopt);
    ASSERT_TRUE(cleaned.ok()) << cleaned.error().message;
    EXPECT_EQ(cleaned->busy, std::vector<std::string>{"x.tar.xz"});
    EXPECT_EQ(cleaned->freed, 0U);
    auto verified = cache.verify();
    ASSERT_TRUE(verified.ok());
    EXPECT_EQ(verified->busy, std::vector<std::string>{"x.tar.xz"});
    EXPECT_TRUE(fs::exists(cache.archive_path(m_sha)));
  }
  auto cleaned = cache.clean(std::nullopt);
  ASSERT_TRUE(cleaned.ok());
  EXPECT_TRUE(cleaned->busy.empty());
  EXPECT_EQ(cleaned->freed, m_bytes.size());
  EXPECT_FALSE(fs::exists(cache.archive_path(m_sha)));
}

TEST_F(FetchCache, PlantedLockLinkStopsOnlyItsOwnArchiveFromBeingCleaned)
{
  const Cache cache(root());
  commit(cache);
  const fs::path lock = root() / "locks-v1" / (m_sha + ".lock");
  fs::remove(lock);
  fs::create_symlink(m_dir / "elsewhere", lock);  // a lock that cannot be opened (O_NOFOLLOW)
  auto verified = cache.verify();
  ASSERT_TRUE(verified.ok()) << verified.error().message;
  ASSERT_EQ(verified->busy.size(), 1U);
  EXPECT_NE(verified->busy[0].find("unusable"), std::string::npos) << verified->busy[0];
  auto cleaned = cache.clean(std::nullopt);
  ASSERT_TRUE(cleaned.ok()) << cleaned.error().message;
  EXPECT_EQ(cleaned->busy.size(), 1U);
  EXPECT_FALSE(fs::exists(m_dir / "elsewhere"));
}

TEST_F(FetchCache, PlantedHugeManifestIsNotReadWhole)
{
  const Cache cache(root());
  ASSERT_TRUE(cache.write_manifest("cuda", "12.4.1", "{}").ok());
  write_all(root() / "manifests-v1" / "cuda" / "redistrib_12.4.1.json", std::string((16U << 20) + 1, ' '));
  auto manifest = cache.read_manifest("cuda", "12.4.1");
  ASSERT_FALSE(manifest.ok());
  EXPECT_NE(manifest.error().message.find("larger than 16 MiB"), std::string::npos) << manifest.error().message;
}

TEST_F(FetchCache, CleanAndVerifyNeverFollowLinksInTheCache)
{
  const Cache cache(root());
  const fs::path victim = m_dir / "victim";
  fs::create_directories(victim);
  write_all(victim / "keep", "keep");
  fs::create_symlink(victim, cache.archive_path(m_sha));
  fs::create_symlink(m_canary, cache.partial_path(sha256_of("x")));
  auto verified = cache.verify();
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified->corrupt.size(), 1U);
  fs::create_symlink(victim, cache.archive_path(m_sha));
  auto cleaned = cache.clean(std::nullopt);
  ASSERT_TRUE(cleaned.ok());
  EXPECT_EQ(read_all(victim / "keep"), "keep");
  EXPECT_TRUE(fs::exists(m_canary));
  EXPECT_FALSE(fs::exists(fs::symlink_status(cache.archive_path(m_sha))));
}

TEST_F(FetchCache, CacheRootThatIsAFileIsAnErrorNotAWait)
{
  write_all(m_dir / "file", "not a folder");
  auto cache = Cache::open(m_dir / "file");
  ASSERT_FALSE(cache.ok());
  EXPECT_EQ(cache.error().kind, util::ErrorKind::io);
  EXPECT_FALSE(cache.error().hints.empty());
}

TEST_F(FetchCache, LocksFolderThatIsAFileIsAnErrorNotAWait)
{
  fs::create_directories(root());
  write_all(root() / "locks-v1", "not a folder");
  auto cache = Cache::open(root());
  ASSERT_FALSE(cache.ok());
  EXPECT_EQ(cache.error().kind, util::ErrorKind::io);
  const Cache kept(root());
  EXPECT_FALSE(kept.status().ok());
  EXPECT_FALSE(kept.lock_archive(m_sha, true).ok());  // an error at once, never a wait
}

TEST_F(FetchCache, LockFileThatIsAFolderIsAnErrorNotAWait)
{
  const Cache cache(root());
  fs::create_directories(m_dir / "cache" / "locks-v1" / (m_sha + ".lock"));
  auto lock = cache.lock_archive(m_sha, false);
  ASSERT_FALSE(lock.ok());
  EXPECT_EQ(lock.error().kind, util::ErrorKind::io);
}

TEST_F(FetchCache, ExportedArchiveIsACopyNotAHardLink)
{
  const Cache cache(root());
  commit(cache);
  const fs::path out = m_dir / "mirror";
  fs::create_directories(out);
  const int out_fd = ::open(out.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(out_fd, 0);
  auto exported = cache.export_archive(m_sha, out_fd, "x.tar.xz");
  ::close(out_fd);
  ASSERT_TRUE(exported.ok()) << exported.error().message;
  struct stat cached {};
  struct stat copy {};
  ASSERT_EQ(::stat(cache.archive_path(m_sha).c_str(), &cached), 0);
  ASSERT_EQ(::stat((out / "x.tar.xz").c_str(), &copy), 0);
  EXPECT_NE(cached.st_ino, copy.st_ino);
  EXPECT_EQ(cached.st_nlink, 1U);
  EXPECT_EQ(read_all(out / "x.tar.xz"), m_bytes);
  write_all(out / "x.tar.xz", "edited");
  EXPECT_EQ(read_all(cache.archive_path(m_sha)), m_bytes);
  EXPECT_TRUE(admitted(cache));
}

}  // namespace
}  // namespace envsetup::fetch
