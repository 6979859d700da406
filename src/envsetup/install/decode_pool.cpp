// SPDX-License-Identifier: Apache-2.0
// The shared block-decoding threads of DecodePool and their memory budget.
#include <envsetup/install/decode_pool_state.hpp>

#include <algorithm>
#include <cstdint>
#include <utility>

#include <sys/mman.h>

namespace envsetup::install {

std::string describe_lzma_error(lzma_ret status)
{
  switch (status) {
  case LZMA_DATA_ERROR: return "the compressed data is corrupt";
  case LZMA_OPTIONS_ERROR: return "the block uses options this liblzma does not support";
  case LZMA_MEM_ERROR: return "out of memory";
  case LZMA_BUF_ERROR: return "the block's data does not match the sizes in its header";
  default: return "liblzma error " + std::to_string(static_cast<int>(status));
  }
}

namespace {

// Decodes `job.input` into `job.output`; sets `job.error` on failure.
void decode(BlockJob& job)
{
  std::size_t in_position = job.block.header_size;
  std::size_t out_position = 0;
  const lzma_ret status = lzma_block_buffer_decode(&job.block, nullptr, job.input.data(), &in_position,
                                                   job.input.size(), job.output.data(), &out_position,
                                                   job.output.size());
  if (status != LZMA_OK) {
    job.error = describe_lzma_error(status);
  } else if (in_position != job.input.size() || out_position != job.output.size()) {
    job.error = describe_lzma_error(LZMA_BUF_ERROR);
  }
}

}  // namespace

PageBuffer::PageBuffer(std::size_t capacity)
{
  if (capacity == 0) {
    return;
  }
  // Aligned to huge pages and marked for them: a block's buffer then faults in a few times,
  // not thousands (transparent huge pages in "madvise" mode; a hint elsewhere).
  constexpr std::size_t huge = std::size_t{2} << 20;
  const std::size_t length = (capacity + huge - 1) / huge * huge + huge;
  void* mapped = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) {
    return;
  }
  m_mapping = mapped;
  m_mapping_size = length;
  // Advanced within the mapping (not rebuilt from an integer): the pointer keeps its provenance.
  const auto misalignment = reinterpret_cast<std::uintptr_t>(mapped) % huge;
  m_data = static_cast<std::uint8_t*>(mapped) + (misalignment == 0 ? 0 : huge - misalignment);
  static_cast<void>(::madvise(m_data, length - huge, MADV_HUGEPAGE));
  m_capacity = capacity;
  m_size = capacity;
}

PageBuffer::~PageBuffer()
{
  if (m_mapping != nullptr) {
    ::munmap(m_mapping, m_mapping_size);
  }
}

PageBuffer::PageBuffer(PageBuffer&& other) noexcept
  : m_mapping(std::exchange(other.m_mapping, nullptr)), m_mapping_size(std::exchange(other.m_mapping_size, 0)),
    m_data(std::exchange(other.m_data, nullptr)), m_size(std::exchange(other.m_size, 0)),
    m_capacity(std::exchange(other.m_capacity, 0))
{
}

PageBuffer& PageBuffer::operator=(PageBuffer&& other) noexcept
{
  if (this != &other) {
    PageBuffer old(std::move(*this));
    m_mapping = std::exchange(other.m_mapping, nullptr);
    m_mapping_size = std::exchange(other.m_mapping_size, 0);
    m_data = std::exchange(other.m_data, nullptr);
    m_size = std::exchange(other.m_size, 0);
    m_capacity = std::exchange(other.m_capacity, 0);
  }
  return *this;
}

BlockJob::~BlockJob()
{
  {
    const std::lock_guard lock(pool->mutex);
    pool->release_locked(*this, reserved);
    pool->recycle_locked(std::move(input));
    pool->recycle_locked(std::move(output));
  }
  lzma_filters_free(filters.data(), nullptr);
}

