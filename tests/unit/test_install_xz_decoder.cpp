// SPDX-License-Identifier: Apache-2.0
// The parallel .xz decoder on real files written by the xz tool: blocks with sizes in their
// headers (multi-threaded xz) and without (single-threaded xz), concatenated streams, corrupt
// and truncated data, a shared pool with a tiny budget, and extraction through it.
#include "archive_builder.hpp"

#include <envsetup/install/extract.hpp>
#include <envsetup/install/xz_decoder.hpp>
#include <envsetup/util/fs.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

namespace envsetup::testing {
namespace {

namespace fs = std::filesystem;

std::string describe(const util::Error& error)
{
  std::string text = error.message;
  for (const std::string& cause : error.causes) {
    text += "\n  cause: " + cause;
  }
  return text;
}

// Compressible, not repetitive: words drawn at random, and some random bytes.
std::string sample_data(std::size_t size, unsigned seed)
{
  static const char* const words[] = {"cuda", "cudnn", "kernel", "__global__", "libcublasLt.so.12",
                                      "sm_90", "\x7f" "ELF", "nvcc", "0x1f2e3d4c", "\n"};
  std::mt19937 random(seed);
  std::string data;
  while (data.size() < size) {
    data += words[random() % std::size(words)];
    if (random() % 8 == 0) {
      data += static_cast<char>(random());
    }
  }
  data.resize(size);
  return data;
}

// Reads `stream` to its end in `chunk`-byte reads.
util::Result<std::string> read_all(install::ArchiveStream& stream, std::size_t chunk = 7777)
{
  std::string all;
  std::vector<char> buffer(chunk);
  while (true) {
    auto got = stream.read(buffer.data(), buffer.size());
    if (!got) {
      return std::move(got).error();
    }
    if (*got == 0) {
      return all;
    }
    all.append(buffer.data(), *got);
  }
}

// Serves a string, `step` bytes at most per read, failing once `fail_after` bytes were served.
class StringStream : public install::ArchiveStream {
public:
  explicit StringStream(std::string bytes, std::size_t step = 1 << 16, std::size_t fail_after = SIZE_MAX)
    : m_bytes(std::move(bytes)), m_step(step), m_fail_after(fail_after)
  {
  }

