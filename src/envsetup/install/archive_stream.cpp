// SPDX-License-Identifier: Apache-2.0
#include <envsetup/install/archive_stream.hpp>

#include <envsetup/install/decode_pool_state.hpp>

#include <cerrno>
#include <cstring>
#include <vector>

#include <lzma.h>
#include <unistd.h>

namespace envsetup::install {

namespace {

// .xz data decoded with liblzma's single-threaded stream decoder, concatenated streams and
// stream padding allowed, anything after them refused (LZMA_CONCATENATED with LZMA_FINISH).
class LzmaDecodingStream : public ArchiveStream {
public:
  LzmaDecodingStream(ArchiveStream& source, std::string shown) : m_source(source), m_shown(std::move(shown)) {}
  ~LzmaDecodingStream() override { lzma_end(&m_decoder); }
  LzmaDecodingStream(const LzmaDecodingStream&) = delete;
  LzmaDecodingStream& operator=(const LzmaDecodingStream&) = delete;

  util::Result<std::size_t> read(char* buffer, std::size_t size) override
  {
    if (m_ended || size == 0) {
      return std::size_t{0};
    }
    if (!m_started) {
      const lzma_ret started = lzma_stream_decoder(&m_decoder, k_max_decoder_memory,
                                                   LZMA_CONCATENATED | LZMA_TELL_UNSUPPORTED_CHECK);
      if (started != LZMA_OK) {
        return corrupt(describe(started));
      }
      m_started = true;
    }
    m_decoder.next_out = reinterpret_cast<std::uint8_t*>(buffer);
    m_decoder.avail_out = size;
    while (m_decoder.avail_out == size) {
      if (m_decoder.avail_in == 0 && !m_source_ended) {
        const char* data = nullptr;
        auto got = m_source.next(data, m_input);
        if (!got) {
          return std::move(got).error();
        }
        m_source_ended = *got == 0;
        m_decoder.next_in = reinterpret_cast<const std::uint8_t*>(data);
        m_decoder.avail_in = *got;
      }
      const lzma_ret status = lzma_code(&m_decoder, m_source_ended ? LZMA_FINISH : LZMA_RUN);
      if (status == LZMA_STREAM_END) {
        m_ended = true;
        break;
      }
      if (status != LZMA_OK) {
        return corrupt(describe(status));
      }
    }
    return size - m_decoder.avail_out;
  }

private:
  [[nodiscard]] static std::string describe(lzma_ret status)
  {
    switch (status) {
    case LZMA_FORMAT_ERROR: return "it is not .xz data (it does not start with the .xz magic bytes)";
    case LZMA_DATA_ERROR: return "the compressed data is corrupt, or bytes follow the last stream";
    case LZMA_BUF_ERROR: return "the data ends inside a stream (truncated)";
    case LZMA_UNSUPPORTED_CHECK: return "the stream uses an integrity check this liblzma does not support";
    case LZMA_MEMLIMIT_ERROR:
      return "a block needs more than the " + std::to_string(k_max_decoder_memory >> 20) + " MiB allowed to decode";
    default: return describe_lzma_error(status);
    }
  }

  [[nodiscard]] util::Error corrupt(const std::string& reason) const
  {
    return util::make_error(util::ErrorKind::integrity, "cannot read archive `" + m_shown + "`")
      .with_cause("invalid .xz data: " + reason);
  }

  ArchiveStream& m_source;
  std::string m_shown;
  std::vector<char> m_input = std::vector<char>(std::size_t{1} << 16);
  lzma_stream m_decoder = LZMA_STREAM_INIT;
  bool m_started = false;
  bool m_source_ended = false;
  bool m_ended = false;
};

}  // namespace

util::Result<std::size_t> FdArchiveStream::read(char* buffer, std::size_t size)
{
  while (true) {
    const ssize_t got = ::read(m_fd, buffer, size);
    if (got >= 0) {
      return static_cast<std::size_t>(got);
    }
    if (errno != EINTR) {
      return util::make_error(util::ErrorKind::io, "cannot read archive `" + m_shown + "`")
        .with_cause(std::strerror(errno));
    }
  }
}

std::unique_ptr<ArchiveStream> xz_stream(ArchiveStream& source, std::string shown)
{
  return std::make_unique<LzmaDecodingStream>(source, std::move(shown));
}

}  // namespace envsetup::install
