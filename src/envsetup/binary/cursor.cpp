// SPDX-License-Identifier: Apache-2.0
#include <envsetup/binary/cursor.hpp>

#include <envsetup/binary/hex.hpp>

#include <algorithm>

namespace envsetup::binary {

util::Status Cursor::read(std::uint64_t offset, std::span<std::byte> out, std::uint64_t limit)
{
  if (offset < m_floor) {
    return util::make_error(util::ErrorKind::internal,
                            "the binary parser went back from " + hex(m_floor) + " to " + hex(offset));
  }
  if (out.empty()) {
    return util::ok_status();
  }
  const std::uint64_t buffer_end = m_start + m_buffer.size();
  // The part already buffered: [offset, buffer_end).
  std::size_t have = 0;
  if (offset < buffer_end) {
    have = static_cast<std::size_t>(std::min<std::uint64_t>(buffer_end - offset, out.size()));
    std::memcpy(out.data(), m_buffer.data() + (offset - m_start), have);
    if (have == out.size()) {
      m_floor = offset;
      return util::ok_status();
    }
  }
  const std::uint64_t next = offset + have;  // == buffer_end when have > 0
  const std::size_t missing = out.size() - have;
  if (missing >= m_read_ahead) {
    ENVSETUP_TRY(m_source.read(next, out.subspan(have)));
    m_buffer.clear();
    m_start = m_floor = offset + out.size();
    return util::ok_status();
  }
  // Refill: keep [offset, buffer_end), then read ahead from `next` within the limit.
  const std::uint64_t end = std::min(m_source.size(), std::max(limit, next + missing));
  const auto ahead = static_cast<std::size_t>(
    std::max<std::uint64_t>(missing, std::min<std::uint64_t>(m_read_ahead, end > next ? end - next : 0)));
  std::vector<std::byte> fresh(have + ahead);
  std::memcpy(fresh.data(), out.data(), have);
  ENVSETUP_TRY(m_source.read(next, std::span(fresh).subspan(have)));
  m_buffer = std::move(fresh);
  m_start = m_floor = offset;
  std::memcpy(out.data() + have, m_buffer.data() + have, missing);
  return util::ok_status();
}

}  // namespace envsetup::binary
