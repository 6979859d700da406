// SPDX-License-Identifier: Apache-2.0
#include <envsetup/install/buffered_input.hpp>

#include <algorithm>
#include <cstring>

namespace envsetup::install {

namespace {

constexpr std::size_t k_read_size = std::size_t{1} << 20;

}  // namespace

util::Result<bool> BufferedInput::fill(std::size_t count)
{
  if (available() >= count) {
    return true;
  }
  if (m_begin > 0) {
    std::memmove(m_buffer.data(), m_buffer.data() + m_begin, available());
    m_end -= m_begin;
    m_begin = 0;
  }
  m_buffer.resize(std::max({m_buffer.size(), count, k_read_size}));
  while (available() < count && !m_ended) {
    auto got = m_source.read(reinterpret_cast<char*>(m_buffer.data() + m_end), m_buffer.size() - m_end);
    if (!got) {
      return std::move(got).error();
    }
    m_ended = *got == 0;
    m_end += *got;
  }
  return available() >= count;
}

util::Result<bool> BufferedInput::take(std::size_t count, std::uint8_t* out)
{
  const std::size_t buffered = std::min(count, available());
  if (buffered > 0) {
    std::memcpy(out, data(), buffered);
    consume(buffered);
  }
  for (std::size_t done = buffered; done < count;) {
    auto got = m_ended ? util::Result<std::size_t>(0) : m_source.read(reinterpret_cast<char*>(out + done), count - done);
    if (!got) {
      return std::move(got).error();
    }
    if (*got == 0) {
      m_ended = true;
      return false;
    }
    done += *got;
  }
  return true;
}

util::Result<std::size_t> BufferedInput::read_raw(char* buffer, std::size_t size)
{
  if (available() == 0) {
    return m_ended ? util::Result<std::size_t>(0) : m_source.read(buffer, size);
  }
  const std::size_t count = std::min(size, available());
  std::memcpy(buffer, data(), count);
  consume(count);
  return count;
}

}  // namespace envsetup::install
