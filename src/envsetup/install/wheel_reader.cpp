// SPDX-License-Identifier: Apache-2.0
// Wheels read in place: libarchive's seekable zip reader over pread(2), entries handed to a
// visitor as streams, every decompressed byte charged to the wheel's budget.
#include <envsetup/install/wheel_reader.hpp>

#include <envsetup/install/safe_path.hpp>
#include <envsetup/util/strings.hpp>

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include <locale.h>
#include <sys/stat.h>
#include <unistd.h>

namespace envsetup::install {

namespace {

constexpr std::size_t k_read_size = std::size_t{256} << 10;  // one pread
constexpr std::uint64_t k_size_slack = std::uint64_t{16} << 20;

using ArchivePtr = std::unique_ptr<archive, int (*)(archive*)>;

// libarchive converts a zip's UTF-8 names (flag bit 11) to the current locale's charset, so
// under the "C" locale a non-ASCII name is lost with a warning. While one of these lives, this
// thread uses C.UTF-8 (uselocale: the process's locale and other threads are untouched); where
// C.UTF-8 does not exist, nothing changes.
class Utf8Names {
public:
  Utf8Names() { enter(); }
  ~Utf8Names() { leave(); }
  Utf8Names(const Utf8Names&) = delete;
  Utf8Names& operator=(const Utf8Names&) = delete;

  // Switches to C.UTF-8 (no-op while switched); leave() restores the thread's locale.
  void enter()
  {
    if (m_previous == locale_t{} && locale() != locale_t{}) {
      m_previous = ::uselocale(locale());
    }
  }
  void leave()
  {
    if (m_previous != locale_t{}) {
      ::uselocale(m_previous);
      m_previous = locale_t{};
    }
  }

private:
  static locale_t locale()
  {
    static const locale_t utf8 = ::newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t{});  // kept for the process
    return utf8;
  }
  locale_t m_previous{};  // the locale to restore; none while not switched
};

// The wheel's bytes for libarchive: pread at an offset of our own, so the descriptor's file
// offset is never used. The first failure is kept for the report.
struct Client {
  int fd = -1;
  std::uint64_t size = 0;
  std::uint64_t offset = 0;
  std::vector<char> buffer = std::vector<char>(k_read_size);
  std::optional<util::Error> error;
};

util::Error io_error(const std::string& what)
{
  return util::make_error(util::ErrorKind::io, what).with_cause(std::strerror(errno));
}

la_ssize_t read_callback(archive* reader, void* data, const void** out)
{
  auto& client = *static_cast<Client*>(data);
  *out = client.buffer.data();
  const std::uint64_t left = client.offset < client.size ? client.size - client.offset : 0;
  const auto wanted = static_cast<std::size_t>(std::min<std::uint64_t>(left, client.buffer.size()));
  while (true) {
    const ssize_t got = ::pread(client.fd, client.buffer.data(), wanted, static_cast<off_t>(client.offset));
    if (got >= 0) {
      client.offset += static_cast<std::uint64_t>(got);
      return got;
    }
    if (errno != EINTR) {
      client.error = io_error("cannot read the wheel");
      archive_set_error(reader, errno, "%s", std::strerror(errno));
      return ARCHIVE_FATAL;
    }
  }
}

la_int64_t seek_callback(archive* /*reader*/, void* data, la_int64_t offset, int whence)
{
  auto& client = *static_cast<Client*>(data);
  la_int64_t base = 0;
  if (whence == SEEK_CUR) {
    base = static_cast<la_int64_t>(client.offset);
  } else if (whence == SEEK_END) {
    base = static_cast<la_int64_t>(client.size);
  } else if (whence != SEEK_SET) {
    return ARCHIVE_FATAL;
  }
  // base is in [0, off_t max]: a sum outside that range is refused without overflowing.
  if (offset < -base || (offset > 0 && offset > std::numeric_limits<la_int64_t>::max() - base)) {
    return ARCHIVE_FATAL;
  }
  client.offset = static_cast<std::uint64_t>(base + offset);
  return base + offset;
}

std::string shown(const std::string& path)
{
  return "`" + util::escape_control_characters(path) + "`";
}

util::Error libarchive_error(archive* reader, std::string message)
{
  const char* text = archive_error_string(reader);
  return util::make_error(util::ErrorKind::integrity, std::move(message))
    .with_cause(text != nullptr ? std::string(util::trim(text)) : "unknown libarchive error");
}

// What one visit of a wheel shares between its entries.
struct Reading {
  archive* reader = nullptr;
  Client* client = nullptr;
  std::uint64_t budget = 0;
  std::uint64_t charged = 0;
  std::optional<util::Error> error;  // the first stream error: the visit's verdict
};

// The current entry's bytes, checked against its declared size and the wheel's budget.
class EntryStream final : public WheelEntryStream {
public:
  EntryStream(Reading& reading, const WheelEntry& entry) : m_reading(reading), m_entry(entry) {}

