// SPDX-License-Identifier: Apache-2.0
#include <envsetup/install/receipt.hpp>

#include <envsetup/util/beneath.hpp>
#include <envsetup/util/fs.hpp>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace envsetup::install {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path receipt_path(const fs::path& prefix)
{
  return prefix / ".envsetup" / "receipt.json";
}

std::string file_identity(const struct ::stat& status)
{
  const auto mtime_ns = static_cast<std::int64_t>(status.st_mtim.tv_sec) * 1000000000 + status.st_mtim.tv_nsec;
  return std::to_string(status.st_ino) + ":" + std::to_string(status.st_size) + ":" + std::to_string(mtime_ns);
}

util::Status write_receipt(int root_fd, const Receipt& receipt)
{
  json symlinks = json::object();
  json identities = json::object();
  for (const auto& file : receipt.files) {
    auto parts = util::split_relative_path(file);
    if (!parts) {
      return util::make_error(util::ErrorKind::internal, "a receipt path is unsafe: " + file);
    }
    auto parent = util::open_folder_beneath(root_fd, *parts, parts->size() - 1, false);
    struct stat status {};
    if (parent && util::stat_at(parent->get(), parts->back(), status) && S_ISLNK(status.st_mode)) {
      std::string target(4096, '\0');
      const ssize_t length = ::readlinkat(parent->get(), parts->back().c_str(), target.data(), target.size());
      target.resize(length > 0 ? static_cast<std::size_t>(length) : 0);
      symlinks[file] = target;
    } else if (parent && S_ISREG(status.st_mode)) {
      identities[file] = file_identity(status);
    }
  }
  json archives = json::array();
  for (const auto& archive : receipt.archives) {
    archives.push_back({{"product", archive.product}, {"component", archive.component},
                        {"version", archive.version}, {"sha256", archive.sha256},
                        {"size", archive.size}, {"url", archive.url}});
  }
  const json document = {
    {"schema_version", 1},
    {"request", {{"cuda", receipt.cuda}, {"cudnn", receipt.cudnn}, {"components", receipt.components},
                 {"platform", receipt.platform}}},
    {"manifests", receipt.manifests},
    {"archives", archives},
    {"files", receipt.files},
    {"symlinks", symlinks},
    {"file_identities", identities},
    {"created_at", receipt.created_at},
    {"envsetup_version", receipt.envsetup_version},
  };
  auto folder = util::open_folder_beneath(root_fd, {".envsetup"}, 1, true);
  if (!folder) {
    return std::move(folder).error();
  }
  return util::write_file_atomic_at(folder->get(), "receipt.json", document.dump(2) + "\n");
}

namespace {

// The receipt's text, read without following a link or blocking on a FIFO.
util::Result<std::string> read_receipt_text(int root_fd, const std::string& shown)
{
  auto text = util::read_file_beneath(root_fd, ".envsetup/receipt.json", std::size_t{256} << 20);
  if (!text) {
    return util::make_error(util::ErrorKind::io, "cannot read the receipt `" + shown + "`")
      .with_cause(text.error().causes.empty() ? text.error().message : text.error().causes.front());
  }
  if (!text->has_value()) {
    return util::make_error(util::ErrorKind::io, "cannot read the receipt `" + shown + "`")
      .with_cause("it is missing or not a regular file");
  }
  return std::move(**text);
}

}  // namespace

util::Result<Receipt> read_receipt(const fs::path& prefix)
{
  auto root = util::open_root(prefix, "the prefix", true);  // a prefix is never a symlink
  if (!root) {
    return std::move(root).error();
  }
  return read_receipt(root->get(), receipt_path(prefix).string());
}

util::Result<Receipt> read_receipt(int root_fd, const std::string& shown)
{
  auto text = read_receipt_text(root_fd, shown);
  if (!text) {
    return std::move(text).error();
  }
  const json document = json::parse(*text, nullptr, false);
  auto bad = [&] {
    return util::make_error(util::ErrorKind::input, "the receipt `" + shown + "` is damaged")
      .with_hint("remove the prefix by hand, or reinstall into it");
  };
  // contains() before operator[]: on a const json, [] of a missing key is undefined.
  if (document.is_discarded() || !document.is_object() || !document.contains("request") ||
      !document.contains("files") || !document.contains("archives") || !document["request"].is_object() ||
      !document["files"].is_array() || !document["archives"].is_array()) {
    return bad();
  }
  try {
    Receipt receipt;
    const auto& request = document["request"];
    receipt.cuda = request.value("cuda", "");
    receipt.cudnn = request.value("cudnn", "");
    receipt.components = request.value("components", "");
    receipt.platform = request.value("platform", "");
    receipt.manifests = document.value("manifests", std::vector<std::string>{});
    for (const auto& archive : document["archives"]) {
      receipt.archives.push_back({archive.value("product", ""), archive.value("component", ""),
                                  archive.value("version", ""), archive.value("sha256", ""),
                                  archive.value("size", std::uint64_t{0}), archive.value("url", "")});
    }
    receipt.files = document["files"].get<std::vector<std::string>>();
    if (document.contains("symlinks")) {
      receipt.symlinks = document["symlinks"].get<std::map<std::string, std::string>>();
    }
    if (document.contains("file_identities")) {
      receipt.file_identities = document["file_identities"].get<std::map<std::string, std::string>>();
    }
    for (const auto& file : receipt.files) {
      if (auto parts = util::split_relative_path(file); !parts) {
        return bad().with_cause("it lists `" + file + "`: " + parts.error().message +
                                " (a receipt may only name paths inside its prefix)");
      }
    }
    receipt.created_at = document.value("created_at", "");
    receipt.envsetup_version = document.value("envsetup_version", "");
    return receipt;
  } catch (const json::exception&) {
    return bad();
  }
}

}  // namespace envsetup::install
