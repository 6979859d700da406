// SPDX-License-Identifier: Apache-2.0
#pragma once
// Writes real archives with libarchive's write API for extraction tests, malicious ones
// included: any path (absolute, `..`), links pointing anywhere, device nodes, FIFOs, setuid
// modes, and huge files (zeros streamed through the compressor, or sparse files that store
// no data at all) for decompression bombs.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace envsetup::testing {

// One archive entry, stored exactly as described (no name cleaning).
struct ArchiveMember {
  enum class Kind { file, directory, symlink, hardlink, char_device, fifo };
  std::string path;
  Kind kind = Kind::file;
  std::string content;            // file: the data
  std::string link;               // symlink, hardlink: the target
  std::uint32_t mode = 0644;      // permission bits, setuid/setgid/sticky included
  std::uint64_t zeros = 0;        // file: this many zero bytes after `content`, streamed
  std::uint64_t sparse_size = 0;  // file: when set, a sparse file this big holding `content`
                                  // at its end; the hole takes no space in the archive
};

[[nodiscard]] ArchiveMember file_member(std::string path, std::string content,
                                        std::uint32_t mode = 0644);
[[nodiscard]] ArchiveMember dir_member(std::string path, std::uint32_t mode = 0755);
[[nodiscard]] ArchiveMember symlink_member(std::string path, std::string target);
[[nodiscard]] ArchiveMember hardlink_member(std::string path, std::string target);
[[nodiscard]] ArchiveMember zeros_member(std::string path, std::uint64_t bytes);
[[nodiscard]] ArchiveMember sparse_member(std::string path, std::uint64_t size);
[[nodiscard]] ArchiveMember char_device_member(std::string path);
[[nodiscard]] ArchiveMember fifo_member(std::string path);

// zip_xz: a zip compressed with xz; tar_gz_xz: a .tar.gz compressed again with xz (what a
// .tar.xz name must not hide).
enum class ArchiveFormat { tar, tar_gz, tar_xz, zip, zip_xz, tar_gz_xz };

// Writes `members` in order to `path` (pax tar or zip, compressed as `format` says). Every
// entry's modification time is k_member_mtime. Returns "" on success, else libarchive's error.
[[nodiscard]] std::string write_archive(const std::filesystem::path& path,
                                        const std::vector<ArchiveMember>& members,
                                        ArchiveFormat format = ArchiveFormat::tar_xz);

inline constexpr std::int64_t k_member_mtime = 1700000000;

}  // namespace envsetup::testing