  util::Result<std::size_t> read(std::span<std::byte> out) override
  {
    if (m_reading.error) {
      return *m_reading.error;
    }
    if (out.empty() || !m_entry.regular_file || m_ended) {
      return std::size_t{0};
    }
    if (!m_charged) {  // a bomb is refused before a byte is decompressed
      const std::uint64_t left = m_reading.budget - m_reading.charged;
      if (m_entry.declared_size > left) {
        return fail(error("expands past the wheel's limit of " + std::to_string(m_reading.budget) + " bytes")
                      .with_cause("it declares " + std::to_string(m_entry.declared_size) + " bytes; " +
                                  std::to_string(left) + " bytes of the limit are left"));
      }
      m_reading.charged += m_entry.declared_size;
      m_charged = true;
    }
    la_ssize_t got = 0;
    {
      const Utf8Names names;
      got = archive_read_data(m_reading.reader, out.data(), out.size());
    }
    if (got < 0) {
      return fail(m_reading.client->error
                    ? *m_reading.client->error
                    : libarchive_error(m_reading.reader, "cannot read entry " + shown(m_entry.path) + " of the wheel"));
    }
    const auto count = static_cast<std::uint64_t>(got);
    if (count == 0) {
      m_ended = true;
      if (m_produced < m_entry.declared_size) {
        return fail(error("holds " + std::to_string(m_produced) + " bytes, fewer than its declared " +
                          std::to_string(m_entry.declared_size) + " bytes"));
      }
      return std::size_t{0};
    }
    // Never more than its declared size (charged above), so never past the budget either.
    if (count > m_entry.declared_size - m_produced) {
      return fail(error("holds more than its declared " + std::to_string(m_entry.declared_size) + " bytes"));
    }
    m_produced += count;
    return static_cast<std::size_t>(count);
  }

private:
  util::Error error(const std::string& what) const
  {
    return util::make_error(util::ErrorKind::integrity, "entry " + shown(m_entry.path) + " of the wheel " + what);
  }

  util::Error fail(util::Error error)
  {
    m_reading.error = error;
    return error;
  }

  Reading& m_reading;
  const WheelEntry& m_entry;
  std::uint64_t m_produced = 0;
  bool m_charged = false;
  bool m_ended = false;
};

// The error for a wheel libarchive cannot open: not a zip at all, or a damaged one.
util::Error unopenable(archive* reader, const Client& client)
{
  if (client.error) {
    return *client.error;
  }
  unsigned char head[4] = {};  // "PK" and a record type: 3 4 (an entry), 5 6 (the end), 7 8
  const bool zip_like = ::pread(client.fd, head, sizeof head, 0) == static_cast<ssize_t>(sizeof head) &&
                        head[0] == 'P' && head[1] == 'K' && head[2] < 9 && head[3] < 9;
  return libarchive_error(
           reader, zip_like ? "the wheel is a corrupt or truncated zip archive" : "the wheel is not a zip archive")
    .with_hint("a wheel is a zip archive: the file may be truncated, corrupt or not a wheel; download it again");
}

// The entry libarchive has just read, checked; nullopt for the top folder itself ("./").
util::Result<std::optional<WheelEntry>> describe(archive_entry* entry)
{
  const char* utf8 = archive_entry_pathname_utf8(entry);
  const char* name = utf8 != nullptr ? utf8 : archive_entry_pathname(entry);
  const std::string stored = name != nullptr ? name : "";
  WheelEntry out;
  out.regular_file = archive_entry_filetype(entry) == AE_IFREG && archive_entry_hardlink(entry) == nullptr;
  out.declared_size = archive_entry_size_is_set(entry) != 0
                        ? static_cast<std::uint64_t>(std::max<la_int64_t>(archive_entry_size(entry), 0))
                        : 0;
  auto parts = split_member_name(stored);
  if (parts && parts->empty() && !out.regular_file) {
    return std::optional<WheelEntry>{};
  }
  if (parts && parts->empty()) {
    parts = util::make_error(util::ErrorKind::integrity, "the path names nothing");
  }
  if (!parts) {
    return util::make_error(util::ErrorKind::integrity, "entry " + shown(stored) + " of the wheel has an unsafe path")
      .with_cause(parts.error().message)
      .with_hint("a wheel holds relative paths without `..`: the file is corrupt or malicious");
  }
  out.path = util::join_parts(*parts);
  return std::optional<WheelEntry>{std::move(out)};
}

}  // namespace

