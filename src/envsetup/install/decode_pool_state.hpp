// SPDX-License-Identifier: Apache-2.0
#pragma once
// The inside of DecodePool, shared by decode_pool.cpp and xz_decoder.cpp only.

#include <envsetup/install/xz_decoder.hpp>

#include <lzma.h>

#include <array>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

namespace envsetup::install {

// Memory from mmap, in huge pages where the system allows, never from malloc's arenas:
// blocks are large, and recycled between blocks (DecodePool::State::take) so their pages
// are faulted in once.
class PageBuffer {
public:
  PageBuffer() = default;
  explicit PageBuffer(std::size_t capacity);  // empty when the mapping fails
  ~PageBuffer();
  PageBuffer(PageBuffer&& other) noexcept;
  PageBuffer& operator=(PageBuffer&& other) noexcept;
  PageBuffer(const PageBuffer&) = delete;
  PageBuffer& operator=(const PageBuffer&) = delete;

  [[nodiscard]] std::uint8_t* data() { return m_data; }
  [[nodiscard]] const std::uint8_t* data() const { return m_data; }
  [[nodiscard]] std::size_t size() const { return m_size; }
  [[nodiscard]] std::size_t capacity() const { return m_capacity; }
  void set_size(std::size_t size) { m_size = size; }  // at most capacity()

private:
  void* m_mapping = nullptr;
  std::size_t m_mapping_size = 0;
  std::uint8_t* m_data = nullptr;
  std::size_t m_size = 0;
  std::size_t m_capacity = 0;
};

// What a failed liblzma block decode means, for messages.
[[nodiscard]] std::string describe_lzma_error(lzma_ret status);

// One .xz block to decode on the pool: its header through its check in `input`, decoded into
// `output` (sized from the header). The fields below `done` are guarded by State::mutex.
struct BlockJob {
  explicit BlockJob(DecodePool::State* state) : pool(state) { filters[0].id = LZMA_VLI_UNKNOWN; }
  ~BlockJob();
  BlockJob(const BlockJob&) = delete;
  BlockJob& operator=(const BlockJob&) = delete;

  DecodePool::State* pool;
  lzma_block block{};
  std::array<lzma_filter, LZMA_FILTERS_MAX + 1> filters{};
  PageBuffer input;
  PageBuffer output;
  std::string error;  // why decoding failed ("" when it did not)
  bool done = false;
  bool abandoned = false;     // its stream is gone: skip the work
  std::uint64_t reserved = 0;  // budget bytes it still holds
};

// Destroying the State (with the DecodePool, its only owner) stops the workers: each jthread
// requests a stop, which wakes `work`; a worker exits once the queue is empty, and is joined
// before any other member goes (`workers` is the last member). That holds as well when the
// DecodePool constructor throws after starting some of them.
struct DecodePool::State {
  std::mutex mutex;
  std::condition_variable_any work;  // a job was queued, or a worker's stop was requested
  std::condition_variable finished;  // a job is done
  std::deque<std::shared_ptr<BlockJob>> queue;
  std::uint64_t budget = 0;
  std::uint64_t reserved = 0;
  std::vector<PageBuffer> spare;  // buffers of finished blocks, for reuse; they count against
  std::uint64_t spare_bytes = 0;  // the budget too (reserved + spare_bytes <= budget)
  std::size_t live_streams = 0;   // decoding streams reading .xz data that has not ended
  bool parallel_allowed = true;
  std::uint64_t blocks_decoded = 0;
  std::vector<std::jthread> workers;  // last: stopped and joined first; written only by the constructor

  // True when parallel blocks are allowed and fewer .xz streams are being read than there
  // are threads: cores would idle with each stream decoding on its own thread, so blocks go
  // to the pool.
  bool has_idle_cores();
  void stream_started();
  void stream_ended();

  // Reserves `bytes` of the budget for `job` when they fit, or always when `force`.
  bool reserve(BlockJob& job, std::uint64_t bytes, bool force);
  // Gives back up to `bytes` of what `job` holds. Call with `mutex` held.
  void release_locked(BlockJob& job, std::uint64_t bytes);
  // A buffer of `size` bytes: a spare one when one is big enough, else a new mapping (empty
  // when that fails).
  PageBuffer take(std::size_t size);
  // Keeps `buffer` as a spare when the budget allows, else unmaps it. Call with `mutex` held.
  void recycle_locked(PageBuffer buffer);
  void submit(std::shared_ptr<BlockJob> job);
  // Waits until `job` is done.
  void wait(const BlockJob& job);
  // A worker's loop: decodes queued jobs until `stop` is requested and the queue is empty.
  void run_worker(const std::stop_token& stop);
};

}  // namespace envsetup::install
