// SPDX-License-Identifier: Apache-2.0
#include <envsetup/install/tree_record.hpp>

#include <envsetup/util/beneath.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace envsetup::install {

namespace {

constexpr int k_max_depth = 256;

util::Error io_error(const std::string& what, int saved)
{
  return util::make_error(util::ErrorKind::io, what).with_cause(std::strerror(saved));
}

util::Status scan_folder(int folder_fd, const std::string& prefix, int depth, bool refuse_other,
                         std::vector<TreeEntry>& out)
{
  if (depth > k_max_depth) {
    return util::make_error(util::ErrorKind::integrity, "folders nested too deeply at `" + prefix + "`");
  }
  auto names = util::list_folder(folder_fd);
  if (!names) {
    return std::move(names).error();
  }
  for (const auto& name : *names) {
    struct stat status {};
    if (!util::stat_at(folder_fd, name, status)) {
      if (errno == ENOENT) {
        continue;  // removed since it was listed (another envsetup, or the user): not there
      }
      return io_error("cannot inspect `" + prefix + name + "`", errno);
    }
    TreeEntry entry;
    entry.path = prefix + name;
    entry.mode = static_cast<std::uint32_t>(status.st_mode) & 07777U;
    if (S_ISREG(status.st_mode)) {
      entry.size = static_cast<std::uint64_t>(status.st_size);
      entry.mtime_ns = static_cast<std::int64_t>(status.st_mtim.tv_sec) * 1000000000 + status.st_mtim.tv_nsec;
    } else if (S_ISLNK(status.st_mode)) {
      entry.type = TreeEntry::Type::symlink;
      entry.mode = 0;
      std::string target(static_cast<std::size_t>(status.st_size) + 1, '\0');
      const ssize_t length = ::readlinkat(folder_fd, name.c_str(), target.data(), target.size());
      if (length < 0 && errno == ENOENT) {
        continue;  // removed since it was inspected
      }
      if (length < 0 || static_cast<std::size_t>(length) >= target.size()) {
        return io_error("cannot read the symlink `" + entry.path + "`", length < 0 ? errno : EOVERFLOW);
      }
      target.resize(static_cast<std::size_t>(length));
      entry.link_target = std::move(target);
    } else if (S_ISDIR(status.st_mode)) {
      entry.type = TreeEntry::Type::folder;
    } else if (refuse_other) {
      return util::make_error(util::ErrorKind::integrity, "`" + entry.path + "` is not a file, folder or symlink");
    } else {
      entry.type = TreeEntry::Type::other;
    }
    out.push_back(entry);
    if (entry.type == TreeEntry::Type::folder) {
      util::UniqueFd child(::openat(folder_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!child.valid() && errno == ENOENT) {
        out.pop_back();  // removed since it was inspected
        continue;
      }
      if (!child.valid()) {
        return io_error("cannot open `" + entry.path + "`", errno);
      }
      ENVSETUP_TRY(scan_folder(child.get(), entry.path + "/", depth + 1, refuse_other, out));
    }
  }
  return util::ok_status();
}

const char* type_name(TreeEntry::Type type)
{
  return type == TreeEntry::Type::file     ? "file"
         : type == TreeEntry::Type::folder ? "folder"
         : type == TreeEntry::Type::symlink ? "symlink"
                                            : "other";
}

}  // namespace

util::Result<std::vector<TreeEntry>> scan_tree(int root_fd, bool refuse_other)
{
  std::vector<TreeEntry> entries;
  ENVSETUP_TRY(scan_folder(root_fd, "", 0, refuse_other, entries));
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return entries;
}

std::string tree_record_text(const std::vector<TreeEntry>& entries)
{
  nlohmann::json list = nlohmann::json::array();
  for (const auto& entry : entries) {
    list.push_back({entry.path, type_name(entry.type), entry.size, entry.mode, entry.mtime_ns, entry.link_target});
  }
  return nlohmann::json{{"schema_version", 1}, {"entries", list}}.dump() + "\n";
}

util::Result<std::vector<TreeEntry>> parse_tree_record(const std::string& text)
{
  auto bad = [] { return util::make_error(util::ErrorKind::integrity, "the tree record is damaged"); };
  const auto document = nlohmann::json::parse(text, nullptr, false);
  if (!document.is_object()) {
    return bad();
  }
  const auto version = document.find("schema_version");
  const auto list = document.find("entries");
  if (version == document.end() || !version->is_number_integer() || *version != 1 || list == document.end() ||
      !list->is_array()) {
    return bad();
  }
  std::vector<TreeEntry> entries;
  try {
    for (const auto& item : *list) {
      TreeEntry entry;
      entry.path = item.at(0).get<std::string>();
      const auto type = item.at(1).get<std::string>();
      if (type != "file" && type != "folder" && type != "symlink") {
        return bad();
      }
      entry.type = type == "file"     ? TreeEntry::Type::file
                   : type == "folder" ? TreeEntry::Type::folder
                                      : TreeEntry::Type::symlink;
      entry.size = item.at(2).get<std::uint64_t>();
      entry.mode = item.at(3).get<std::uint32_t>();
      entry.mtime_ns = item.at(4).get<std::int64_t>();
      entry.link_target = item.at(5).get<std::string>();
      entries.push_back(std::move(entry));
    }
  } catch (const nlohmann::json::exception&) {
    return bad();
  }
  return entries;
}

std::string first_difference(const std::vector<TreeEntry>& recorded, const std::vector<TreeEntry>& actual)
{
  std::size_t i = 0;
  while (i < recorded.size() && i < actual.size() && recorded[i] == actual[i]) {
    ++i;
  }
  if (i == recorded.size() && i == actual.size()) {
    return "";
  }
  if (i == actual.size() || (i < recorded.size() && recorded[i].path < actual[i].path)) {
    return "`" + recorded[i].path + "` is missing";
  }
  if (i == recorded.size() || actual[i].path < recorded[i].path) {
    return "`" + actual[i].path + "` was added";
  }
  return "`" + actual[i].path + "` changed since it was extracted";
}

}  // namespace envsetup::install
