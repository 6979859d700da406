// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/binary/byte_source.hpp>
#include <envsetup/util/unique_fd.hpp>

#include <filesystem>

namespace envsetup::binary {

// A regular file read with pread(2) (never mapped): random access, the size fixed when opened.
class FileSource final : public ByteSource {
public:
  // Whether open() follows a symlink in the path's last component (a path the user named) or
  // refuses it (ELOOP: a file found by a walk, which handles links itself).
  enum class FinalLink { follow, refuse };
  // Opens `path` read-only without blocking on a FIFO. Errors: io (cannot open or stat),
  // input (not a regular file).
  [[nodiscard]] static util::Result<FileSource> open(const std::filesystem::path& path, FinalLink link);
  // Takes an open descriptor of a regular file (checked with fstat).
  [[nodiscard]] static util::Result<FileSource> adopt(util::UniqueFd fd);

  FileSource(FileSource&& other) noexcept = default;
  [[nodiscard]] util::Status read(std::uint64_t offset, std::span<std::byte> out) override;
  [[nodiscard]] std::uint64_t size() const override { return m_size; }
  [[nodiscard]] bool sequential() const override { return false; }
  // pread calls made so far (for measurements).
  [[nodiscard]] std::uint64_t reads() const { return m_reads; }

private:
  FileSource(util::UniqueFd fd, std::uint64_t size) : m_fd(std::move(fd)), m_size(size) {}

  util::UniqueFd m_fd;
  std::uint64_t m_size = 0;
  std::uint64_t m_reads = 0;
};

}  // namespace envsetup::binary
