// SPDX-License-Identifier: Apache-2.0
#include <envsetup/fetch/curl_transfer.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace envsetup::fetch::detail {

namespace {

constexpr std::size_t k_hash_block = 1 << 20;

// Writes all of `data` to `fd`; false on error. Large chunks go straight to the kernel (no
// stdio copy): curl hands over up to CURLOPT_BUFFERSIZE bytes at a time.
bool write_all(int fd, const char* data, std::size_t size)
{
  while (size > 0) {
    const ssize_t written = ::write(fd, data, size);
    if (written < 0 && errno == EINTR) {
      continue;
    }
    if (written <= 0) {
      return false;
    }
    data += written;
    size -= static_cast<std::size_t>(written);
  }
  return true;
}

}  // namespace

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* userdata)
{
  auto& t = *static_cast<Transfer*>(userdata);
  const std::size_t bytes = size * count;
  if (t.headers.status >= 400) {
    return bytes;  // an error page: never written to the partial file
  }
  if (t.range_requested && t.headers.status == 200) {
    // The server ignored Range and sends the whole file: start over.
    t.range_requested = false;
    t.resumed = false;
    if (::ftruncate(t.file.fd.get(), 0) != 0 || ::lseek(t.file.fd.get(), 0, SEEK_SET) != 0) {
      t.write_errno = errno;
      t.write_failed = true;
      return 0;
    }
    t.hash.reset();
    t.writeback.restart();
    t.have = 0;
  }
  if (t.have + bytes > t.item->size) {
    t.too_long = true;
    return 0;
  }
  if (!write_all(t.file.fd.get(), data, bytes)) {
    t.write_errno = errno;
    t.write_failed = true;
    return 0;
  }
  t.hash.update(data, bytes);
  t.have += bytes;
  t.writeback.advance(t.file.fd.get(), t.have);
  t.transferred += bytes;
  if (t.observer != nullptr) {
    t.observer->on_progress(*t.item, t.have);
  }
  return bytes;
}

util::Status open_partial(Transfer& t, const Cache& cache)
{
  auto file = cache.open_partial(t.item->sha256, t.item->size);
  if (!file) {
    return std::move(file).error();
  }
  t.file = std::move(file).value();
  t.hash.reset();
  t.writeback.restart();
  t.have = 0;
  std::vector<char> block(t.file.existing > 0 ? k_hash_block : 0);
  while (t.have < t.file.existing) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), t.file.existing - t.have));
    const ssize_t got = ::pread(t.file.fd.get(), block.data(), want, static_cast<off_t>(t.have));
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got <= 0) {
      break;  // shorter than it was: continue from what could be read
    }
    t.hash.update(block.data(), static_cast<std::size_t>(got));
    t.have += static_cast<std::uint64_t>(got);
  }
  if (::ftruncate(t.file.fd.get(), static_cast<off_t>(t.have)) != 0 ||
      ::lseek(t.file.fd.get(), static_cast<off_t>(t.have), SEEK_SET) < 0) {
    return util::make_error(util::ErrorKind::io, "cannot write `" + t.partial.string() + "`")
      .with_cause(std::strerror(errno));
  }
  return util::ok_status();
}

void close_file(Transfer& t)
{
  t.file = PartialFile{};
}

std::chrono::milliseconds backoff(const Transfer& t, const DownloadOptions& options, std::mt19937& rng)
{
  if (t.headers.retry_after_seconds) {
    // Clamped in seconds first: a hostile Retry-After must not overflow the multiplication.
    const auto cap_seconds = std::chrono::duration_cast<std::chrono::seconds>(options.retry_after_cap).count() + 1;
    const auto seconds = std::clamp<long long>(*t.headers.retry_after_seconds, 0, cap_seconds);
    return std::min(std::chrono::milliseconds(seconds * 1000), options.retry_after_cap);
  }
  const auto base = options.retry_base.count();
  const long long exponential = base << std::min(t.attempts - 1, 16);
  std::uniform_int_distribution<long long> jitter(0, std::max<long long>(base, 1));
  return std::min(std::chrono::milliseconds(exponential + jitter(rng)), options.retry_cap);
}

}  // namespace envsetup::fetch::detail
