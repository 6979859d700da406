// SPDX-License-Identifier: Apache-2.0
#include "archive_builder.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <memory>
#include <utility>

namespace envsetup::testing {

ArchiveMember file_member(std::string path, std::string content, std::uint32_t mode)
{
  ArchiveMember member;
  member.path = std::move(path);
  member.content = std::move(content);
  member.mode = mode;
  return member;
}

ArchiveMember dir_member(std::string path, std::uint32_t mode)
{
  ArchiveMember member;
  member.path = std::move(path);
  member.kind = ArchiveMember::Kind::directory;
  member.mode = mode;
  return member;
}

ArchiveMember symlink_member(std::string path, std::string target)
{
  ArchiveMember member;
  member.path = std::move(path);
  member.kind = ArchiveMember::Kind::symlink;
  member.link = std::move(target);
  member.mode = 0777;
  return member;
}

ArchiveMember hardlink_member(std::string path, std::string target)
{
  ArchiveMember member;
  member.path = std::move(path);
  member.kind = ArchiveMember::Kind::hardlink;
  member.link = std::move(target);
  return member;
}

ArchiveMember zeros_member(std::string path, std::uint64_t bytes)
{
  ArchiveMember member;
  member.path = std::move(path);
  member.zeros = bytes;
  return member;
}

ArchiveMember sparse_member(std::string path, std::uint64_t size)
{
  ArchiveMember member;
  member.path = std::move(path);
  member.content = "end";
  member.sparse_size = size;
  return member;
}

ArchiveMember char_device_member(std::string path)
{
  ArchiveMember member;
  member.path = std::move(path);
  member.kind = ArchiveMember::Kind::char_device;
  member.mode = 0666;
  return member;
}

ArchiveMember fifo_member(std::string path)
{
  ArchiveMember member;
  member.path = std::move(path);
  member.kind = ArchiveMember::Kind::fifo;
  return member;
}

namespace {

using Writer = std::unique_ptr<archive, int (*)(archive*)>;
using Entry = std::unique_ptr<archive_entry, void (*)(archive_entry*)>;

std::string error_of(archive* writer)
{
  const char* text = archive_error_string(writer);
  return text != nullptr && *text != '\0' ? text : "unknown libarchive error";
}

bool write_all(archive* writer, const char* data, std::size_t size)
{
  while (size > 0) {
    const la_ssize_t written = archive_write_data(writer, data, size);
    if (written <= 0) {
      return false;
    }
    data += written;
    size -= static_cast<std::size_t>(written);
  }
  return true;
}

// Fills `entry` from `member`: type, mode, size, links.
void describe(archive_entry* entry, const ArchiveMember& member)
{
  using Kind = ArchiveMember::Kind;
  archive_entry_set_pathname(entry, member.path.c_str());
  archive_entry_set_perm(entry, static_cast<mode_t>(member.mode));
  archive_entry_set_mtime(entry, static_cast<time_t>(k_member_mtime), 0);
  archive_entry_set_uid(entry, 0);
  archive_entry_set_gid(entry, 0);
  switch (member.kind) {
  case Kind::file: {
    archive_entry_set_filetype(entry, AE_IFREG);
    const std::uint64_t stored = member.content.size() + member.zeros;
    const std::uint64_t size = std::max(member.sparse_size, stored);
    archive_entry_set_size(entry, static_cast<la_int64_t>(size));
    if (member.sparse_size > 0) {
      archive_entry_sparse_add_entry(entry, static_cast<la_int64_t>(size - stored),
                                     static_cast<la_int64_t>(stored));
    }
    break;
  }
  case Kind::directory: archive_entry_set_filetype(entry, AE_IFDIR); break;
  case Kind::symlink:
    archive_entry_set_filetype(entry, AE_IFLNK);
    archive_entry_set_symlink(entry, member.link.c_str());
    break;
  case Kind::hardlink:
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_hardlink(entry, member.link.c_str());
    break;
  case Kind::char_device:
    archive_entry_set_filetype(entry, AE_IFCHR);
    archive_entry_set_rdevmajor(entry, 1);
    archive_entry_set_rdevminor(entry, 3);
    break;
  case Kind::fifo: archive_entry_set_filetype(entry, AE_IFIFO); break;
  }
}

}  // namespace

std::string write_archive(const std::filesystem::path& path, const std::vector<ArchiveMember>& members,
                          ArchiveFormat format)
{
  const Writer writer(archive_write_new(), archive_write_free);
  archive* w = writer.get();
  const bool zip = format == ArchiveFormat::zip || format == ArchiveFormat::zip_xz;
  int status = zip ? archive_write_set_format_zip(w) : archive_write_set_format_pax_restricted(w);
  if (status == ARCHIVE_OK && !zip) {  // names stored as their bytes, whatever the locale (unicode names)
    status = archive_write_set_format_option(w, "pax", "hdrcharset", "BINARY");
  }
  if (status == ARCHIVE_OK && (format == ArchiveFormat::tar_gz || format == ArchiveFormat::tar_gz_xz)) {
    status = archive_write_add_filter_gzip(w);
  }
  if (status == ARCHIVE_OK && (format == ArchiveFormat::tar_xz || format == ArchiveFormat::zip_xz ||
                               format == ArchiveFormat::tar_gz_xz)) {
    // Fast settings: bombs stream tens of MiB of zeros through the compressor.
    status = archive_write_add_filter_xz(w);
    if (status == ARCHIVE_OK) {
      status = archive_write_set_filter_option(w, "xz", "compression-level", "1");
    }
  }
  if (status != ARCHIVE_OK || archive_write_open_filename(w, path.c_str()) != ARCHIVE_OK) {
    return error_of(w);
  }
  const std::string zeros(std::size_t{1} << 20, '\0');
  for (const ArchiveMember& member : members) {
    const Entry entry(archive_entry_new(), archive_entry_free);
    describe(entry.get(), member);
    if (archive_write_header(w, entry.get()) != ARCHIVE_OK) {
      return member.path + ": " + error_of(w);
    }
    if (!write_all(w, member.content.data(), member.content.size())) {
      return member.path + ": " + error_of(w);
    }
    for (std::uint64_t left = member.zeros; left > 0;) {
      const auto chunk = static_cast<std::size_t>(std::min<std::uint64_t>(left, zeros.size()));
      if (!write_all(w, zeros.data(), chunk)) {
        return member.path + ": " + error_of(w);
      }
      left -= chunk;
    }
  }
  if (archive_write_close(w) != ARCHIVE_OK) {
    return error_of(w);
  }
  return "";
}

}  // namespace envsetup::testing
