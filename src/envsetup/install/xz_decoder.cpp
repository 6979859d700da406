// SPDX-License-Identifier: Apache-2.0
// The .xz container, read block by block: a block whose header records its sizes goes to the
// DecodePool while cores would otherwise idle; every other block is decoded on the reading
// thread as its bytes arrive ("inline"). The index and footer of each stream are checked
// against the blocks read. Format: https://tukaani.org/xz/xz-file-format.txt
#include <envsetup/install/buffered_input.hpp>
#include <envsetup/install/decode_pool_state.hpp>

#include <algorithm>
#include <cstring>

namespace envsetup::install {

namespace {

constexpr std::size_t k_stream_header_size = 12;  // also the footer's
constexpr std::uint64_t k_index_memory = std::uint64_t{64} << 20;

struct IndexFree {
  void operator()(lzma_index* index) const { lzma_index_end(index, nullptr); }
};
using IndexPtr = std::unique_ptr<lzma_index, IndexFree>;

bool same_blocks(const lzma_index* listed, const lzma_index* read)
{
  lzma_index_iter a;
  lzma_index_iter b;
  lzma_index_iter_init(&a, listed);
  lzma_index_iter_init(&b, read);
  while (true) {
    const bool a_ended = lzma_index_iter_next(&a, LZMA_INDEX_ITER_BLOCK) != 0;
    const bool b_ended = lzma_index_iter_next(&b, LZMA_INDEX_ITER_BLOCK) != 0;
    if (a_ended || b_ended) {
      return a_ended == b_ended;
    }
    if (a.block.unpadded_size != b.block.unpadded_size || a.block.uncompressed_size != b.block.uncompressed_size) {
      return false;
    }
  }
}

class XzDecodingStream : public ArchiveStream {
public:
  XzDecodingStream(ArchiveStream& source, DecodePool::State& pool, std::size_t ahead, std::string shown,
                   bool xz_only)
    : m_input(source), m_pool(pool), m_ahead(ahead), m_shown(std::move(shown)), m_xz_only(xz_only)
  {
  }

  ~XzDecodingStream() override
  {
    {
      const std::lock_guard lock(m_pool.mutex);
      for (auto& pending : m_pending) {
        pending.job->abandoned = true;
      }
    }
    m_pending.clear();
    m_current.reset();
    lzma_end(&m_inline);
    set_live(false);
  }

  XzDecodingStream(const XzDecodingStream&) = delete;
  XzDecodingStream& operator=(const XzDecodingStream&) = delete;

  util::Result<std::size_t> read(char* buffer, std::size_t size) override
  {
    return produce(buffer, size, nullptr);
  }

  util::Result<std::size_t> next(const char*& data, std::span<char> scratch) override
  {
    data = scratch.data();
    return produce(scratch.data(), scratch.size(), &data);
  }

private:
  // The next bytes: copied into `buffer`, or, when `view` is given and a decoded block is at
  // hand, all its remaining bytes pointed at by *view (kept until the next call).
  util::Result<std::size_t> produce(char* buffer, std::size_t size, const char** view)
  {
    if (!m_sniffed) {
      auto whole = m_input.fill(sizeof k_xz_magic);
      if (!whole) {
        return std::move(whole).error();
      }
      m_xz = *whole && std::memcmp(m_input.data(), k_xz_magic, sizeof k_xz_magic) == 0;
      m_sniffed = true;
      set_live(m_xz);
    }
    if (!m_xz && m_xz_only) {
      return corrupt("it is not .xz data (it does not start with the .xz magic bytes)");
    }
    if (!m_xz) {
      return m_input.read_raw(buffer, size);
    }
    while (size > 0) {
      if (m_current) {
        const std::size_t left = m_current->output.size() - m_offset;
        if (left > 0) {
          const auto* from = reinterpret_cast<const char*>(m_current->output.data()) + m_offset;
          const std::size_t count = view != nullptr ? left : std::min(size, left);
          if (view != nullptr) {
            *view = from;
          } else {
            std::memcpy(buffer, from, count);
          }
          m_offset += count;
          return count;
        }
        m_current.reset();  // gives its memory back to the pool
      }
      ENVSETUP_TRY(read_ahead());
      if (m_pending.empty()) {
        return std::size_t{0};
      }
      if (m_pending.front().inline_block) {
        auto got = decode_inline(buffer, size);
        if (!got || *got > 0) {
          return got;
        }
        continue;
      }
      m_pool.wait(*m_pending.front().job);
      m_current = std::move(m_pending.front().job);
      m_pending.pop_front();
      m_offset = 0;
      if (!m_current->error.empty()) {
        const std::string reason = m_current->error;
        m_current.reset();
        return corrupt(reason);
      }
    }
    return std::size_t{0};
  }

  struct Pending {
    std::shared_ptr<BlockJob> job;
    bool inline_block = false;  // decoded by decode_inline as its bytes are read
  };

