// SPDX-License-Identifier: Apache-2.0
#include <envsetup/binary/byte_source.hpp>

#include <envsetup/binary/hex.hpp>

#include <algorithm>
#include <cstring>

namespace envsetup::binary {

util::Error ByteSource::past_end(std::uint64_t offset, std::uint64_t length) const
{
  return util::make_error(util::ErrorKind::integrity, "bytes " + hex(offset) + "+" + hex(length) +
                                                        " end past the end of the file (" + hex(size()) + " bytes)")
    .with_hint(k_corrupt_hint);
}

namespace {

bool inside(std::uint64_t offset, std::uint64_t length, std::uint64_t size)
{
  return offset <= size && length <= size - offset;
}

}  // namespace

util::Status MemorySource::read(std::uint64_t offset, std::span<std::byte> out)
{
  if (!inside(offset, out.size(), m_bytes.size())) {
    return past_end(offset, out.size());
  }
  if (!out.empty()) {
    std::memcpy(out.data(), m_bytes.data() + offset, out.size());
  }
  return util::ok_status();
}

util::Status WindowSource::read(std::uint64_t offset, std::span<std::byte> out)
{
  if (m_base.sequential()) {
    return util::make_error(util::ErrorKind::internal, "a window over a sequential source cannot be read");
  }
  if (!inside(offset, out.size(), m_size)) {
    return past_end(offset, out.size());
  }
  return m_base.read(m_offset + offset, out);
}

util::Status PullSource::pull_exactly(std::span<std::byte> out)
{
  while (!out.empty()) {
    auto got = m_pull(out);
    if (!got.ok()) {
      return std::move(got).error();
    }
    if (*got == 0 || *got > out.size()) {
      return util::make_error(util::ErrorKind::integrity, "the stream ended after " + hex(m_position) +
                                                            " of its declared " + hex(m_size) + " bytes")
        .with_hint(k_corrupt_hint);
    }
    m_position += *got;
    out = out.subspan(*got);
  }
  return util::ok_status();
}

util::Status PullSource::read(std::uint64_t offset, std::span<std::byte> out)
{
  if (offset < m_position) {
    return util::make_error(util::ErrorKind::internal,
                            "a sequential source was asked to go back from " + hex(m_position) + " to " + hex(offset));
  }
  if (!inside(offset, out.size(), m_size)) {
    return past_end(offset, out.size());
  }
  constexpr std::size_t k_scratch = 64 * 1024;
  while (m_position < offset) {
    m_scratch.resize(k_scratch);
    const auto skip = static_cast<std::size_t>(std::min<std::uint64_t>(offset - m_position, k_scratch));
    ENVSETUP_TRY(pull_exactly(std::span(m_scratch).first(skip)));
  }
  return pull_exactly(out);
}

}  // namespace envsetup::binary
