// SPDX-License-Identifier: Apache-2.0
#include <envsetup/util/background_sha256.hpp>
#include <envsetup/util/sha256.hpp>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <stop_token>
#include <thread>
#include <vector>

namespace envsetup::util {

namespace {
constexpr std::size_t k_chunk = std::size_t{256} << 10;
}

// The queue holds chunks of up to k_chunk bytes; the worker (started by the first update)
// hashes the front chunk outside the lock and recycles its buffer. Destroying the State stops
// the worker (its jthread requests a stop, which wakes `changed`) once the queue is empty and
// joins it before any other member goes: `worker` is the last member.
struct BackgroundSha256::State {
  std::size_t max_queued;
  std::mutex mutex;
  std::condition_variable_any changed;  // _any: its waits also wake on the worker's stop
  std::deque<std::vector<char>> queue;
  std::vector<std::vector<char>> spare;
  std::size_t queued = 0;
  bool busy = false;  // the worker holds a chunk
  Sha256 hash;
  std::jthread worker;  // last: stopped and joined first

  explicit State(std::size_t limit) : max_queued(std::max(limit, k_chunk)) {}

  void run(const std::stop_token& stop)
  {
    std::unique_lock lock(mutex);
    for (;;) {
      changed.wait(lock, stop, [&] { return !queue.empty(); });
      if (queue.empty()) {
        return;  // stop requested and nothing left to hash
      }
      std::vector<char> chunk = std::move(queue.front());
      queue.pop_front();
      busy = true;
      lock.unlock();
      hash.update(chunk.data(), chunk.size());
      lock.lock();
      busy = false;
      queued -= chunk.size();
      chunk.clear();
      spare.push_back(std::move(chunk));
      changed.notify_all();
    }
  }

  void drain(std::unique_lock<std::mutex>& lock)
  {
    changed.wait(lock, [&] { return queue.empty() && !busy; });
  }
};

BackgroundSha256::BackgroundSha256(std::size_t max_queued) : m_state(std::make_unique<State>(max_queued)) {}

BackgroundSha256::~BackgroundSha256() = default;  // ~State stops and joins the worker

BackgroundSha256::BackgroundSha256(BackgroundSha256&&) noexcept = default;

BackgroundSha256& BackgroundSha256::operator=(BackgroundSha256&& other) noexcept
{
  if (this != &other) {
    BackgroundSha256 old(std::move(*this));
    m_state = std::move(other.m_state);
  }
  return *this;
}

void BackgroundSha256::update(const void* data, std::size_t size)
{
  const auto* bytes = static_cast<const char*>(data);
  if (!m_state->worker.joinable()) {
    m_state->worker = std::jthread([state = m_state.get()](const std::stop_token& stop) { state->run(stop); });
  }
  std::unique_lock lock(m_state->mutex);
  while (size > 0) {
    const std::size_t take = std::min(size, k_chunk);
    m_state->changed.wait(lock, [&] { return m_state->queued + take <= m_state->max_queued; });
    std::vector<char> chunk;
    if (!m_state->spare.empty()) {
      chunk = std::move(m_state->spare.back());
      m_state->spare.pop_back();
    }
    lock.unlock();
    chunk.assign(bytes, bytes + take);
    lock.lock();
    m_state->queue.push_back(std::move(chunk));
    m_state->queued += take;
    m_state->changed.notify_all();
    bytes += take;
    size -= take;
  }
}

void BackgroundSha256::reset()
{
  std::unique_lock lock(m_state->mutex);
  m_state->drain(lock);
  (void)m_state->hash.hex_digest();
}

std::string BackgroundSha256::hex_digest()
{
  std::unique_lock lock(m_state->mutex);
  m_state->drain(lock);
  return m_state->hash.hex_digest();
}

}  // namespace envsetup::util