  enum class Phase { stream_header, blocks, ended };

  // Reads stream headers, block headers and indexes until m_ahead blocks are pending, the
  // budget is used up, an inline block is pending, or the data ends.
  util::Status read_ahead()
  {
    while (m_phase != Phase::ended && m_pending.size() < m_ahead &&
           (m_pending.empty() || !m_pending.back().inline_block)) {
      if (m_phase == Phase::stream_header) {
        ENVSETUP_TRY(read_stream_header());
        continue;
      }
      ENVSETUP_TRY(need(1, "a block header"));
      if (m_input.data()[0] == 0x00) {
        ENVSETUP_TRY(read_index());
        continue;
      }
      auto queued = read_block();
      if (!queued) {
        return std::move(queued).error();
      }
      if (!*queued) {
        break;  // the budget is full: read what is decoded first
      }
    }
    return util::ok_status();
  }

  util::Status read_stream_header()
  {
    ENVSETUP_TRY(need(k_stream_header_size, "a stream header"));
    const lzma_ret status = lzma_stream_header_decode(&m_flags, m_input.data());
    if (status != LZMA_OK) {
      return corrupt(status == LZMA_FORMAT_ERROR  ? "unexpected bytes after the last stream"
                     : status == LZMA_DATA_ERROR ? "a stream header is corrupt"
                                                 : "a stream header has flags this liblzma does not support");
    }
    if (lzma_check_is_supported(m_flags.check) == 0) {
      return corrupt("the stream uses an integrity check this liblzma does not support");
    }
    m_input.consume(k_stream_header_size);
    m_records.reset(lzma_index_init(nullptr));
    if (m_records == nullptr) {
      return corrupt("out of memory");
    }
    m_phase = Phase::blocks;
    return util::ok_status();
  }

  // Queues the next block. False, with nothing consumed, when it must wait for budget.
  util::Result<bool> read_block()
  {
    const std::uint32_t header_size = lzma_block_header_size_decode(m_input.data()[0]);
    ENVSETUP_TRY(need(header_size, "a block header"));
    auto job = std::make_shared<BlockJob>(&m_pool);
    job->block.version = 1;
    job->block.check = m_flags.check;
    job->block.filters = job->filters.data();
    job->block.header_size = header_size;
    const lzma_ret status = lzma_block_header_decode(&job->block, nullptr, m_input.data());
    if (status != LZMA_OK) {
      return corrupt(status == LZMA_OPTIONS_ERROR ? "a block uses filters this liblzma does not support"
                                                  : "a block header is corrupt");
    }
    const std::uint64_t memory = lzma_raw_decoder_memusage(job->filters.data());
    if (memory > k_max_decoder_memory) {
      return corrupt("a block needs " + std::to_string(memory >> 20) + " MiB to decode, more than the " +
                     std::to_string(k_max_decoder_memory >> 20) + " MiB allowed");
    }
    const std::uint64_t total = lzma_block_total_size(&job->block);  // 0 when not in the header
    const std::uint64_t output = job->block.uncompressed_size;
    const bool sized = total != 0 && output != LZMA_VLI_UNKNOWN && output != 0;
    if (!sized || total + output > m_pool.budget || !m_pool.has_idle_cores()) {
      m_input.consume(header_size);
      m_pending.push_back({std::move(job), true});
      return true;
    }
    if (!m_pool.reserve(*job, total + output, m_pending.empty())) {
      return false;
    }
    job->input = m_pool.take(total);
    job->output = m_pool.take(output);
    if (job->input.size() != total || job->output.size() != output) {
      return corrupt("out of memory for a block of " + std::to_string((total + output) >> 20) + " MiB");
    }
    auto whole = m_input.take(total, job->input.data());
    if (!whole) {
      return std::move(whole).error();
    }
    if (!*whole) {
      return corrupt("the data ends inside a block (truncated)");
    }
    ENVSETUP_TRY(record(job->block));
    m_pending.push_back({job, false});
    m_pool.submit(std::move(job));
    return true;
  }

  util::Result<std::size_t> decode_inline(char* buffer, std::size_t size)
  {
    BlockJob& job = *m_pending.front().job;
    if (!m_inline_started) {
      if (lzma_block_decoder(&m_inline, &job.block) != LZMA_OK) {
        return corrupt("cannot start decoding a block");
      }
      m_inline_started = true;
    }
    m_inline.next_out = reinterpret_cast<std::uint8_t*>(buffer);
    m_inline.avail_out = size;
    while (m_inline.avail_out == size) {
      if (m_input.available() == 0) {
        ENVSETUP_TRY(need(1, "a block"));
      }
      m_inline.next_in = m_input.data();
      m_inline.avail_in = m_input.available();
      const lzma_ret status = lzma_code(&m_inline, LZMA_RUN);
      m_input.consume(m_input.available() - m_inline.avail_in);
      if (status == LZMA_STREAM_END) {
        ENVSETUP_TRY(record(job.block));
        m_inline_started = false;
        m_pending.pop_front();
        break;
      }
      if (status != LZMA_OK) {
        return corrupt(describe_lzma_error(status));
      }
    }
    return size - m_inline.avail_out;
  }

