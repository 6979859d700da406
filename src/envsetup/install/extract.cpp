// SPDX-License-Identifier: Apache-2.0
// Archive extraction: libarchive reads, this file writes. Names and link targets are checked
// by safe_path, and every write goes through folder descriptors opened with O_NOFOLLOW.
#include <envsetup/install/extract.hpp>
#include <envsetup/install/wheel_reader.hpp>
#include <envsetup/util/strings.hpp>

#include <envsetup/install/safe_path.hpp>
#include <envsetup/install/xz_decoder.hpp>
#include <envsetup/util/fs.hpp>

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <vector>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace envsetup::install {

namespace {

constexpr std::size_t k_buffer_size = std::size_t{1} << 20;     // one read, one write

using Type = ExtractedEntry::Type;

// Group and others never write what the shared store hard-links into every prefix.
constexpr std::uint32_t k_never_writable = 022;

// The process umask, from the `Umask:` line of /proc/self/status (Linux 4.7+): reading it
// with umask(2) means setting it, which races with files other threads create meanwhile.
std::uint32_t read_umask()
{
  auto status = util::read_file("/proc/self/status");
  if (!status) {
    return k_never_writable;
  }
  const std::string& text = *status;
  const std::size_t line = text.find("\nUmask:");
  if (line == std::string::npos) {
    return k_never_writable;
  }
  std::uint32_t mask = 0;
  std::size_t at = line + 7;
  while (at < text.size() && (text[at] == ' ' || text[at] == '\t')) {
    ++at;
  }
  const std::size_t digits_start = at;
  for (; at < text.size() && text[at] >= '0' && text[at] <= '7'; ++at) {
    mask = mask * 8 + static_cast<std::uint32_t>(text[at] - '0');
  }
  return at == digits_start ? k_never_writable : mask & 0777U;
}

// The bits no extracted entry keeps: 022 and the umask, read once per process.
std::uint32_t masked_bits()
{
  static const std::uint32_t bits = k_never_writable | read_umask();  // thread-safe initialisation
  return bits;
}

// The bytes an archive of `archive_size` bytes may extract under `limits`.
std::string describe(unsigned filetype)
{
  switch (filetype) {
  case AE_IFCHR: return "a character device";
  case AE_IFBLK: return "a block device";
  case AE_IFIFO: return "a FIFO";
  case AE_IFSOCK: return "a socket";
  default: return "of an unknown type (" + std::to_string(filetype) + ")";
  }
}

// Something this extraction put under the destination: for the folders' final modes, and for
// moving everything under the top folder when it turns out not to be shared.
struct Placed {
  PathParts path;
  bool directory = false;
  bool created = false;  // a folder this extraction made
  bool fix_up = false;   // a folder entry: its mode and time are set at the end
  std::uint32_t mode = 0;
  timespec mtime{0, UTIME_OMIT};
};

// Extracts the entries of an opened reader under the folder `root_fd`.
class Extractor {
public:
  Extractor(archive* reader, std::string archive_name, int root_fd, std::uint64_t budget,
            std::uint64_t max_entries)
    : m_reader(reader), m_archive(std::move(archive_name)), m_root(root_fd), m_budget(budget),
      m_max_entries(max_entries), m_buffer(k_buffer_size)
  {
  }

  util::Result<ExtractResult> run()
  {
    archive_entry* entry = nullptr;
    while (true) {
      const int status = archive_read_next_header(m_reader, &entry);
      if (status == ARCHIVE_EOF) {
        break;
      }
      if (status != ARCHIVE_OK && status != ARCHIVE_WARN) {
        return read_failure(m_name.empty() ? "" : " after entry `" + m_name + "`");
      }
      const char* name = archive_entry_pathname(entry);
      m_name = name != nullptr ? name : "";
      if (++m_entries > m_max_entries) {
        return fail(util::ErrorKind::integrity,
                    "the archive has more than " + std::to_string(m_max_entries) + " entries");
      }
      ENVSETUP_TRY(extract(entry));
    }
    ENVSETUP_TRY(fix_up_folders());
    return std::move(m_result);
  }

private:
  util::Status extract(archive_entry* entry)
  {
    auto split = split_member_name(m_name);
    if (!split) {
      return fail(std::move(split).error());
    }
    PathParts path = std::move(split.value());
    const char* hardlink = archive_entry_hardlink(entry);
    const auto filetype = archive_entry_filetype(entry);
    Type type = Type::file;
    if (hardlink != nullptr) {
      type = Type::hardlink;
    } else if (filetype == AE_IFDIR || filetype == AE_IFLNK) {
      type = filetype == AE_IFDIR ? Type::directory : Type::symlink;
    } else if (filetype != AE_IFREG) {
      return fail(util::ErrorKind::integrity, "the entry is " + describe(filetype) +
                                                ": device nodes, FIFOs and sockets are not extracted");
    }
    ENVSETUP_TRY(strip_top(path, type == Type::directory));
    if (path.empty()) {  // "./" or the top folder itself
      return type == Type::directory
               ? util::ok_status()
               : fail(util::ErrorKind::integrity, "the entry names no path under the destination");
    }
    ExtractedEntry out;
    out.path = join_parts(path);
    out.type = type;
    out.mode = (static_cast<std::uint32_t>(archive_entry_perm(entry)) & 0777U & ~masked_bits()) |
               (type == Type::directory ? 0700U : 0U);
    if (type == Type::symlink) {
      const char* target = archive_entry_symlink(entry);
      out.link_target = target != nullptr ? target : "";
      ENVSETUP_TRY(about_entry(check_symlink_target(m_root, path, out.link_target)));
    }
    std::vector<PathParts> made;
    auto parent = open_parent(m_root, path, &made);
    for (PathParts& folder : made) {
      m_placed.push_back({std::move(folder), true, true});
    }
    if (!parent) {
      return fail(std::move(parent).error());
    }
    const int parent_fd = parent->get();
    const std::string& leaf = path.back();
    timespec mtime{0, UTIME_OMIT};
    if (archive_entry_mtime_is_set(entry) != 0) {
      mtime = {archive_entry_mtime(entry), archive_entry_mtime_nsec(entry)};
    }
    if (type == Type::directory) {
      bool created = false;
      ENVSETUP_TRY(about_entry(make_folder(parent_fd, leaf, created)));
      m_placed.push_back({path, true, created, true, out.mode, mtime});
    } else {
      ENVSETUP_TRY(about_entry(clear_slot(parent_fd, leaf)));
      m_placed.push_back({path});
      if (type == Type::symlink && ::symlinkat(out.link_target.c_str(), parent_fd, leaf.c_str()) != 0) {
        return io_failure("cannot create the symlink");
      }
      if (type == Type::hardlink) {
        ENVSETUP_TRY(link_hard(parent_fd, leaf, hardlink, path, out));
      }
      // A hard link carries data only in formats such as cpio; then the data is the file's.
      if (type == Type::file || (type == Type::hardlink && archive_entry_size(entry) > 0)) {
        ENVSETUP_TRY(write_file(parent_fd, leaf, entry, mtime, out));
      }
    }
    m_result.entries.push_back(std::move(out));
    return util::ok_status();
  }

  // Writes the entry's data into `leaf` (a new file, or the hard link just made) and sets its
  // mode and time.
  util::Status write_file(int parent_fd, const std::string& leaf, archive_entry* entry,
                          const timespec& mtime, ExtractedEntry& out)
  {
    const bool linked = out.type == Type::hardlink;
    const la_int64_t size = archive_entry_size_is_set(entry) != 0 ? archive_entry_size(entry) : 0;
    const auto declared = static_cast<std::uint64_t>(std::max<la_int64_t>(size, 0));
    ENVSETUP_TRY(charge(declared));  // a bomb is refused before a byte is written
    const int flags = O_WRONLY | O_NOFOLLOW | O_CLOEXEC | (linked ? O_TRUNC : O_CREAT | O_EXCL);
    UniqueFd fd(::openat(parent_fd, leaf.c_str(), flags, 0600));
    if (fd.get() < 0) {
      return io_failure("cannot create the file");
    }
    auto written = copy_data(fd.get(), declared);
    if (!written) {
      return std::move(written).error();
    }
    out.size = *written;
    const timespec times[2] = {{0, UTIME_OMIT}, mtime};
    if ((!linked && ::fchmod(fd.get(), static_cast<mode_t>(out.mode)) != 0) ||
        ::futimens(fd.get(), times) != 0 || !fd.close()) {
      return io_failure("cannot finish the file");
    }
    return util::ok_status();
  }

  // Makes `leaf` a hard link to the member `target`: a regular file already extracted (or
  // already under the destination), never the link `link` itself.
  util::Status link_hard(int parent_fd, const std::string& leaf, const std::string& target,
                         const PathParts& link, ExtractedEntry& out)
  {
    const std::string shown = "the hard link target `" + target + "`";
    auto split = split_member_name(target);
    if (!split) {
      return fail(util::ErrorKind::integrity, shown + ": " + split.error().message);
    }
    PathParts path = std::move(split.value());
    const std::string& top = m_result.top_folder;
    const bool in_top = path.size() >= 2 && path.front() == top;
    if (!top.empty() && in_top) {
      path.erase(path.begin());
    }
    if ((!top.empty() && !in_top) || path.empty() || path == link) {
      return fail(util::ErrorKind::integrity, shown + " is not an extracted file");
    }
    auto target_parent = open_parent(m_root, path, nullptr);
    if (!target_parent) {
      util::Error error = std::move(target_parent).error();
      error.message = shown + ": " + error.message;
      return fail(std::move(error));
    }
    struct stat status {};
    const char* name = path.back().c_str();
    if (::fstatat(target_parent->get(), name, &status, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(status.st_mode)) {
      return fail(util::ErrorKind::integrity, shown + " is not an extracted regular file");
    }
    if (::linkat(target_parent->get(), name, parent_fd, leaf.c_str(), 0) != 0) {
      return io_failure("cannot create the hard link");
    }
    out.link_target = join_parts(path);
    out.mode = static_cast<std::uint32_t>(status.st_mode) & 0777U;
    return util::ok_status();
  }

  // Strips the top folder from `path`. The first entry with a name decides whether there is
  // one; when a later entry is outside it, what was extracted is moved under it.
  util::Status strip_top(PathParts& path, bool directory)
  {
    std::string& top = m_result.top_folder;
    if (!m_top_decided && !path.empty()) {
      m_top_decided = true;
      if (path.size() >= 2 || directory) {
        top = path.front();
      }
    }
    if (top.empty() || path.empty()) {
      return util::ok_status();
    }
    if (path.front() == top && (path.size() >= 2 || directory)) {
      path.erase(path.begin());
      return util::ok_status();
    }
    ENVSETUP_TRY(move_under_top());
    top.clear();
    return util::ok_status();
  }

  // The entries do not share the top folder after all: moves what this extraction placed
  // from `x` to `top/x`, removes the folders it made that are left empty, and checks the
  // moved symlinks again.
  util::Status move_under_top()
  {
    const std::string top = m_result.top_folder;
    std::vector<Placed> moved(1, Placed{{top}, true});
    ENVSETUP_TRY(about_entry(make_folder(m_root, top, moved.front().created)));
    for (const Placed& old : m_placed) {
      Placed now = old;
      now.path.insert(now.path.begin(), top);
      std::vector<PathParts> made;
      auto to = open_parent(m_root, now.path, &made);
      for (PathParts& folder : made) {
        moved.push_back({std::move(folder), true, true});
      }
      auto from = open_parent(m_root, old.path, nullptr);
      if (!to || !from) {
        return fail(!to ? std::move(to).error() : std::move(from).error());
      }
      const std::string& leaf = old.path.back();
      if (old.directory) {
        ENVSETUP_TRY(about_entry(make_folder(to->get(), leaf, now.created)));
      } else if (::renameat(from->get(), leaf.c_str(), to->get(), leaf.c_str()) != 0 && errno != ENOENT) {
        return io_failure("cannot move `" + join_parts(old.path) + "` under `" + top + "`");
      }
      moved.push_back(std::move(now));
    }
    for (auto old = m_placed.rbegin(); old != m_placed.rend(); ++old) {
      if (!old->created) {
        continue;
      }
      if (auto parent = open_parent(m_root, old->path, nullptr)) {
        static_cast<void>(::unlinkat(parent->get(), old->path.back().c_str(), AT_REMOVEDIR));
      }
    }
    m_placed = std::move(moved);
    for (ExtractedEntry& entry : m_result.entries) {
      entry.path = top + "/" + entry.path;
      if (entry.type == Type::hardlink) {
        entry.link_target = top + "/" + entry.link_target;
      } else if (entry.type == Type::symlink) {
        const PathParts path = *split_member_name(entry.path);  // made of checked parts
        ENVSETUP_TRY(about_entry(check_symlink_target(m_root, path, entry.link_target)));
      }
    }
    return util::ok_status();
  }

  // Copies the current entry's data to `fd`; its `declared` size is already charged to the
  // budget, bytes past it are charged as they come.
  util::Result<std::uint64_t> copy_data(int fd, std::uint64_t declared)
  {
    std::uint64_t written = 0;
    util::WritebackPacer writeback;  // the caller's syncfs then finds most of it on disk
    while (true) {
      const la_ssize_t length = archive_read_data(m_reader, m_buffer.data(), m_buffer.size());
      if (length == 0) {
        break;
      }
      if (length < 0) {
        return read_failure(" at entry `" + m_name + "`");
      }
      const auto count = static_cast<std::size_t>(length);
      if (written + count > declared) {
        ENVSETUP_TRY(charge(written + count - std::max(written, declared)));
      }
      for (std::size_t done = 0; done < count;) {
        const ssize_t result = ::write(fd, m_buffer.data() + done, count - done);
        if (result < 0 && errno == EINTR) {
          continue;
        }
        if (result <= 0) {
          return io_failure("cannot write the file");
        }
        done += static_cast<std::size_t>(result);
      }
      written += count;
      writeback.advance(fd, written);
    }
    writeback.advance(fd, written, true);
    m_result.bytes_written += written;
    return written;
  }

  util::Status charge(std::uint64_t bytes)
  {
    if (bytes > m_budget - m_charged) {
      return fail(util::ErrorKind::integrity, "the archive expands past its size limit of " +
                                                std::to_string(m_budget) + " bytes");
    }
    m_charged += bytes;
    return util::ok_status();
  }

  // Sets the final mode and time of the folder entries, once nothing more is written.
  util::Status fix_up_folders()
  {
    for (const Placed& folder : m_placed) {
      if (!folder.fix_up) {
        continue;
      }
      m_name = join_parts(folder.path);
      auto parent = open_parent(m_root, folder.path, nullptr);
      if (!parent) {
        return fail(std::move(parent).error());
      }
      const timespec times[2] = {{0, UTIME_OMIT}, folder.mtime};
      UniqueFd fd(::openat(parent->get(), folder.path.back().c_str(),
                           O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (fd.get() < 0 || ::fchmod(fd.get(), static_cast<mode_t>(folder.mode)) != 0 ||
          ::futimens(fd.get(), times) != 0) {
        return io_failure("cannot set the folder's mode and time");
      }
    }
    return util::ok_status();
  }

  util::Error fail(util::ErrorKind kind, std::string reason) const
  {
    const std::string entry = "`" + m_name + "`";
    std::string message = kind == util::ErrorKind::integrity
                            ? "unsafe entry " + entry + " in archive `" + m_archive + "`"
                            : "cannot extract " + entry + " from archive `" + m_archive + "`";
    return util::make_error(kind, std::move(message)).with_cause(std::move(reason));
  }

  // An error from safe_path, whose message is a reason, as an error about the current entry.
  util::Error fail(util::Error reason) const
  {
    util::Error error = fail(reason.kind, std::move(reason.message));
    error.causes.insert(error.causes.end(), reason.causes.begin(), reason.causes.end());
    return error;
  }

  util::Status about_entry(util::Status status) const
  {
    return status ? status : fail(std::move(status).error());
  }

  util::Error io_failure(const std::string& what) const
  {
    return fail(util::ErrorKind::io, what + ": " + std::strerror(errno));
  }

  // libarchive's error; `where` says where in the archive (" at entry `x`").
  util::Error read_failure(const std::string& where) const
  {
    const char* text = archive_error_string(m_reader);
    return util::make_error(util::ErrorKind::integrity, "cannot read archive `" + m_archive + "`" + where)
      .with_cause(text != nullptr ? std::string(util::trim(text)) : "unknown libarchive error");
  }

  archive* m_reader;
  std::string m_archive;
  int m_root;
  std::uint64_t m_budget;
  std::uint64_t m_max_entries;
  std::vector<char> m_buffer;
  std::string m_name;  // the current entry, for messages
  std::uint64_t m_entries = 0;
  std::uint64_t m_charged = 0;
  bool m_top_decided = false;
  std::vector<Placed> m_placed;
  ExtractResult m_result;
};

util::Error open_failure(const std::string& what, const std::string& cause)
{
  return util::make_error(util::ErrorKind::io, "cannot open " + what).with_cause(cause);
}

}  // namespace

namespace {

using ArchivePtr = std::unique_ptr<archive, int (*)(archive*)>;

// A reader with the formats and filters envsetup accepts: for tar_xz, tar alone (the .xz is
// decoded before libarchive sees the bytes). Not archive_read_support_format_all: its mtree
// reader copies host files an archive names.
util::Result<ArchivePtr> new_reader(ArchiveKind kind)
{
  ArchivePtr reader(archive_read_new(), archive_read_free);
  if (reader == nullptr) {
    return util::make_error(util::ErrorKind::internal, "cannot allocate an archive reader");
  }
  if (kind == ArchiveKind::tar_xz) {
    static_cast<void>(archive_read_support_format_tar(reader.get()));
    return reader;
  }
  for (auto* enable : {archive_read_support_filter_gzip, archive_read_support_filter_bzip2,
                       archive_read_support_filter_xz, archive_read_support_filter_lzma,
                       archive_read_support_filter_zstd, archive_read_support_filter_lz4,
                       archive_read_support_filter_compress, archive_read_support_format_tar,
                       archive_read_support_format_zip, archive_read_support_format_7zip,
                       archive_read_support_format_cpio}) {
    static_cast<void>(enable(reader.get()));
  }
  return reader;
}

util::Error unreadable(archive* reader, const std::string& shown)
{
  const char* text = archive_error_string(reader);
  return util::make_error(util::ErrorKind::integrity, "cannot read archive `" + shown + "`")
    .with_cause(text != nullptr ? std::string(util::trim(text)) : "unknown libarchive error");
}

// `error` (integrity) as the verdict that `shown` is not what a .tar.xz name promises.
util::Error not_tar_xz(util::Error error, const std::string& shown)
{
  if (error.kind != util::ErrorKind::integrity) {
    return error;
  }
  util::Error verdict = util::make_error(util::ErrorKind::integrity, "archive `" + shown + "` is not a valid .tar.xz archive")
                          .with_hint("a .tar.xz archive is .xz data and nothing else, holding a tar archive; "
                                     "the mirror may serve a corrupt or substituted file");
  verdict.causes.push_back(error.message);
  verdict.causes.insert(verdict.causes.end(), error.causes.begin(), error.causes.end());
  return verdict;
}

// Reads what is left of `stream` after libarchive saw the tar's end: the rest of the .xz data
// must decode and verify, with nothing after its last stream.
util::Status drain(ArchiveStream& stream, std::vector<char>& buffer)
{
  while (true) {
    const char* data = nullptr;
    auto got = stream.next(data, buffer);
    if (!got) {
      return std::move(got).error();
    }
    if (*got == 0) {
      return util::ok_status();
    }
  }
}

util::Result<UniqueFd> open_destination(const std::filesystem::path& destination)
{
  UniqueFd root(::open(destination.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (root.get() < 0) {
    return open_failure("the destination folder `" + destination.string() + "`", std::strerror(errno));
  }
  return root;
}

// libarchive's read callback over an ArchiveStream; the stream's error is kept for the report.
struct StreamClient {
  ArchiveStream* stream = nullptr;
  std::vector<char> buffer = std::vector<char>(k_buffer_size);
  std::optional<util::Error> error;
};

la_ssize_t read_stream(archive* reader, void* client_data, const void** buffer)
{
  auto& client = *static_cast<StreamClient*>(client_data);
  const char* data = nullptr;
  auto got = client.stream->next(data, client.buffer);
  if (!got) {
    archive_set_error(reader, EIO, "%s", got.error().message.c_str());
    client.error = std::move(got).error();
    return -1;
  }
  *buffer = data;
  return static_cast<la_ssize_t>(*got);
}

// Extracts what `stream` yields: the archive `shown`, `declared_size` bytes as stored.
// For tar_xz, `stream` yields the decoded bytes and is read to its end after the tar's.
util::Result<ExtractResult> extract_stream(ArchiveStream& stream, std::uint64_t declared_size,
                                           const std::string& shown, int root_fd, const ExtractLimits& limits)
{
  auto reader = new_reader(limits.expected);
  if (!reader) {
    return std::move(reader).error();
  }
  // What the decoding or libarchive's format detection refuse says the kind is wrong; an
  // unsafe entry in a well-formed .tar.xz is reported as it is.
  const auto verdict = [&](util::Error error) {
    return limits.expected == ArchiveKind::tar_xz ? not_tar_xz(std::move(error), shown) : std::move(error);
  };
  StreamClient client;
  client.stream = &stream;
  if (const int opened = archive_read_open(reader->get(), &client, nullptr, read_stream, nullptr);
      opened != ARCHIVE_OK && opened != ARCHIVE_WARN) {
    if (client.error) {
      return verdict(std::move(*client.error));
    }
    return verdict(unreadable(reader->get(), shown));
  }
  Extractor extractor(reader->get(), shown, root_fd, expansion_budget(declared_size, limits.max_ratio, limits.max_total_bytes), limits.max_entries);
  auto result = extractor.run();
  if (client.error) {
    return verdict(std::move(*client.error));  // the stream failed: the archive's own verdict is moot
  }
  if (result && limits.expected == ArchiveKind::tar_xz) {
    if (auto rest = drain(stream, client.buffer); !rest) {
      return verdict(std::move(rest).error());
    }
  }
  return result;
}

// extract_stream over .xz data that must hold a tar: decoded on `decoders`, or with liblzma
// on this thread.
util::Result<ExtractResult> extract_tar_xz(ArchiveStream& raw, std::uint64_t declared_size,
                                           const std::string& shown, int root_fd, const ExtractLimits& limits,
                                           DecodePool* decoders)
{
  const auto decoded = decoders != nullptr ? decoding_stream(raw, *decoders, shown, true) : xz_stream(raw, shown);
  return extract_stream(*decoded, declared_size, shown, root_fd, limits);
}

bool starts_like_xz(int fd)
{
  unsigned char head[sizeof k_xz_magic] = {};
  return ::pread(fd, head, sizeof head, 0) == static_cast<ssize_t>(sizeof head) &&
         std::memcmp(head, k_xz_magic, sizeof k_xz_magic) == 0;
}

}  // namespace

ArchiveKind archive_kind_for_name(std::string_view file_name)
{
  std::string lower(file_name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const bool tar_xz = lower.ends_with(".tar.xz") || lower.ends_with(".txz");
  return tar_xz ? ArchiveKind::tar_xz : ArchiveKind::any;
}

util::Result<ExtractResult> extract_archive(const std::filesystem::path& archive_path,
                                            const std::filesystem::path& destination,
                                            const ExtractLimits& limits, DecodePool* decoders)
{
  const std::string shown = archive_path.string();
  UniqueFd file(::open(archive_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!file.valid()) {
    return open_failure("archive `" + shown + "`", std::strerror(errno));
  }
  return extract_archive_fd(file.get(), shown, destination, limits, decoders);
}

util::Result<ExtractResult> extract_archive_fd(int archive_fd, const std::string& shown,
                                               const std::filesystem::path& destination,
                                               const ExtractLimits& limits, DecodePool* decoders)
{
  // Its own open file description (its own offset) on the same file, even if its name now
  // points elsewhere; a duplicate when /proc is missing.
  UniqueFd file(::open(("/proc/self/fd/" + std::to_string(archive_fd)).c_str(), O_RDONLY | O_CLOEXEC));
  if (!file.valid()) {
    file = UniqueFd(::fcntl(archive_fd, F_DUPFD_CLOEXEC, 0));
  }
  struct stat status {};
  if (!file.valid() || ::fstat(file.get(), &status) != 0 || ::lseek(file.get(), 0, SEEK_SET) != 0) {
    return open_failure("archive `" + shown + "`", std::strerror(errno));
  }
  if (!S_ISREG(status.st_mode)) {
    return open_failure("archive `" + shown + "`", "not a regular file");
  }
  auto root = open_destination(destination);
  if (!root) {
    return std::move(root).error();
  }
  const auto size = static_cast<std::uint64_t>(status.st_size);
  if (limits.expected == ArchiveKind::tar_xz) {
    FdArchiveStream raw(file.get(), shown);
    return extract_tar_xz(raw, size, shown, root->get(), limits, decoders);
  }
  if (decoders != nullptr && starts_like_xz(file.get())) {
    FdArchiveStream raw(file.get(), shown);
    const auto decoded = decoding_stream(raw, *decoders, shown);
    return extract_stream(*decoded, size, shown, root->get(), limits);
  }
  auto reader = new_reader(limits.expected);
  if (!reader) {
    return std::move(reader).error();
  }
  if (const int opened = archive_read_open_fd(reader->get(), file.get(), k_buffer_size);
      opened != ARCHIVE_OK && opened != ARCHIVE_WARN) {
    return unreadable(reader->get(), shown);
  }
  Extractor extractor(reader->get(), shown, root->get(), expansion_budget(size, limits.max_ratio, limits.max_total_bytes), limits.max_entries);
  return extractor.run();
}

util::Result<ExtractResult> extract_archive_stream(ArchiveStream& stream, std::uint64_t declared_size,
                                                   const std::string& shown,
                                                   const std::filesystem::path& destination,
                                                   const ExtractLimits& limits, DecodePool* decoders)
{
  auto root = open_destination(destination);
  if (!root) {
    return std::move(root).error();
  }
  if (limits.expected == ArchiveKind::tar_xz) {
    return extract_tar_xz(stream, declared_size, shown, root->get(), limits, decoders);
  }
  if (decoders != nullptr) {
    const auto decoded = decoding_stream(stream, *decoders, shown);
    return extract_stream(*decoded, declared_size, shown, root->get(), limits);
  }
  return extract_stream(stream, declared_size, shown, root->get(), limits);
}

}  // namespace envsetup::install
