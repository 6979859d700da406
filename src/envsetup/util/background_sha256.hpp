// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace envsetup::util {

// SHA-256 of a byte stream computed on a thread of its own, so that the thread receiving the
// stream only copies bytes (a download hashes at network speed, not at one core's SHA speed).
// `update` copies the bytes into a queue of at most `max_queued` bytes and blocks while the
// queue is full (the memory it uses is bounded whatever the stream's length). Used from one
// thread at a time; movable.
class BackgroundSha256 {
public:
  explicit BackgroundSha256(std::size_t max_queued = std::size_t{4} << 20);
  ~BackgroundSha256();
  BackgroundSha256(BackgroundSha256&&) noexcept;
  BackgroundSha256& operator=(BackgroundSha256&&) noexcept;
  BackgroundSha256(const BackgroundSha256&) = delete;
  BackgroundSha256& operator=(const BackgroundSha256&) = delete;

  void update(const void* data, std::size_t size);
  // Forgets everything fed so far (a download that starts over).
  void reset();
  // Waits for the queued bytes, returns the lower-case hex digest of everything fed since the
  // last reset or digest, and starts over.
  [[nodiscard]] std::string hex_digest();

private:
  struct State;
  std::unique_ptr<State> m_state;
};

}  // namespace envsetup::util
