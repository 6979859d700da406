// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/util/error.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace envsetup::binary {

// The bytes of one file, read by offset. read() fills `out` completely or fails: kind
// integrity when [offset, offset + out.size()) ends past size() (the file is shorter than its
// headers say), io when the storage fails. A sequential source accepts only non-decreasing
// offsets; going back is a bug of the caller (kind internal).
class ByteSource {
public:
  ByteSource() = default;
  ByteSource(const ByteSource&) = delete;
  ByteSource& operator=(const ByteSource&) = delete;
  virtual ~ByteSource() = default;

  [[nodiscard]] virtual util::Status read(std::uint64_t offset, std::span<std::byte> out) = 0;
  [[nodiscard]] virtual std::uint64_t size() const = 0;
  [[nodiscard]] virtual bool sequential() const = 0;

protected:
  ByteSource(ByteSource&&) noexcept = default;  // for sources returned in a Result
  ByteSource& operator=(ByteSource&&) noexcept = default;

  // The integrity error for a read of [offset, offset + length) past size().
  [[nodiscard]] util::Error past_end(std::uint64_t offset, std::uint64_t length) const;
};

// Bytes in memory (borrowed: the span must outlive the source).
class MemorySource final : public ByteSource {
public:
  explicit MemorySource(std::span<const std::byte> bytes) : m_bytes(bytes) {}
  [[nodiscard]] util::Status read(std::uint64_t offset, std::span<std::byte> out) override;
  [[nodiscard]] std::uint64_t size() const override { return m_bytes.size(); }
  [[nodiscard]] bool sequential() const override { return false; }

private:
  std::span<const std::byte> m_bytes;
};

// [offset, offset + size) of a random-access source, read as a file of its own (e.g. a cubin
// inside a fatbin). The window must lie inside the base (checked by the caller); the base
// must outlive the window. Over a sequential base every read is an internal error.
class WindowSource final : public ByteSource {
public:
  WindowSource(ByteSource& base, std::uint64_t offset, std::uint64_t size)
    : m_base(base), m_offset(offset), m_size(size)
  {
  }
  [[nodiscard]] util::Status read(std::uint64_t offset, std::span<std::byte> out) override;
  [[nodiscard]] std::uint64_t size() const override { return m_size; }
  [[nodiscard]] bool sequential() const override { return false; }

private:
  ByteSource& m_base;
  std::uint64_t m_offset;
  std::uint64_t m_size;
};

// A stream of `size` declared bytes (a zip entry being decompressed): `pull` fills a prefix of
// its argument and returns how many bytes it wrote, 0 at the end. read() discards the bytes
// before `offset`; a stream that ends before the declared size is an integrity error.
class PullSource final : public ByteSource {
public:
  using Pull = std::function<util::Result<std::size_t>(std::span<std::byte>)>;
  PullSource(Pull pull, std::uint64_t size) : m_pull(std::move(pull)), m_size(size) {}
  [[nodiscard]] util::Status read(std::uint64_t offset, std::span<std::byte> out) override;
  [[nodiscard]] std::uint64_t size() const override { return m_size; }
  [[nodiscard]] bool sequential() const override { return true; }
  // Bytes pulled so far (read or discarded).
  [[nodiscard]] std::uint64_t position() const { return m_position; }

private:
  [[nodiscard]] util::Status pull_exactly(std::span<std::byte> out);

  Pull m_pull;
  std::uint64_t m_size;
  std::uint64_t m_position = 0;
  std::vector<std::byte> m_scratch;
};

}  // namespace envsetup::binary
