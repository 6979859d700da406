// SPDX-License-Identifier: Apache-2.0
// Seeded mutations of every binary fixture (bit flips, truncations, header fields overwritten
// with extreme values): the reader must not crash, and every outcome is a value or an error,
// the same through a random-access and a sequential source. The seed is fixed, so a failure
// reproduces.
#include "test_binary_support.hpp"

#include <gtest/gtest.h>

#include <random>

namespace envsetup::binary {
namespace {

using namespace testing;

constexpr int k_iterations_per_fixture = 1700;  // ~20000 in all

const std::vector<std::string> k_fixtures = {"sass_sm80.so", "ptx_compute80.so",  "both_80.so", "multi.so",
                                             "sm90a.so",     "ptx_compute90a.so", "sm100f.so",  "zstd_sm80.so",
                                             "lz4_sm80.so",  "debug_sm80.so",     "rdc_sm80.o", "host_only.so"};

// Offsets worth hitting: the ELF header, the section table, and each fatbin and entry header.
std::vector<std::size_t> hot_offsets(const Bytes& bytes)
{
  std::vector<std::size_t> hot = {4, 5, 16, 40, 58, 60, 62};
  std::uint64_t table = 0;
  std::memcpy(&table, bytes.data() + 40, 8);
  for (std::size_t at = table; at + 64 <= bytes.size(); at += 64) {
    for (std::size_t field : std::initializer_list<std::size_t>{0, 4, 24, 32}) {
      hot.push_back(at + field);
    }
  }
  auto code = read_memory(bytes);
  if (code.ok() && *code) {
    for (const auto& fatbin : (*code)->fatbins) {
      for (std::size_t field : std::initializer_list<std::size_t>{0, 6, 8}) {
        hot.push_back(fatbin.offset + field);
      }
      std::uint64_t entry = fatbin.offset + 16;
      for (const auto& code_entry : fatbin.entries) {
        for (std::size_t field : std::initializer_list<std::size_t>{0, 4, 8, 16, 28, 32, 36, 40, 56}) {
          hot.push_back(entry + field);
        }
        entry += 64 + code_entry.payload_size;
      }
    }
  }
  return hot;
}

Bytes mutate(const Bytes& original, const std::vector<std::size_t>& hot, std::mt19937_64& random)
{
  Bytes bytes = original;
  const int rounds = 1 + static_cast<int>(random() % 3);
  for (int round = 0; round < rounds; ++round) {
    switch (random() % 4) {
      case 0: {  // flip a bit anywhere
        const std::size_t at = random() % bytes.size();
        bytes[at] ^= std::byte{static_cast<unsigned char>(1u << (random() % 8))};
        break;
      }
      case 1:  // truncate
        bytes.resize(random() % (bytes.size() + 1));
        if (bytes.empty()) {
          return bytes;
        }
        break;
      default: {  // an extreme value in a header field
        static const std::uint64_t extremes[] = {0,
                                                 1,
                                                 8,
                                                 15,
                                                 16,
                                                 63,
                                                 64,
                                                 4096,
                                                 4097,
                                                 0x7fffffff,
                                                 0xffffffff,
                                                 0x100000000,
                                                 ~std::uint64_t{0},
                                                 ~std::uint64_t{0} - 15};
        const std::size_t at = hot[random() % hot.size()];
        const std::uint64_t value = extremes[random() % std::size(extremes)];
        const std::size_t width = std::size_t{1} << (1 + random() % 3);  // 2, 4 or 8 bytes
        if (at + width <= bytes.size()) {
          std::memcpy(bytes.data() + at, &value, width);
        }
      }
    }
  }
  return bytes;
}

TEST(BinaryFuzz, MutatedFixturesGiveAValueOrAnError)
{
  std::mt19937_64 random(20240615);
  int errors = 0;
  int values = 0;
  for (const auto& name : k_fixtures) {
    const Bytes original = read_bytes(fixture(name));
    const auto hot = hot_offsets(original);
    for (int i = 0; i < k_iterations_per_fixture; ++i) {
      const Bytes bytes = mutate(original, hot, random);
      auto result = read_memory(bytes);
      const std::string text = outcome(result);
      if (!result.ok()) {
        ++errors;
        EXPECT_FALSE(result.error().message.empty());
        EXPECT_NE(result.error().kind, util::ErrorKind::internal) << name << " #" << i << ": " << text;
      } else {
        ++values;
      }
      if (i % 8 == 0) {
        EXPECT_EQ(outcome(read_pulled(bytes, 1 + random() % 5000)), text) << name << " #" << i;
      }
    }
  }
  EXPECT_GT(errors, 1000);
  EXPECT_GT(values, 1000);
}

}  // namespace
}  // namespace envsetup::binary
