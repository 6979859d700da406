// SPDX-License-Identifier: Apache-2.0
#include "tree_snapshot.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <sys/stat.h>

namespace envsetup::testing {

namespace fs = std::filesystem;

namespace {

std::uint64_t fnv1a(const fs::path& path)
{
  std::ifstream in(path, std::ios::binary);
  std::uint64_t hash = 14695981039346656037ULL;
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      hash = (hash ^ static_cast<unsigned char>(buffer[i])) * 1099511628211ULL;
    }
  }
  return hash;
}

void visit(const fs::path& root, const fs::path& path, const std::set<fs::path>& excluded, TreeSnapshot& out)
{
  if (excluded.count(path) != 0) {
    return;
  }
  struct stat status {};
  if (::lstat(path.c_str(), &status) != 0) {
    return;
  }
  NodeState node;
  node.type = S_ISREG(status.st_mode) ? 'f' : S_ISDIR(status.st_mode) ? 'd' : S_ISLNK(status.st_mode) ? 'l' : 'o';
  node.mode = static_cast<std::uint32_t>(status.st_mode) & 07777U;
  node.size = static_cast<std::uint64_t>(status.st_size);
  node.inode = static_cast<std::uint64_t>(status.st_ino);
  node.links = static_cast<std::uint64_t>(status.st_nlink);
  node.mtime_ns = static_cast<std::int64_t>(status.st_mtim.tv_sec) * 1000000000LL + status.st_mtim.tv_nsec;
  if (node.type == 'f') {
    node.content_hash = fnv1a(path);
  } else if (node.type == 'l') {
    std::error_code ec;
    node.link_target = fs::read_symlink(path, ec).string();
  }
  const std::string relative = path == root ? "" : path.lexically_relative(root).string();
  out[relative] = node;
  if (node.type == 'd') {
    std::error_code ec;
    for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
      visit(root, it->path(), excluded, out);
    }
  }
}

std::string octal(std::uint32_t mode)
{
  char text[8];
  std::snprintf(text, sizeof text, "%o", mode);
  return text;
}

}  // namespace

TreeSnapshot snapshot_tree(const fs::path& root, const std::set<fs::path>& excluded)
{
  TreeSnapshot snapshot;
  visit(root, root, excluded, snapshot);
  return snapshot;
}

std::vector<std::string> diff_snapshots(const TreeSnapshot& before, const TreeSnapshot& after)
{
  std::vector<std::string> lines;
  for (const auto& [path, old] : before) {
    const auto now = after.find(path);
    if (now == after.end()) {
      lines.push_back("deleted `" + path + "`");
      continue;
    }
    const NodeState& n = now->second;
    std::string what;
    const auto note = [&what](bool differs, const std::string& text) {
      if (differs) {
        what += (what.empty() ? "" : ", ") + text;
      }
    };
    note(old.type != n.type, std::string("type ") + old.type + " -> " + n.type);
    note(old.mode != n.mode, "mode " + octal(old.mode) + " -> " + octal(n.mode));
    note(old.size != n.size, "size " + std::to_string(old.size) + " -> " + std::to_string(n.size));
    note(old.content_hash != n.content_hash, "content");
    note(old.link_target != n.link_target, "link `" + old.link_target + "` -> `" + n.link_target + "`");
    note(old.inode != n.inode, "inode");
    note(old.links != n.links, "links " + std::to_string(old.links) + " -> " + std::to_string(n.links));
    note(old.mtime_ns != n.mtime_ns, "mtime");
    if (!what.empty()) {
      lines.push_back("changed `" + path + "`: " + what);
    }
  }
  for (const auto& [path, node] : after) {
    if (before.count(path) == 0) {
      lines.push_back("created `" + path + "`");
    }
  }
  return lines;
}

fs::path make_canary_tree(const fs::path& root, std::vector<std::string>& names)
{
  fs::create_directories(root / "dir" / "inner");
  fs::create_directories(root / "above" / "staging");
  std::ofstream(root / "file.txt") << "canary file\n";
  std::ofstream(root / "passwd") << "root:x:0:0\n";
  std::ofstream(root / "dir" / "inner" / "deep.txt") << "deep canary\n";
  std::ofstream(root / "above" / "victim.txt") << "beside staging\n";
  fs::create_symlink("file.txt", root / "link-to-file");
  fs::create_symlink(root / "passwd", root / "absolute-link");
  fs::create_symlink("dir", root / "link-to-dir");
  fs::create_symlink("nowhere", root / "dangling");
  fs::create_symlink("../file.txt", root / "above" / "up-link");
  fs::create_symlink("victim.txt", root / "above" / "libx.so");
  names = {"file.txt", "passwd", "dir", "dir/inner", "dir/inner/deep.txt", "link-to-file", "absolute-link",
           "link-to-dir", "dangling", "above", "above/victim.txt", "above/up-link", "above/libx.so", "evil"};
  return root / "above" / "staging";
}

std::vector<std::string> links_leaving(const fs::path& root)
{
  std::vector<std::string> leaving;
  const std::string base = fs::canonical(root).string();
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code resolve;
    if (!it->is_symlink(ec)) {
      continue;
    }
    const std::string resolved = fs::weakly_canonical(it->path(), resolve).string();
    if (!resolve && resolved != base && !resolved.starts_with(base + "/")) {
      leaving.push_back(it->path().lexically_relative(root).string() + " -> " + resolved);
    }
  }
  return leaving;
}

namespace {

std::uint64_t setting(const char* name, std::uint64_t fallback)
{
  const char* text = std::getenv(name);
  return text != nullptr && *text != '\0' ? std::strtoull(text, nullptr, 10) : fallback;
}

}  // namespace

std::vector<std::uint64_t> property_seeds(std::uint64_t runs)
{
  if (std::getenv("ENVSETUP_PROPERTY_SEED") != nullptr) {
    return {setting("ENVSETUP_PROPERTY_SEED", 0)};
  }
  const std::uint64_t first = setting("ENVSETUP_PROPERTY_FIRST_SEED", 1);
  std::vector<std::uint64_t> seeds;
  for (std::uint64_t i = 0; i < setting("ENVSETUP_PROPERTY_RUNS", runs); ++i) {
    seeds.push_back(first + i);
  }
  return seeds;
}

}  // namespace envsetup::testing
