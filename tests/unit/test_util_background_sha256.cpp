// SPDX-License-Identifier: Apache-2.0
#include <envsetup/util/background_sha256.hpp>
#include <envsetup/util/sha256.hpp>

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace envsetup::util {
namespace {

std::vector<char> random_bytes(std::size_t size)
{
  std::mt19937 rng(7);
  std::vector<char> bytes(size);
  for (auto& byte : bytes) {
    byte = static_cast<char>(rng());
  }
  return bytes;
}

std::string direct_digest(const std::vector<char>& bytes)
{
  Sha256 hash;
  hash.update(bytes.data(), bytes.size());
  return hash.hex_digest();
}

TEST(BackgroundSha256, MatchesTheDirectDigestForAnyChunking)
{
  const auto bytes = random_bytes(3'000'000);
  // Chunks smaller and larger than its internal chunk and its queue limit.
  for (const std::size_t step : {std::size_t{1} << 10, std::size_t{300'001}, bytes.size()}) {
    BackgroundSha256 hash(std::size_t{1} << 20);
    for (std::size_t at = 0; at < bytes.size(); at += step) {
      hash.update(bytes.data() + at, std::min(step, bytes.size() - at));
    }
    EXPECT_EQ(hash.hex_digest(), direct_digest(bytes)) << "step " << step;
  }
}

TEST(BackgroundSha256, ResetAndDigestStartOver)
{
  const auto bytes = random_bytes(600'000);
  BackgroundSha256 hash;
  hash.update("stale bytes", 11);
  hash.reset();
  hash.update(bytes.data(), bytes.size());
  EXPECT_EQ(hash.hex_digest(), direct_digest(bytes));
  EXPECT_EQ(hash.hex_digest(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(BackgroundSha256, KeepsItsStateWhenMoved)
{
  const auto bytes = random_bytes(400'000);
  BackgroundSha256 first;
  first.update(bytes.data(), 100'000);
  BackgroundSha256 second(std::move(first));
  second.update(bytes.data() + 100'000, bytes.size() - 100'000);
  BackgroundSha256 third;
  third = std::move(second);
  EXPECT_EQ(third.hex_digest(), direct_digest(bytes));
}

// Its thread is a std::jthread whose stop wakes the worker: destroying a hash that still has
// bytes queued (a download abandoned mid-way) neither hangs nor terminates the process, and a
// hash that never started its thread is destroyed as well.
TEST(BackgroundSha256, AbandonedWithBytesQueuedStopsItsThread)
{
  const auto bytes = random_bytes(3'000'000);
  for (int round = 0; round < 20; ++round) {
    BackgroundSha256 hash(std::size_t{1} << 20);
    hash.update(bytes.data(), bytes.size());
  }
  const BackgroundSha256 unused;
}

}  // namespace
}  // namespace envsetup::util
