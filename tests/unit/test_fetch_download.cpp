// SPDX-License-Identifier: Apache-2.0
// The download engine against a real loopback HTTP server (tests/support) with injected
// faults: real libcurl, real sockets on 127.0.0.1, real files.
#include "loopback_server.hpp"

#include <envsetup/fetch/downloader.hpp>
#include <envsetup/util/sha256.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <random>

namespace envsetup::testing {
namespace {

namespace fs = std::filesystem;
using Kind = Fault::Kind;

std::string random_bytes(std::size_t size, unsigned seed)
{
  std::mt19937 rng(seed);
  std::string bytes(size, '\0');
  for (auto& c : bytes) {
    c = static_cast<char>(rng() & 0xff);
  }
  return bytes;
}

class Download : public ::testing::Test {
protected:
  void SetUp() override
  {
    m_dir = fs::temp_directory_path() / ("envsetup-fetch-" + std::to_string(::getpid()) + "-" +
                                          ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    fs::create_directories(m_dir / "www");
    m_server = std::make_unique<LoopbackServer>(LoopbackServer::Options{m_dir / "www"});
    m_options.retry_base = std::chrono::milliseconds(10);
    m_options.retry_cap = std::chrono::milliseconds(50);
    m_options.low_speed_time = std::chrono::seconds(1);
  }
  void TearDown() override
  {
    m_server.reset();
    fs::remove_all(m_dir);
  }

  // A served file of `size` random bytes at /name; the item to download it.
  fetch::DownloadItem serve(const std::string& name, std::size_t size, unsigned seed = 1)
  {
    const std::string content = random_bytes(size, seed);
    std::ofstream(m_dir / "www" / name, std::ios::binary) << content;
    util::Sha256 hash;
    hash.update(content);
    return {name, m_server->base_url() + "/" + name, hash.hex_digest(), size};
  }

  fetch::Cache cache() const { return fetch::Cache(m_dir / "cache"); }

  util::Result<std::vector<fetch::DownloadOutcome>> download(const std::vector<fetch::DownloadItem>& items)
  {
    return fetch::download_all(items, cache(), m_options, nullptr);
  }

  // Nothing but verified archives (and their sidecars) may be visible in the cache.
  void expect_cache_clean_of(const fetch::DownloadItem& item)
  {
    EXPECT_FALSE(fs::exists(cache().archive_path(item.sha256)));
    EXPECT_FALSE(fs::exists(cache().partial_path(item.sha256)));
  }

  bool saw_range_request(const std::string& path) const
  {
    for (const auto& request : m_server->requests()) {
      if (request.path == path && !request.range.empty()) {
        return true;
      }
    }
    return false;
  }

  fs::path m_dir;
  std::unique_ptr<LoopbackServer> m_server;
  fetch::DownloadOptions m_options;
};

TEST_F(Download, ManyFilesInParallelAreVerifiedIntoTheCache)
{
  std::vector<fetch::DownloadItem> items;
  for (int i = 0; i < 12; ++i) {
    items.push_back(serve("file" + std::to_string(i), 50'000 + static_cast<std::size_t>(i) * 10'000,
                          static_cast<unsigned>(i)));
  }
  auto outcomes = download(items);
  ASSERT_TRUE(outcomes.ok()) << outcomes.error().message;
  ASSERT_EQ(outcomes->size(), items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ((*outcomes)[i].item.name, items[i].name);  // the caller's order
    EXPECT_EQ(util::sha256_file((*outcomes)[i].path).value(), items[i].sha256);
    EXPECT_FALSE((*outcomes)[i].from_cache);
  }
  auto again = download(items);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(std::all_of(again->begin(), again->end(), [](const auto& o) { return o.from_cache; }));
}

TEST_F(Download, DroppedConnectionResumesWithRange)
{
  const auto item = serve("big", 2'000'000);
  Fault fault;
  fault.kind = Kind::close_after;
  fault.bytes = 700'000;
  fault.times = 1;
  m_server->set_fault("/big", fault);
  auto outcomes = download({item});
  ASSERT_TRUE(outcomes.ok()) << outcomes.error().message;
  EXPECT_TRUE((*outcomes)[0].resumed);
  EXPECT_EQ((*outcomes)[0].attempts, 2);
  EXPECT_TRUE(saw_range_request("/big"));
  EXPECT_EQ(util::sha256_file((*outcomes)[0].path).value(), item.sha256);
}

TEST_F(Download, PartialFileFromAnEarlierRunIsResumed)
{
  const auto item = serve("part", 300'000);
  const std::string content = random_bytes(300'000, 1);
  fs::create_directories(cache().partial_path(item.sha256).parent_path());
  std::ofstream(cache().partial_path(item.sha256), std::ios::binary) << content.substr(0, 120'000);
  auto outcomes = download({item});
  ASSERT_TRUE(outcomes.ok()) << outcomes.error().message;
  EXPECT_TRUE((*outcomes)[0].resumed);
  EXPECT_EQ((*outcomes)[0].bytes_transferred, 180'000U);
  EXPECT_TRUE(saw_range_request("/part"));
}

TEST_F(Download, ServerIgnoringRangeRestartsFromZero)
{
  const auto item = serve("norange", 400'000);
  Fault drop;
  drop.kind = Kind::close_after;
  drop.bytes = 100'000;
  drop.times = 1;
  m_server->set_fault("/norange", drop);
  auto first = download({item});  // resumes: the fault applied once
  ASSERT_TRUE(first.ok());
  // Now a partial file and a server that ignores Range.
  fs::remove(cache().archive_path(item.sha256));
  std::ofstream(cache().partial_path(item.sha256), std::ios::binary) << random_bytes(400'000, 1).substr(0, 50'000);
  Fault ignore;
  ignore.kind = Kind::ignore_range;
  m_server->set_fault("/norange", ignore);
  auto outcomes = download({item});
  ASSERT_TRUE(outcomes.ok()) << outcomes.error().message;
  EXPECT_EQ(util::sha256_file((*outcomes)[0].path).value(), item.sha256);
}

TEST_F(Download, ServiceUnavailableIsRetriedHonouringRetryAfter)
{
  const auto item = serve("busy", 10'000);
  Fault fault;
  fault.kind = Kind::status;
  fault.status = 503;
  fault.retry_after_seconds = 1;
  fault.times = 2;
  m_server->set_fault("/busy", fault);
  const auto start = std::chrono::steady_clock::now();
  auto outcomes = download({item});
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(outcomes.ok()) << outcomes.error().message;
  EXPECT_EQ((*outcomes)[0].attempts, 3);
  EXPECT_GE(elapsed, std::chrono::milliseconds(1900));  // two Retry-After: 1 waits
}

TEST_F(Download, TooManyRequestsIsRetried)
{
  const auto item = serve("limited", 10'000);
  Fault fault;
  fault.kind = Kind::status;
  fault.status = 429;
  fault.retry_after_seconds = 0;
  fault.times = 1;
  m_server->set_fault("/limited", fault);
  auto outcomes = download({item});
  ASSERT_TRUE(outcomes.ok()) << outcomes.error().message;
  EXPECT_EQ((*outcomes)[0].attempts, 2);
}

TEST_F(Download, NotFoundFailsAtOnceNamingTheUrl)
{
  fetch::DownloadItem item{"missing", m_server->base_url() + "/missing", std::string(64, 'a'), 10};
  auto outcomes = download({item});
  ASSERT_FALSE(outcomes.ok());
  EXPECT_EQ(outcomes.error().kind, util::ErrorKind::network);
  ASSERT_EQ(outcomes.error().causes.size(), 1U);
  EXPECT_NE(outcomes.error().causes[0].find("/missing"), std::string::npos);
  EXPECT_NE(outcomes.error().causes[0].find("HTTP 404"), std::string::npos);
  EXPECT_EQ(m_server->requests().size(), 1U);
  expect_cache_clean_of(item);
}

TEST_F(Download, StalledTransferHitsTheLowSpeedTimeoutAndResumes)
{
  const auto item = serve("slow", 500'000);
  Fault fault;
  fault.kind = Kind::stall;
  fault.bytes = 100'000;
  fault.stall_seconds = 20;
  fault.times = 1;
  m_server->set_fault("/slow", fault);
  auto outcomes = download({item});
  ASSERT_TRUE(outcomes.ok()) << outcomes.error().message;
  EXPECT_TRUE((*outcomes)[0].resumed);
  EXPECT_TRUE(saw_range_request("/slow"));
}

TEST_F(Download, WrongBytesFailWithSha256AndLeaveNothing)
{
  const auto item = serve("evil", 200'000);
  Fault fault;
  fault.kind = Kind::wrong_bytes;
  m_server->set_fault("/evil", fault);
  auto outcomes = download({item});
  ASSERT_FALSE(outcomes.ok());
  EXPECT_EQ(outcomes.error().kind, util::ErrorKind::integrity);
  EXPECT_NE(outcomes.error().causes[0].find("evil"), std::string::npos);
  EXPECT_NE(outcomes.error().causes[0].find("sha256"), std::string::npos);
  expect_cache_clean_of(item);
}

TEST_F(Download, ShorterBodyIsRetriedThenFails)
{
  const auto item = serve("short", 100'000);
  Fault fault;
  fault.kind = Kind::short_body;
  fault.bytes = 1000;
  m_server->set_fault("/short", fault);
  auto outcomes = download({item});
  ASSERT_FALSE(outcomes.ok());
  EXPECT_NE(outcomes.error().causes[0].find("short"), std::string::npos);
  EXPECT_FALSE(fs::exists(cache().archive_path(item.sha256)));
}

TEST_F(Download, LongerBodyFailsWithSizeAndLeavesNothing)
{
  const auto item = serve("long", 100'000);
  Fault fault;
  fault.kind = Kind::long_body;
  fault.bytes = 5000;
  m_server->set_fault("/long", fault);
  auto outcomes = download({item});
  ASSERT_FALSE(outcomes.ok());
  EXPECT_EQ(outcomes.error().kind, util::ErrorKind::integrity);
  EXPECT_NE(outcomes.error().causes[0].find("more than the manifest"), std::string::npos);
  expect_cache_clean_of(item);
}

TEST_F(Download, RedirectsAreFollowed)
{
  const auto item = serve("real", 30'000);
  Fault fault;
  fault.kind = Kind::redirect;
  fault.redirect_to = "/real";
  m_server->set_fault("/moved", fault);
  auto moved = item;
  moved.url = m_server->base_url() + "/moved";
  auto outcomes = download({moved});
  ASSERT_TRUE(outcomes.ok()) << outcomes.error().message;
  EXPECT_EQ(util::sha256_file((*outcomes)[0].path).value(), item.sha256);
}

TEST_F(Download, FileUrlsWork)
{
  const auto item = serve("local", 64'000);
  auto local = item;
  local.url = "file://" + (m_dir / "www" / "local").string();
  auto outcomes = download({local});
  ASSERT_TRUE(outcomes.ok()) << outcomes.error().message;
  EXPECT_EQ(util::sha256_file((*outcomes)[0].path).value(), item.sha256);
}

TEST_F(Download, OneFailureKeepsTheOthersVerified)
{
  const auto good = serve("good", 40'000, 7);
  fetch::DownloadItem bad{"bad", m_server->base_url() + "/bad", std::string(64, 'b'), 10};
  auto outcomes = download({good, bad});
  ASSERT_FALSE(outcomes.ok());
  EXPECT_EQ(outcomes.error().causes.size(), 1U);
  EXPECT_TRUE(fs::exists(cache().archive_path(good.sha256)));
}

TEST_F(Download, FetchTextReadsManifestsAndReportsStatus)
{
  std::ofstream(m_dir / "www" / "manifest.json") << R"({"a": 1})";
  auto text = fetch::fetch_text(m_server->base_url() + "/manifest.json", m_options);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, R"({"a": 1})");
  auto missing = fetch::fetch_text(m_server->base_url() + "/nope.json", m_options);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().causes.at(0).find("HTTP 404"), std::string::npos);
  EXPECT_NE(missing.error().message.find("/nope.json"), std::string::npos);
}

TEST_F(Download, SymlinkedPartFileIsNotFollowedAndTheDownloadStartsFromZero)
{
  const auto item = serve("linked", 200'000);
  const fs::path canary = m_dir / "canary";
  const std::string canary_bytes = random_bytes(50'000, 1);  // even a prefix of the right bytes
  std::ofstream(canary, std::ios::binary) << canary_bytes;
  fs::create_symlink(canary, cache().partial_path(item.sha256));
  auto outcomes = download({item});
  ASSERT_TRUE(outcomes.ok()) << outcomes.error().message;
  EXPECT_FALSE((*outcomes)[0].resumed);
  EXPECT_EQ((*outcomes)[0].bytes_transferred, 200'000U);
  EXPECT_FALSE(saw_range_request("/linked"));
  std::ifstream in(canary, std::ios::binary);
  std::ostringstream after;
  after << in.rdbuf();
  EXPECT_EQ(after.str(), canary_bytes);
  EXPECT_EQ(util::sha256_file((*outcomes)[0].path).value(), item.sha256);
}

TEST_F(Download, SymlinkedArchiveInTheCacheIsDownloadedAgain)
{
  const auto item = serve("archive", 30'000);
  const fs::path elsewhere = m_dir / "www" / "archive";  // the right bytes, behind a link
  fs::create_symlink(elsewhere, cache().archive_path(item.sha256));
  auto outcomes = download({item});
  ASSERT_TRUE(outcomes.ok()) << outcomes.error().message;
  EXPECT_FALSE((*outcomes)[0].from_cache);
  EXPECT_FALSE(fs::is_symlink(cache().archive_path(item.sha256)));
  EXPECT_TRUE(fs::is_regular_file(elsewhere));
}

TEST_F(Download, TricklingServerHitsTheLowSpeedLimitNamingTheStall)
{
  const auto item = serve("trickle", 200'000);
  Fault fault;
  fault.kind = Kind::trickle;
  fault.bytes = 1'000;
  fault.trickle_bytes_per_second = 50;
  m_server->set_fault("/trickle", fault);
  m_options.max_attempts = 2;
  const auto start = std::chrono::steady_clock::now();
  auto outcomes = download({item});
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(outcomes.ok());
  EXPECT_EQ(outcomes.error().kind, util::ErrorKind::network);
  EXPECT_NE(outcomes.error().causes.at(0).find("stalled"), std::string::npos) << outcomes.error().causes.at(0);
  EXPECT_LT(elapsed, std::chrono::seconds(20));  // low_speed_time is 1 s here
  EXPECT_FALSE(fs::exists(cache().archive_path(item.sha256)));
}

TEST_F(Download, LockFileThatCannotBeCreatedFailsAtOnceInsteadOfWaiting)
{
  const auto item = serve("locked", 10'000);
  fs::create_directories(m_dir / "cache" / "locks-v1" / (item.sha256 + ".lock"));  // a folder: no lock file
  const auto start = std::chrono::steady_clock::now();
  auto outcomes = download({item});
  ASSERT_FALSE(outcomes.ok());
  EXPECT_EQ(outcomes.error().kind, util::ErrorKind::io);
  EXPECT_NE(outcomes.error().causes.at(0).find("lock"), std::string::npos) << outcomes.error().causes.at(0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_TRUE(m_server->requests().empty());
}

TEST_F(Download, OutcomePinsTheArchiveAgainstCacheClean)
{
  const auto item = serve("pinned", 20'000);
  auto outcomes = download({item});
  ASSERT_TRUE(outcomes.ok()) << outcomes.error().message;
  ASSERT_TRUE((*outcomes)[0].pin.held());
  auto cleaned = cache().clean(std::nullopt);
  ASSERT_TRUE(cleaned.ok());
  EXPECT_EQ(cleaned->busy.size(), 1U);
  EXPECT_TRUE(fs::exists(cache().archive_path(item.sha256)));
  auto again = download({item});  // a second user of the archive pins it too
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE((*again)[0].from_cache);
  outcomes->clear();
  EXPECT_EQ(cache().clean(std::nullopt)->busy.size(), 1U);
  again->clear();
  cleaned = cache().clean(std::nullopt);
  EXPECT_TRUE(cleaned->busy.empty());
  EXPECT_FALSE(fs::exists(cache().archive_path(item.sha256)));
}

}  // namespace
}  // namespace envsetup::testing
