// SPDX-License-Identifier: Apache-2.0
#include <envsetup/util/unique_fd.hpp>

#include <unistd.h>

namespace envsetup::util {

UniqueFd::~UniqueFd()
{
  static_cast<void>(close());
}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept
{
  if (this != &other) {
    static_cast<void>(close());
    m_fd = std::exchange(other.m_fd, -1);
  }
  return *this;
}

bool UniqueFd::close()
{
  if (m_fd < 0) {
    return true;
  }
  return ::close(std::exchange(m_fd, -1)) == 0;
}

}  // namespace envsetup::util