std::uint64_t expansion_budget(std::uint64_t archive_size, std::uint64_t max_ratio, std::uint64_t max_total_bytes)
{
  constexpr auto max = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t budget = max;
  if (max_ratio == 0 || archive_size <= max / max_ratio) {
    budget = archive_size * max_ratio;
  }
  budget = budget > max - k_size_slack ? max : budget + k_size_slack;
  return std::min(budget, max_total_bytes);
}

util::Status for_each_wheel_entry(const util::UniqueFd& wheel, const WheelLimits& limits,
                                  const std::function<util::Result<bool>(const WheelEntry&, WheelEntryStream&)>& visit)
{
  struct stat status {};
  if (::fstat(wheel.get(), &status) != 0) {
    return io_error("cannot read the wheel");
  }
  if (!S_ISREG(status.st_mode)) {
    return util::make_error(util::ErrorKind::io, "the wheel is not a regular file");
  }
  Client client;
  client.fd = wheel.get();
  client.size = static_cast<std::uint64_t>(status.st_size);
  ArchivePtr owner(archive_read_new(), archive_read_free);
  archive* reader = owner.get();
  if (reader == nullptr) {
    return util::make_error(util::ErrorKind::internal, "cannot allocate an archive reader");
  }
  // Only the seekable zip reader: entries come from the central directory, the definitive
  // list, and unread data is skipped by seeking, never decompressed.
  if (archive_read_support_format_zip_seekable(reader) != ARCHIVE_OK ||
      archive_read_set_read_callback(reader, read_callback) != ARCHIVE_OK ||
      archive_read_set_seek_callback(reader, seek_callback) != ARCHIVE_OK ||
      archive_read_set_callback_data(reader, &client) != ARCHIVE_OK) {
    return libarchive_error(reader, "cannot set up the wheel's reader");
  }
  Utf8Names names;
  if (const int opened = archive_read_open1(reader); opened != ARCHIVE_OK && opened != ARCHIVE_WARN) {
    return unopenable(reader, client);
  }
  Reading reading;
  reading.reader = reader;
  reading.client = &client;
  reading.budget = expansion_budget(client.size, limits.max_ratio, limits.max_total_bytes);
  std::string previous;
  std::unordered_map<std::string, bool> kinds;  // each path seen: whether a regular file
  std::uint64_t entries = 0;
  archive_entry* header = nullptr;
  while (true) {
    names.enter();  // not while `visit` runs: the caller's locale is its own
    const int next = archive_read_next_header(reader, &header);
    if (next == ARCHIVE_EOF) {
      return util::ok_status();
    }
    if (next != ARCHIVE_OK) {  // a warning too: local and central headers that disagree
      if (client.error) {
        return *client.error;
      }
      return libarchive_error(reader, previous.empty() ? "cannot read the wheel's first entry"
                                                       : "cannot read the wheel after entry " + shown(previous));
    }
    if (++entries > limits.max_entries) {
      return util::make_error(util::ErrorKind::integrity,
                              "the wheel has more than " + std::to_string(limits.max_entries) + " entries");
    }
    auto entry = describe(header);
    if (!entry) {
      return std::move(entry).error();
    }
    if (!*entry) {
      continue;
    }
    // A file named twice (after normalization) is ambiguous: two readers of the wheel, or two
    // passes over it, could each take a different copy. Folders may repeat.
    if (const auto [seen, fresh] = kinds.emplace((*entry)->path, (*entry)->regular_file);
        !fresh && (seen->second || (*entry)->regular_file)) {
      return util::make_error(util::ErrorKind::integrity,
                              "the wheel holds " + shown((*entry)->path) + " more than once")
        .with_hint("a wheel names each file once: the file is corrupt or malicious");
    }
    previous = (*entry)->path;
    names.leave();
    EntryStream stream(reading, **entry);
    auto more = visit(**entry, stream);
    if (!more) {
      return std::move(more).error();
    }
    if (reading.error) {
      return *reading.error;  // the visitor went on past a stream error: the verdict stands
    }
    if (!*more) {
      return util::ok_status();
    }
  }
}

}  // namespace envsetup::install
