// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/binary/byte_source.hpp>

#include <cstring>

namespace envsetup::binary {

// Reads a source front to back through a small read-ahead buffer, so that the many small
// headers of a fatbin cost few reads and a sequential source is never asked to go back.
// Contract: each read starts at or after the start of the previous one (after its end when it
// was larger than the read-ahead and so went to the source directly); anything else is an
// internal error. Read-ahead never goes past `limit` (callers pass the end of the region
// they are parsing) nor past the source's size.
class Cursor {
public:
  explicit Cursor(ByteSource& source, std::size_t read_ahead = 4096) : m_source(source), m_read_ahead(read_ahead) {}

  [[nodiscard]] util::Status read(std::uint64_t offset, std::span<std::byte> out, std::uint64_t limit);
  // The lowest offset the next read may start at.
  [[nodiscard]] std::uint64_t floor() const { return m_floor; }
  [[nodiscard]] ByteSource& source() { return m_source; }

private:
  ByteSource& m_source;
  std::size_t m_read_ahead;
  std::vector<std::byte> m_buffer;  // the bytes [m_start, m_start + m_buffer.size())
  std::uint64_t m_start = 0;
  std::uint64_t m_floor = 0;
};

// Little-endian fields of a header read into memory; `at + sizeof(T)` must lie inside `bytes`.
template <typename T>
[[nodiscard]] T load_le(std::span<const std::byte> bytes, std::size_t at)
{
  T value{};
  std::memcpy(&value, bytes.data() + at, sizeof value);  // x86-64 and aarch64 are little-endian
  return value;
}

}  // namespace envsetup::binary
