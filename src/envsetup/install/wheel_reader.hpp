// SPDX-License-Identifier: Apache-2.0
// The entries of a wheel (a zip archive), streamed from an open descriptor through libarchive
// without extracting anything to disk: for `envsetup inspect`, which reads the libraries a
// wheel holds in place.
#pragma once

#include <envsetup/util/error.hpp>
#include <envsetup/util/unique_fd.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

namespace envsetup::install {

// The bytes an archive of `archive_size` bytes may expand to: `max_ratio` times its size plus
// 16 MiB, at most `max_total_bytes` (saturating; a ratio of 0 leaves the 16 MiB). The
// formula extract_archive's limits (extract.hpp) describe too, with the same results. Pure.
[[nodiscard]] std::uint64_t expansion_budget(std::uint64_t archive_size, std::uint64_t max_ratio,
                                             std::uint64_t max_total_bytes);

// Bounds on reading one wheel (decompression bombs): at most `max_entries` entries, and the
// entries read decompress to at most expansion_budget(wheel size, max_ratio, max_total_bytes).
struct WheelLimits {
  std::uint64_t max_entries = 100000;
  std::uint64_t max_total_bytes = 64ULL << 30;
  std::uint64_t max_ratio = 200;
};

struct WheelEntry {
  std::string path;                 // normalized: no empty or `.` component, "torch/lib/libc10.so"
  std::uint64_t declared_size = 0;  // the uncompressed size the zip's central directory records
  bool regular_file = false;        // false: a folder, a symlink or anything else (no bytes to read)
};

// The uncompressed bytes of the current entry. Valid only during the visit it is given to.
class WheelEntryStream {
public:
  virtual ~WheelEntryStream() = default;
  // Fills the start of `out` with the entry's next bytes (fewer than out.size() is fine, as
  // with read(2)) and returns their count; 0 at the end of the entry (or for an empty `out`,
  // or an entry that is not a regular file). The first read charges the entry's declared size
  // to the wheel's budget and fails when it does not fit: nothing is decompressed then.
  // Errors (integrity): the entry's data is corrupt (libarchive's text as the cause), holds
  // more or fewer bytes than declared; io: the wheel cannot be read. After an error, every
  // read returns the same error, and for_each_wheel_entry returns it even when `visit` goes
  // on (unless `visit` returns an error of its own, which is returned instead).
  [[nodiscard]] virtual util::Result<std::size_t> read(std::span<std::byte> out) = 0;

protected:
  WheelEntryStream() = default;
  WheelEntryStream(const WheelEntryStream&) = default;
  WheelEntryStream& operator=(const WheelEntryStream&) = default;
};

// Calls `visit` for each entry of the wheel `wheel` (an open regular file, not owned), in the
// order of its central directory, until `visit` returns false or an error (returned as it is).
// `visit` may read the entry through the stream; what it leaves unread is skipped without
// being decompressed (entries are located through the central directory). The wheel is read
// with pread(2) from offsets of its own: the descriptor's file offset is neither used nor
// moved, so the same descriptor can be read any number of times, from any thread one call at
// a time. Nothing is written to disk and no link is followed: a symlink entry is reported as
// not a regular file, with no bytes. Entries whose data is never read cost nothing against
// the limits. UTF-8 names are reported as stored whatever the process locale (libarchive runs
// under C.UTF-8 on this thread while it reads headers and data, never while `visit` runs).
//
// Errors; messages do not name the wheel (the caller adds its path), entry paths are shown
// with control characters escaped:
//  - io "cannot read the wheel" (fstat/pread failure, errno as the cause), or "the wheel is not
//    a regular file";
//  - integrity "the wheel is not a zip archive" (no zip signature at its start) or "the wheel
//    is a corrupt or truncated zip archive" (starts like a zip, but libarchive cannot read its
//    central directory), libarchive's text as the cause;
//  - integrity "the wheel has more than N entries";
//  - integrity "the wheel holds `P` more than once": two entries with one normalized path, one
//    of them a file (the visit stops before the second);
//  - integrity "entry `P` of the wheel has an unsafe path" (absolute, a `..` component, deeper
//    than 128 components, a NUL byte, or naming nothing) with the reason as the cause; such a
//    wheel is corrupt, the visit stops there;
//  - integrity "cannot read the wheel's first entry" / "cannot read the wheel after entry `P`"
//    (a corrupt local header, or one that disagrees with the central directory: a warning from
//    libarchive counts) and "cannot read entry `P` of the wheel" (corrupt data, a bad CRC),
//    libarchive's text as the cause;
//  - the stream's errors (above), among them the bomb: "entry `P` of the wheel expands past
//    the wheel's limit of N bytes" with the cause "it declares D bytes; R bytes of the limit
//    are left" (the limit: expansion_budget of the wheel's size and `limits`).
[[nodiscard]] util::Status for_each_wheel_entry(
  const util::UniqueFd& wheel, const WheelLimits& limits,
  const std::function<util::Result<bool>(const WheelEntry&, WheelEntryStream&)>& visit);

}  // namespace envsetup::install
