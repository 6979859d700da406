// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/install/archive_stream.hpp>

#include <cstdint>
#include <vector>

namespace envsetup::install {

// Buffered reads from an ArchiveStream, with look-ahead: for parsing a container whose
// headers are small and whose payloads are large (those go straight to their buffer).
class BufferedInput {
public:
  explicit BufferedInput(ArchiveStream& source) : m_source(source) {}

  // Makes at least `count` bytes available at data(); false when the source ends first.
  [[nodiscard]] util::Result<bool> fill(std::size_t count);

  [[nodiscard]] const std::uint8_t* data() const { return m_buffer.data() + m_begin; }
  [[nodiscard]] std::size_t available() const { return m_end - m_begin; }
  void consume(std::size_t count) { m_begin += count < available() ? count : available(); }

  // Moves the next `count` bytes to `out`: the buffered ones, then straight from the source.
  // False when the source ends first.
  [[nodiscard]] util::Result<bool> take(std::size_t count, std::uint8_t* out);

  // The next bytes as they are, buffered ones first (for data that is not parsed).
  [[nodiscard]] util::Result<std::size_t> read_raw(char* buffer, std::size_t size);

private:
  ArchiveStream& m_source;
  std::vector<std::uint8_t> m_buffer;
  std::size_t m_begin = 0;
  std::size_t m_end = 0;
  bool m_ended = false;
};

}  // namespace envsetup::install