  // Reads the index and footer ending a stream, checks them against the blocks read, and
  // skips the stream padding after them.
  util::Status read_index()
  {
    lzma_index* listed_raw = nullptr;
    lzma_stream decoder = LZMA_STREAM_INIT;
    if (lzma_index_decoder(&decoder, &listed_raw, k_index_memory) != LZMA_OK) {
      return corrupt("cannot start decoding the index");
    }
    lzma_ret status = LZMA_OK;
    while (status == LZMA_OK) {
      if (auto more = need(1, "the index"); !more) {
        lzma_end(&decoder);
        return more;
      }
      decoder.next_in = m_input.data();
      decoder.avail_in = m_input.available();
      status = lzma_code(&decoder, LZMA_RUN);
      m_input.consume(m_input.available() - decoder.avail_in);
    }
    lzma_end(&decoder);
    if (status != LZMA_STREAM_END) {
      return corrupt("the index is corrupt");
    }
    const IndexPtr listed(listed_raw);
    ENVSETUP_TRY(need(k_stream_header_size, "the stream footer"));
    lzma_stream_flags footer{};
    if (lzma_stream_footer_decode(&footer, m_input.data()) != LZMA_OK ||
        lzma_stream_flags_compare(&m_flags, &footer) != LZMA_OK ||
        footer.backward_size != lzma_index_size(listed.get())) {
      return corrupt("the stream footer is corrupt or does not match the stream header and index");
    }
    m_input.consume(k_stream_header_size);
    if (!same_blocks(listed.get(), m_records.get())) {
      return corrupt("the index does not list the blocks the stream holds");
    }
    while (true) {  // stream padding: zeros, four at a time; then the end or another stream
      auto four = m_input.fill(4);
      if (!four) {
        return std::move(four).error();
      }
      if (!*four) {
        m_phase = Phase::stream_header;
        if (m_input.available() == 0) {
          m_phase = Phase::ended;
          set_live(false);
          return util::ok_status();
        }
        return corrupt("unexpected bytes after the last stream");
      }
      if (std::any_of(m_input.data(), m_input.data() + 4, [](std::uint8_t b) { return b != 0; })) {
        auto magic = m_input.fill(sizeof k_xz_magic);
        if (!magic) {
          return std::move(magic).error();
        }
        if (!*magic || std::memcmp(m_input.data(), k_xz_magic, sizeof k_xz_magic) != 0) {
          return corrupt("unexpected bytes after the last stream");
        }
        m_phase = Phase::stream_header;
        return util::ok_status();
      }
      m_input.consume(4);
    }
  }

  void set_live(bool live)
  {
    if (live != m_live) {
      live ? m_pool.stream_started() : m_pool.stream_ended();
      m_live = live;
    }
  }

  util::Status record(const lzma_block& block)
  {
    if (lzma_index_append(m_records.get(), nullptr, lzma_block_unpadded_size(&block), block.uncompressed_size) !=
        LZMA_OK) {
      return corrupt("the stream holds more than the index can list");
    }
    return util::ok_status();
  }

  // Makes `count` bytes available, or fails saying the data ends inside `what`.
  util::Status need(std::size_t count, const std::string& what)
  {
    auto whole = m_input.fill(count);
    if (!whole) {
      return std::move(whole).error();
    }
    return *whole ? util::ok_status() : util::Status(corrupt("the data ends inside " + what + " (truncated)"));
  }

  [[nodiscard]] util::Error corrupt(const std::string& reason) const
  {
    return util::make_error(util::ErrorKind::integrity, "cannot read archive `" + m_shown + "`")
      .with_cause("invalid .xz data: " + reason);
  }

  BufferedInput m_input;
  DecodePool::State& m_pool;
  std::size_t m_ahead;
  std::string m_shown;
  bool m_xz_only;
  bool m_sniffed = false;
  bool m_xz = false;
  Phase m_phase = Phase::stream_header;
  lzma_stream_flags m_flags{};
  IndexPtr m_records;  // the blocks read from the current stream
  std::deque<Pending> m_pending;
  std::shared_ptr<BlockJob> m_current;  // the decoded block being read out
  std::size_t m_offset = 0;
  lzma_stream m_inline = LZMA_STREAM_INIT;
  bool m_inline_started = false;
  bool m_live = false;  // counted in the pool's live_streams
};

}  // namespace

std::unique_ptr<ArchiveStream> decoding_stream(ArchiveStream& source, DecodePool& pool, std::string shown,
                                               bool xz_only)
{
  return std::make_unique<XzDecodingStream>(source, *pool.m_state, pool.threads() + 1, std::move(shown), xz_only);
}

}  // namespace envsetup::install
