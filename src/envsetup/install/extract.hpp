// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/install/archive_stream.hpp>
#include <envsetup/util/error.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace envsetup::install {

class DecodePool;

// What an archive must be.
//  - any: whatever the formats and compressions extract_archive reads (below);
//  - tar_xz: .xz data and nothing else (one or more .xz streams, with the stream padding the
//    .xz format allows; no byte after the last stream), whose decoded bytes are a tar archive
//    (no second compression inside, no other format). Every block check, index and stream
//    footer is verified, the decoded bytes after the tar's end included. Anything else (a
//    plain tar, a zip, a .tar.gz, .xz with bytes after it) is an integrity error.
enum class ArchiveKind { any, tar_xz };

// The kind an archive's file name promises: tar_xz for a name ending in `.tar.xz` or `.txz`
// (any case), such as `cuda_nvcc-linux-x86_64-12.4.131-archive.tar.xz`; any otherwise. Pure.
[[nodiscard]] ArchiveKind archive_kind_for_name(std::string_view file_name);

// Bounds on what one archive may extract (decompression bombs): the bytes of its files must
// stay at most `max_ratio` times the archive file's size plus 16 MiB, and at most
// `max_total_bytes`; it may hold at most `max_entries` entries. And the kind it must be.
struct ExtractLimits {
  std::uint64_t max_ratio = 64;
  std::uint64_t max_total_bytes = 64ULL << 30;
  std::uint64_t max_entries = 200000;
  ArchiveKind expected = ArchiveKind::any;
};

// One entry as extracted.
struct ExtractedEntry {
  enum class Type { file, directory, symlink, hardlink };
  std::string path;         // relative to the destination, top folder stripped: "lib/libcudart.so.12"
  Type type = Type::file;
  std::string link_target;  // symlink: as stored; hardlink: the target's path, like `path`
  std::uint64_t size = 0;   // file and hardlink: the bytes written for this entry
  std::uint32_t mode = 0;   // permission bits as written (see "Modes" below); a hard link
                            // has its file's
};

struct ExtractResult {
  std::string top_folder;               // the stripped top folder ("" when there was none)
  std::vector<ExtractedEntry> entries;  // in archive order; the top folder itself is not listed
  std::uint64_t bytes_written = 0;      // the sum of the entries' sizes (bytes written to files)
};

// Extracts `archive_path` (a regular file: a symlink in its place is refused, never followed)
// into `destination`, an existing folder (normally empty, possibly holding what earlier
// archives extracted), stripping the top folder all entries share when
// they share one. Formats: tar (all variants), zip, 7-Zip, cpio; compressions: gzip, bzip2,
// xz, lzma, zstd, lz4, compress. (libarchive's mtree format is left out on purpose: it reads
// files of this host that the archive names.)
//
// The archive is untrusted. Errors, kind integrity, each naming the archive and the entry:
//  - an absolute path or a `..` component;
//  - a hard link whose target is not a regular file already extracted under `destination`;
//  - a symlink whose target is absolute, has a `..` after a name, or points outside
//    `destination` from the link's folder, lexically or through the symlinks already under
//    `destination` (including ones earlier archives extracted there);
//  - a path whose parent goes through a symlink or a file (nothing is written through a
//    link), or an entry that would replace a folder;
//  - device nodes, FIFOs, sockets;
//  - more than `limits.max_entries` entries, or more bytes than the limits allow;
//  - a corrupt or truncated archive, or not an archive (libarchive's text as the cause).
// Errors of kind io: the archive or `destination` cannot be opened, a write fails.
//
// Writes go through folder descriptors with O_NOFOLLOW (no chdir, safe with other threads);
// ownership, ACLs, extended attributes and file flags are never restored; files and folders
// get their modification times.
// Modes: what is extracted lands in a store shared by every prefix (hard links), so no entry
// is ever group- or world-writable, and the process umask applies as it would to a new file:
// mode = archive mode & 0777 & ~(022 | umask), then folders get u+rwx (so the caller can
// always remove them). setuid, setgid and sticky bits are dropped. The umask is read once
// per process from /proc/self/status (umask(2) would change it under other threads); where
// that cannot be read, 022 is assumed. A file's declared size counts against the
// limits before it is created (a sparse file's holes are written as zeros and count too). A
// later entry replaces an earlier file or symlink of the same path. When the first entries
// look like a top folder and a later one is outside it, what was extracted so far is moved
// under that folder and nothing is stripped.
// On error, what was extracted so far stays under `destination` (the caller extracts into a
// staging folder and owns the cleanup); nothing is ever written outside `destination`.
// With `decoders`, .xz data is decoded on that pool (xz_decoder.hpp: its blocks in parallel,
// sharing the cores with the other extractions) instead of by libarchive. With
// `limits.expected` tar_xz, envsetup always decodes the .xz itself (on `decoders`, or without
// them on the reading thread with liblzma: xz_stream in archive_stream.hpp), libarchive reads
// nothing but tar from the decoded bytes, and the rest of the .xz data is read and verified
// after the tar's end; the error for anything else names the archive and says it is not a
// .tar.xz archive.
[[nodiscard]] util::Result<ExtractResult> extract_archive(const std::filesystem::path& archive_path,
                                                          const std::filesystem::path& destination,
                                                          const ExtractLimits& limits = {},
                                                          DecodePool* decoders = nullptr);

// extract_archive reading the open archive `archive_fd` (not owned; read from its start
// through a description of its own, so the caller's offset does not matter), named `shown`
// in messages: the file a caller verified, whatever its name points to by now.
[[nodiscard]] util::Result<ExtractResult> extract_archive_fd(int archive_fd, const std::string& shown,
                                                             const std::filesystem::path& destination,
                                                             const ExtractLimits& limits = {},
                                                             DecodePool* decoders = nullptr);

// extract_archive reading from `stream`, an archive of `declared_size` bytes (the base of the
// size limits), named `shown` in messages. Same checks and guarantees; a stream error is
// returned as it is.
[[nodiscard]] util::Result<ExtractResult> extract_archive_stream(ArchiveStream& stream, std::uint64_t declared_size,
                                                                 const std::string& shown,
                                                                 const std::filesystem::path& destination,
                                                                 const ExtractLimits& limits = {},
                                                                 DecodePool* decoders = nullptr);

}  // namespace envsetup::install
