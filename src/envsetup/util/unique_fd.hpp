// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <utility>

namespace envsetup::util {

// Owns a file descriptor; closes it on destruction. -1 means none.
class UniqueFd {
public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : m_fd(fd) {}
  ~UniqueFd();
  UniqueFd(UniqueFd&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  [[nodiscard]] int get() const { return m_fd; }
  [[nodiscard]] bool valid() const { return m_fd >= 0; }
  // Gives up ownership; the caller closes the descriptor.
  [[nodiscard]] int release() { return std::exchange(m_fd, -1); }
  // Closes now; false (errno set) when close fails, which can report a lost write.
  [[nodiscard]] bool close();

private:
  int m_fd = -1;
};

}  // namespace envsetup::util