  util::Result<std::size_t> read(char* buffer, std::size_t size) override
  {
    if (m_at >= m_fail_after) {
      return util::make_error(util::ErrorKind::network, "the connection dropped");
    }
    const std::size_t count = std::min({size, m_step, m_bytes.size() - m_at});
    std::copy_n(m_bytes.data() + m_at, count, buffer);
    m_at += count;
    return count;
  }

private:
  std::string m_bytes;
  std::size_t m_step;
  std::size_t m_fail_after;
  std::size_t m_at = 0;
};

class XzDecoder : public ::testing::Test {
protected:
  void SetUp() override
  {
    if (std::system("xz --version > /dev/null 2>&1") != 0) {
      GTEST_SKIP() << "the xz tool is not installed";
    }
    std::string pattern = (fs::temp_directory_path() / "envsetup-xz-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    m_root = pattern;
  }

  void TearDown() override
  {
    std::error_code ignored;
    fs::remove_all(m_root, ignored);
  }

  // `data` compressed by the xz tool with `options`.
  std::string compress(const std::string& data, const std::string& options)
  {
    const fs::path input = m_root / "input";
    const fs::path output = m_root / "output.xz";
    std::ofstream(input, std::ios::binary) << data;
    const std::string command = "xz " + options + " -c " + input.string() + " > " + output.string();
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    return util::read_file(output).value_or("");
  }

  // Multi-threaded xz: every block header records its sizes; 64 KiB blocks.
  std::string sized_blocks(const std::string& data) { return compress(data, "-T2 -3 --block-size=64KiB"); }
  // Single-threaded xz: the block headers do not record sizes.
  std::string unsized_blocks(const std::string& data) { return compress(data, "-T1 -3 --block-size=64KiB"); }

  fs::path m_root;
};

TEST_F(XzDecoder, SizedBlocksAreDecodedOnThePoolInOrder)
{
  const std::string data = sample_data(3 << 20, 1);
  StringStream source(sized_blocks(data));
  install::DecodePool pool(3, 256 << 10);  // a budget of a few blocks: reading waits for it
  const auto decoded = install::decoding_stream(source, pool, "data.xz");
  const auto all = read_all(*decoded);
  ASSERT_TRUE(all.ok()) << describe(all.error());
  EXPECT_TRUE(*all == data);
  EXPECT_GE(pool.blocks_decoded(), 40U);  // 3 MiB in 64 KiB blocks: nearly all on the pool
}

// With parallel blocks turned off, or as many streams as threads, each stream decodes its
// own blocks; the bytes are the same.
TEST_F(XzDecoder, BlocksStayOnTheReadingThreadWhenThePoolIsOffOrBusy)
{
  const std::string data = sample_data(1 << 20, 9);
  const std::string compressed = sized_blocks(data);
  install::DecodePool pool(2);
  pool.allow_parallel_blocks(false);
  StringStream source(compressed);
  EXPECT_TRUE(read_all(*install::decoding_stream(source, pool, "off.xz")).value_or("") == data);
  EXPECT_EQ(pool.blocks_decoded(), 0U);
  StringStream first(compressed);
  StringStream second(compressed);
  const auto a = install::decoding_stream(first, pool, "a.xz");
  const auto b = install::decoding_stream(second, pool, "b.xz");
  std::vector<char> buffer(100);
  ASSERT_TRUE(a->read(buffer.data(), buffer.size()).ok());  // both streams are now live
  ASSERT_TRUE(b->read(buffer.data(), buffer.size()).ok());
  pool.allow_parallel_blocks(true);
  std::string b_bytes(buffer.data(), buffer.size());
  b_bytes += read_all(*b).value_or("failed");
  EXPECT_TRUE(b_bytes == data);
  EXPECT_EQ(pool.blocks_decoded(), 0U);  // two live streams, two threads: none went to the pool
  std::string a_bytes(buffer.data(), buffer.size());
  a_bytes += read_all(*a).value_or("failed");  // b has ended: a is alone and uses the pool
  EXPECT_TRUE(a_bytes == data);
  EXPECT_GT(pool.blocks_decoded(), 0U);
}

TEST_F(XzDecoder, BlocksWithoutSizesAreDecodedAsTheyAreRead)
{
  const std::string data = sample_data(1 << 20, 2);
  StringStream source(unsized_blocks(data), 1000);
  install::DecodePool pool(2);
  const auto decoded = install::decoding_stream(source, pool, "data.xz");
  const auto all = read_all(*decoded, 100);
  ASSERT_TRUE(all.ok()) << describe(all.error());
  EXPECT_TRUE(*all == data);
  EXPECT_EQ(pool.blocks_decoded(), 0U);  // nothing to hand out without sizes
}

TEST_F(XzDecoder, ConcatenatedStreamsAndStreamPaddingAreRead)
{
  const std::string first = sample_data(300000, 3);
  const std::string second = sample_data(200000, 4);
  StringStream source(sized_blocks(first) + std::string(8, '\0') + unsized_blocks(second));
  install::DecodePool pool(2);
  const auto decoded = install::decoding_stream(source, pool, "data.xz");
  const auto all = read_all(*decoded);
  ASSERT_TRUE(all.ok()) << describe(all.error());
  EXPECT_TRUE(*all == first + second);
}

TEST_F(XzDecoder, DataThatIsNotXzPassesUnchanged)
{
  const std::string data = sample_data(100000, 5);
  StringStream source(data, 333);
  install::DecodePool pool(1);
  const auto decoded = install::decoding_stream(source, pool, "data.tar");
  const auto all = read_all(*decoded);
  ASSERT_TRUE(all.ok()) << describe(all.error());
  EXPECT_TRUE(*all == data);
  StringStream tiny("ab");
  EXPECT_EQ(read_all(*install::decoding_stream(tiny, pool, "tiny")).value_or("?"), "ab");
}

// The same damage to sized blocks (decoded on the pool) and unsized ones (on the reader).
TEST_F(XzDecoder, CorruptAndTruncatedDataAreIntegrityErrors)
{
  const std::string data = sample_data(1 << 20, 6);
  install::DecodePool pool(2);
  for (const std::string& good : {sized_blocks(data), unsized_blocks(data)}) {
    std::string flipped = good;
    flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x40);
    const std::string cases[][2] = {{flipped, "invalid .xz data"},
                                    {good.substr(0, good.size() * 2 / 3), "truncated"},
                                    {good.substr(0, good.size() - 5), "truncated"},
                                    {good + "abcd", "unexpected bytes after the last stream"},
                                    {good + std::string(3, '\0'), "unexpected bytes after the last stream"}};
    for (const auto& [bytes, expected] : cases) {
      StringStream source(bytes);
      const auto all = read_all(*install::decoding_stream(source, pool, "cudnn.tar.xz"));
      ASSERT_FALSE(all.ok());
      EXPECT_EQ(all.error().kind, util::ErrorKind::integrity);
      EXPECT_EQ(all.error().message, "cannot read archive `cudnn.tar.xz`");
      EXPECT_NE(describe(all.error()).find(expected), std::string::npos) << describe(all.error());
    }
  }
}

TEST_F(XzDecoder, TheSourcesErrorIsReturnedAsItIs)
{
  const std::string compressed = sized_blocks(sample_data(1 << 20, 7));
  StringStream source(compressed, 4096, compressed.size() / 2);
  install::DecodePool pool(2);
  const auto all = read_all(*install::decoding_stream(source, pool, "data.xz"));
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.error().kind, util::ErrorKind::network);
  EXPECT_EQ(all.error().message, "the connection dropped");
}

// Each stream may always hold one block, so streams sharing a pool whose budget fits none
// still all finish; and a stream dropped halfway leaves the pool working.
TEST_F(XzDecoder, StreamsSharingATinyBudgetAllFinish)
{
  const std::string data = sample_data(2 << 20, 8);
  const std::string compressed = sized_blocks(data);
  install::DecodePool pool(2, 1);
  {
    StringStream source(compressed);
    const auto dropped = install::decoding_stream(source, pool, "dropped.xz");
    std::vector<char> buffer(100000);
    ASSERT_TRUE(dropped->read(buffer.data(), buffer.size()).ok());
  }
  std::vector<std::string> results(4);
  std::vector<std::thread> readers;
  for (auto& result : results) {
    readers.emplace_back([&] {
      StringStream source(compressed);
      result = read_all(*install::decoding_stream(source, pool, "shared.xz")).value_or("failed");
    });
  }
  for (auto& reader : readers) {
    reader.join();
  }
  for (const auto& result : results) {
    EXPECT_TRUE(result == data);
  }
}

// The pool's threads are std::jthreads whose stop wakes them: a pool destroyed right after a
// stream was dropped with blocks in flight, or one never used, stops and joins its threads
// (no hang, no std::terminate; under ASan, no block outlives the pool's state).
TEST_F(XzDecoder, APoolDestroyedRightAfterAStreamIsDroppedStopsItsThreads)
{
  const std::string compressed = sized_blocks(sample_data(2 << 20, 8));
  for (int round = 0; round < 5; ++round) {
    install::DecodePool pool(4);
    StringStream source(compressed);
    const auto dropped = install::decoding_stream(source, pool, "dropped.xz");
    std::vector<char> buffer(100000);
    ASSERT_TRUE(dropped->read(buffer.data(), buffer.size()).ok());
  }
  const install::DecodePool unused(8);
  EXPECT_EQ(unused.threads(), 8U);
}

TEST_F(XzDecoder, ExtractionThroughThePoolMatchesLibarchive)
{
  std::vector<ArchiveMember> members{dir_member("cuda_nvcc-linux-x86_64-12.4.131-archive/"),
                                     dir_member("cuda_nvcc-linux-x86_64-12.4.131-archive/bin/")};
  for (unsigned i = 0; i < 12; ++i) {
    members.push_back(file_member("cuda_nvcc-linux-x86_64-12.4.131-archive/bin/tool" + std::to_string(i),
                                  sample_data(50000 + i * 7000, 100 + i), 0755));
  }
  const fs::path tar = m_root / "nvcc.tar";
  ASSERT_EQ(write_archive(tar, members, ArchiveFormat::tar), "");
  const fs::path archive = m_root / "nvcc.tar.xz";
  const std::string compressed = sized_blocks(util::read_file(tar).value_or(""));
  std::ofstream(archive, std::ios::binary) << compressed;
  install::DecodePool pool(2, 128 << 10);
  for (const char* way : {"libarchive", "pool", "pool-stream"}) {
    const fs::path destination = m_root / way;
    fs::create_directory(destination);
    StringStream stream(compressed, 5000);
    const auto result = std::string(way) == "libarchive" ? install::extract_archive(archive, destination)
                        : std::string(way) == "pool"
                          ? install::extract_archive(archive, destination, {}, &pool)
                          : install::extract_archive_stream(stream, compressed.size(), "nvcc.tar.xz", destination, {},
                                                            &pool);
    ASSERT_TRUE(result.ok()) << way << ": " << describe(result.error());
    EXPECT_EQ(result->top_folder, "cuda_nvcc-linux-x86_64-12.4.131-archive") << way;
    ASSERT_EQ(result->entries.size(), 13U) << way;
    for (unsigned i = 0; i < 12; ++i) {
      EXPECT_TRUE(util::read_file(destination / ("bin/tool" + std::to_string(i))).value_or("") ==
                  sample_data(50000 + i * 7000, 100 + i))
        << way << " tool" << i;
    }
  }
  install::ExtractLimits limits;  // the size limits hold on the pool's path too
  limits.max_total_bytes = 100000;
  fs::create_directory(m_root / "limited");
  const auto limited = install::extract_archive(archive, m_root / "limited", limits, &pool);
  ASSERT_FALSE(limited.ok());
  EXPECT_NE(describe(limited.error()).find("size limit"), std::string::npos) << describe(limited.error());
}

}  // namespace
}  // namespace envsetup::testing