PageBuffer DecodePool::State::take(std::size_t size)
{
  {
    const std::lock_guard lock(mutex);
    // The smallest spare that fits.
    auto best = spare.end();
    for (auto it = spare.begin(); it != spare.end(); ++it) {
      if (it->capacity() >= size && (best == spare.end() || it->capacity() < best->capacity())) {
        best = it;
      }
    }
    if (best != spare.end()) {
      PageBuffer buffer = std::move(*best);
      spare.erase(best);
      spare_bytes -= buffer.capacity();
      buffer.set_size(size);
      return buffer;
    }
  }
  return PageBuffer(size);
}

void DecodePool::State::recycle_locked(PageBuffer buffer)
{
  if (buffer.capacity() == 0 || reserved + spare_bytes + buffer.capacity() > budget) {
    return;  // unmapped here
  }
  spare_bytes += buffer.capacity();
  spare.push_back(std::move(buffer));
}

bool DecodePool::State::reserve(BlockJob& job, std::uint64_t bytes, bool force)
{
  const std::lock_guard lock(mutex);
  if (!force && reserved + bytes > budget) {
    return false;
  }
  reserved += bytes;
  job.reserved += bytes;
  return true;
}

void DecodePool::State::release_locked(BlockJob& job, std::uint64_t bytes)
{
  bytes = std::min(bytes, job.reserved);
  job.reserved -= bytes;
  reserved -= bytes;
}

bool DecodePool::State::has_idle_cores()
{
  const std::lock_guard lock(mutex);
  return parallel_allowed && live_streams < workers.size();
}

void DecodePool::State::stream_started()
{
  const std::lock_guard lock(mutex);
  ++live_streams;
}

void DecodePool::State::stream_ended()
{
  const std::lock_guard lock(mutex);
  --live_streams;
}

void DecodePool::State::submit(std::shared_ptr<BlockJob> job)
{
  {
    const std::lock_guard lock(mutex);
    queue.push_back(std::move(job));
  }
  work.notify_one();
}

void DecodePool::State::wait(const BlockJob& job)
{
  std::unique_lock lock(mutex);
  finished.wait(lock, [&] { return job.done; });
}

void DecodePool::State::run_worker(const std::stop_token& stop)
{
  std::unique_lock lock(mutex);
  while (true) {
    work.wait(lock, stop, [&] { return !queue.empty(); });
    if (queue.empty()) {
      return;  // stop requested and no job left
    }
    std::shared_ptr<BlockJob> job = std::move(queue.front());
    queue.pop_front();
    const bool skip = job->abandoned;
    lock.unlock();
    if (!skip) {
      decode(*job);
    }
    lock.lock();
    blocks_decoded += skip ? 0 : 1;
    release_locked(*job, job->input.size());
    recycle_locked(std::move(job->input));
    job->done = true;
    lock.unlock();
    finished.notify_all();
    job.reset();  // may run ~BlockJob, which locks
    lock.lock();
  }
}

DecodePool::DecodePool(std::size_t threads, std::uint64_t memory_budget) : m_state(std::make_shared<State>())
{
  if (threads == 0) {
    threads = std::max(1U, std::thread::hardware_concurrency());
  }
  m_state->budget = memory_budget;
  m_state->workers.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    m_state->workers.emplace_back(
      [state = m_state.get()](const std::stop_token& stop) { state->run_worker(stop); });
  }
}

// Releasing the State stops its workers after the queued jobs and joins them (see State).
DecodePool::~DecodePool() = default;

void DecodePool::allow_parallel_blocks(bool allowed)
{
  const std::lock_guard lock(m_state->mutex);
  m_state->parallel_allowed = allowed;
}

std::uint64_t DecodePool::blocks_decoded() const
{
  const std::lock_guard lock(m_state->mutex);
  return m_state->blocks_decoded;
}

std::size_t DecodePool::threads() const
{
  return m_state->workers.size();
}

}  // namespace envsetup::install
