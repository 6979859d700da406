// SPDX-License-Identifier: Apache-2.0
#pragma once
// Parallel .xz decoding: the blocks of every archive being extracted are decoded on one shared
// pool of threads, so all cores stay busy until the last archive ends (one big archive
// included), with the memory the blocks in flight use capped for the whole process.

#include <envsetup/install/archive_stream.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace envsetup::install {

// Threads that decode .xz blocks for any number of decoding streams. The pool must outlive
// every stream made with it.
class DecodePool {
public:
  // `threads` 0 means one per core. `memory_budget` caps the bytes that the blocks in flight
  // hold (compressed input until decoded, output until read): a stream may always have one
  // block in flight, so each stream can make progress whatever the others hold.
  explicit DecodePool(std::size_t threads = 0, std::uint64_t memory_budget = k_default_budget);
  ~DecodePool();
  DecodePool(const DecodePool&) = delete;
  DecodePool& operator=(const DecodePool&) = delete;

  [[nodiscard]] std::size_t threads() const;

  // While off, every block is decoded on its stream's reading thread, as if the pool were
  // busy (for phases when memory and cores go to something else, such as downloads). On by
  // default; takes effect from the next block each stream reads.
  void allow_parallel_blocks(bool allowed);

  // How many blocks the pool's threads have decoded so far.
  [[nodiscard]] std::uint64_t blocks_decoded() const;

  // Two blocks of `xz -T0 -3` (12 MiB out, up to 12 MiB in) decoding at once.
  static constexpr std::uint64_t k_default_budget = std::uint64_t{52} << 20;

  struct State;

private:
  friend std::unique_ptr<ArchiveStream> decoding_stream(ArchiveStream& source, DecodePool& pool, std::string shown,
                                                        bool xz_only);
  std::shared_ptr<State> m_state;
};

// What `source` holds, decoded: when it starts with the .xz magic bytes, the decoded bytes of
// its streams; otherwise its bytes unchanged. A block is decoded on the reading thread, as it
// is read, with small buffers (the cheapest way, when every core already decodes a stream of
// its own), unless fewer .xz streams are being read than `pool` has threads: then blocks
// whose header records both sizes (what multi-threaded xz writes) and that fit the pool's
// budget are decoded ahead on the pool, at most threads()+1 per stream, so one archive left
// alone still uses every core. The choice is made block by block. The memory a block's
// filters need (the LZMA2 dictionary) is capped at k_max_decoder_memory. Every block's check,
// the index and the stream footer are verified.
// Bytes after the last stream (other than stream padding) are refused once the stream is
// read to its end. With `xz_only`, `source` must be .xz data: other bytes (or none) are
// refused instead of passed on.
// Errors: `source`'s own errors are returned as they are; corrupt or truncated .xz data (or,
// with `xz_only`, not .xz data) is an integrity error "cannot read archive `shown`" with the
// reason.
[[nodiscard]] std::unique_ptr<ArchiveStream> decoding_stream(ArchiveStream& source, DecodePool& pool,
                                                             std::string shown, bool xz_only = false);

inline constexpr std::uint64_t k_max_decoder_memory = std::uint64_t{512} << 20;

// The first bytes of every .xz stream.
inline constexpr unsigned char k_xz_magic[] = {0xFD, '7', 'z', 'X', 'Z', 0x00};

}  // namespace envsetup::install
