// SPDX-License-Identifier: Apache-2.0
#include <envsetup/pyenv/venv.hpp>
#include <envsetup/pyenv/venv_registry.hpp>

#include <envsetup/util/beneath.hpp>
#include <envsetup/util/fs.hpp>
#include <envsetup/util/strings.hpp>
#include <envsetup/util/template.hpp>
#include <envsetup/util/unique_fd.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace envsetup::pyenv {

namespace fs = std::filesystem;

namespace {

constexpr const char* k_file = "venvs.json";
constexpr const char* k_lock = "venvs.lock";
constexpr const char* k_mark = ".envsetup/venv-id";
constexpr std::size_t k_max_registry = std::size_t{16} << 20;

std::string new_id()
{
  std::array<unsigned char, 16> bytes{};
  util::UniqueFd random(::open("/dev/urandom", O_RDONLY | O_CLOEXEC));
  if (!random.valid() || ::read(random.get(), bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
    throw std::runtime_error("cannot read /dev/urandom");
  }
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string id;
  for (const unsigned char byte : bytes) {
    id += k_hex[byte >> 4];
    id += k_hex[byte & 0xf];
  }
  return id;
}

util::Error usage(const std::string& message)
{
  return util::make_error(util::ErrorKind::usage, message);
}

// The venv folder itself, opened from its parent without following a link in its last
// component (the parent's path is the user's choice, as for --venv). Errors: usage (a link
// or not a folder), io (`missing` set when the folder or its parent does not exist).
struct OpenVenv {
  util::UniqueFd parent;
  util::UniqueFd folder;
};
util::Result<OpenVenv> open_venv(const fs::path& venv, bool& missing)
{
  missing = false;
  auto parent = util::open_root(venv.parent_path(), "the venv's folder");
  if (!parent) {
    struct stat status {};
    missing = ::lstat(venv.parent_path().c_str(), &status) != 0 && errno == ENOENT;
    return std::move(parent).error();
  }
  const std::string name = venv.filename().string();
  util::UniqueFd folder(::openat(parent->get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!folder.valid()) {
    const int saved = errno;
    if (saved == ENOENT) {
      missing = true;
    }
    if (saved == ELOOP || saved == ENOTDIR) {
      return usage(venv.string() + " is a symbolic link or not a folder")
        .with_cause("envsetup deletes only the real folder of a venv it made, never through a link");
    }
    return util::make_error(util::ErrorKind::io, "cannot open " + venv.string()).with_cause(std::strerror(saved));
  }
  return OpenVenv{std::move(parent).value(), std::move(folder)};
}

std::optional<std::string> read_mark(int folder_fd)
{
  auto text = util::read_file_beneath(folder_fd, k_mark, 256);
  if (!text || !text->has_value()) {
    return std::nullopt;
  }
  std::string id = **text;
  while (!id.empty() && (id.back() == '\n' || id.back() == '\r')) {
    id.pop_back();
  }
  return id;
}

util::Status write_mark(const fs::path& venv, const std::string& id)
{
  auto root = util::open_root(venv, "the venv", true);
  if (!root) {
    return std::move(root).error();
  }
  auto folder = util::open_folder_beneath(root->get(), {".envsetup"}, 1, true);
  if (!folder) {
    return std::move(folder).error();
  }
  return util::write_file_atomic_at(folder->get(), "venv-id", id + "\n");
}

}  // namespace

bool has_mark(const fs::path& venv, const std::string& id)
{
  bool missing = false;
  auto opened = open_venv(venv, missing);
  return opened && read_mark(opened->folder.get()) == id;
}

VenvRegistry::VenvRegistry(fs::path store_root) : m_root(std::move(store_root)) {}

template <class Change>
util::Status VenvRegistry::update(Change change) const
{
  std::error_code ec;
  fs::create_directories(m_root, ec);
  auto lock = util::FileLock::acquire(m_root / k_lock);
  if (!lock) {
    return std::move(lock).error();
  }
  auto records = list();
  auto changed = change(records);
  if (!changed) {
    return std::move(changed).error();
  }
  if (!*changed) {
    return util::ok_status();
  }
  auto root = util::open_root(m_root, "the store");
  if (!root) {
    return std::move(root).error();
  }
  return util::write_file_atomic_at(root->get(), k_file, registry_text(records));
}

util::Result<VenvRecord> VenvRegistry::add(VenvRecord record) const
{
  record.venv = registry_key(record.venv);
  if (!usable_venv_path(record.venv.string())) {
    return usage("cannot register the venv `" + record.venv.string() + "`")
      .with_cause("a registered venv is an absolute path without control characters");
  }
  VenvRecord stored;
  auto updated = update([&](std::vector<VenvRecord>& records) -> util::Result<bool> {
    const auto old =
      std::find_if(records.begin(), records.end(), [&](const VenvRecord& other) { return other.venv == record.venv; });
    if (old != records.end() && has_mark(record.venv, old->id)) {
      record.id = old->id;
      record.created_at = old->created_at.empty() ? record.created_at : old->created_at;
    } else {
      record.id = new_id();
      ENVSETUP_TRY(write_mark(record.venv, record.id));
    }
    if (old != records.end()) {
      *old = record;
    } else {
      records.push_back(record);
    }
    stored = record;
    return true;
  });
  if (!updated) {
    return std::move(updated).error();
  }
  return stored;
}

std::vector<VenvRecord> VenvRegistry::list() const
{
  auto root = util::open_root(m_root, "the store");
  if (!root) {
    return {};
  }
  auto text = util::read_file_beneath(root->get(), k_file, k_max_registry);
  if (!text || !text->has_value()) {
    return {};
  }
  return parse_registry(**text);
}

util::Result<VenvRemoval> VenvRegistry::remove(const fs::path& requested) const
{
  const fs::path venv = registry_key(requested);
  VenvRemoval removal;
  auto updated = update([&](std::vector<VenvRecord>& records) -> util::Result<bool> {
    const auto found =
      std::find_if(records.begin(), records.end(), [&](const VenvRecord& other) { return other.venv == venv; });
    if (found == records.end()) {
      return usage(venv.string() + " is not a venv envsetup made")
        .with_cause("envsetup removes only the venvs its registry lists")
        .with_hint("run `envsetup envs list` for them");
    }
    bool missing = false;
    auto opened = open_venv(venv, missing);
    if (!opened && !missing) {
      return std::move(opened).error();
    }
    if (opened) {
      if (read_mark(opened->folder.get()) != found->id) {
        return usage(venv.string() + " is not the venv envsetup recorded there")
          .with_cause("its " + std::string(k_mark) + " is missing or names another venv; nothing was deleted")
          .with_hint("delete it yourself if it is yours; `envsetup envs remove --forget " +
                     util::shell_word(venv.string()) + "` drops the registry entry only");
      }
      ENVSETUP_TRY(remove_venv_at(opened->folder.get(), venv));
      const std::string name = venv.filename().string();
      if (::unlinkat(opened->parent.get(), name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
        return util::make_error(util::ErrorKind::io, "cannot remove the folder " + venv.string())
          .with_cause(std::strerror(errno));
      }
      removal.existed = true;
    }
    records.erase(found);
    return true;
  });
  if (!updated) {
    return std::move(updated).error();
  }
  return removal;
}

util::Status VenvRegistry::forget(const fs::path& requested) const
{
  const fs::path venv = registry_key(requested);
  return update([&](std::vector<VenvRecord>& records) -> util::Result<bool> {
    const auto before = records.size();
    std::erase_if(records, [&](const VenvRecord& other) { return other.venv == venv; });
    if (records.size() == before) {
      return usage(venv.string() + " is not in the registry of venvs").with_hint("run `envsetup envs list` for them");
    }
    return true;
  });
}

}  // namespace envsetup::pyenv
