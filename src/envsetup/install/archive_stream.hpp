// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/util/error.hpp>

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <utility>

namespace envsetup::install {

// The bytes of an archive, possibly still arriving (a download in progress). `read` fills
// `buffer` with 1 to `size` bytes and returns how many, blocking until some arrive; 0 means
// the archive ended; an error stops the extraction.
class ArchiveStream {
public:
  virtual ~ArchiveStream() = default;
  [[nodiscard]] virtual util::Result<std::size_t> read(char* buffer, std::size_t size) = 0;

  // Like read, but may point `data` at bytes the stream holds instead of copying them into
  // `scratch`; they stay valid until the next call. By default, read into `scratch`.
  [[nodiscard]] virtual util::Result<std::size_t> next(const char*& data, std::span<char> scratch)
  {
    data = scratch.data();
    return read(scratch.data(), scratch.size());
  }
};

// An ArchiveStream over an open file descriptor (not owned), read from its current offset.
// `shown` names the file in errors.
class FdArchiveStream : public ArchiveStream {
public:
  FdArchiveStream(int fd, std::string shown) : m_fd(fd), m_shown(std::move(shown)) {}
  [[nodiscard]] util::Result<std::size_t> read(char* buffer, std::size_t size) override;

private:
  int m_fd;
  std::string m_shown;
};

// The decoded bytes of `source`, which must be .xz data and nothing else: one or more .xz
// streams with the stream padding the format allows, no byte after the last one. Decoded on
// the reading thread by liblzma, as the bytes are read; every block check, index and footer is
// verified; a block needing more than k_max_decoder_memory (xz_decoder.hpp) is refused, as
// is an integrity check this liblzma cannot verify. Once it has returned 0 (the end), it keeps
// returning 0. Errors: `source`'s own as they are; anything else (not .xz, corrupt, truncated,
// bytes after the last stream) is an integrity error "cannot read archive `shown`" with the
// reason. The libarchive-free path for ArchiveKind::tar_xz without a DecodePool.
[[nodiscard]] std::unique_ptr<ArchiveStream> xz_stream(ArchiveStream& source, std::string shown);

}  // namespace envsetup::install
