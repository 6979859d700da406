// SPDX-License-Identifier: Apache-2.0
#include "archive_set_generator.hpp"

#include <random>
#include <utility>

namespace envsetup::testing {

namespace {

// Draws from one mt19937_64 (its output is fixed by the standard; the distributions are not).
class Draw {
public:
  explicit Draw(std::uint64_t seed) : m_engine(seed) {}
  std::size_t below(std::size_t count) { return count == 0 ? 0 : static_cast<std::size_t>(m_engine() % count); }
  bool chance(std::size_t percent) { return below(100) < percent; }
  template <typename T> const T& pick(const std::vector<T>& from) { return from[below(from.size())]; }

private:
  std::mt19937_64 m_engine;
};

std::size_t depth_of(const std::string& relative)
{
  std::size_t depth = 0;
  for (const char c : relative) {
    depth += c == '/' ? 1 : 0;
  }
  return depth;
}

std::string climbs(std::size_t count)
{
  std::string up;
  for (std::size_t i = 0; i < count; ++i) {
    up += "../";
  }
  return up;
}

// Paths below the top folder, shared by every archive of the set so that they collide.
std::vector<std::string> path_pool(Draw& draw)
{
  const std::vector<std::string> folders = {
    "", "lib", "include", "bin", "lib/stubs", "share/doc", "with space", "ünï cødé", "-rf", "...",
    "..a", ".hidden", std::string(210, 'L'), "lib/" + std::string(200, 'M'),
    "d0/d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/d11/d12/d13/d14/d15/d16/d17/d18/d19"};
  const std::vector<std::string> leaves = {"libx.so", "libx.so.1", "README", "-n", "...", "with space.txt",
                                           "naïve.h", "..x", "a..", std::string(220, 'N') + ".so", "LICENSE"};
  std::vector<std::string> pool;
  for (std::size_t i = 0; i < 24; ++i) {
    const std::string& folder = draw.pick(folders);
    pool.push_back(folder.empty() ? draw.pick(leaves) : folder + "/" + draw.pick(leaves));
  }
  return pool;
}

struct ArchiveDraft {
  Draw& draw;
  const ArchiveSetOptions& options;
  const std::vector<std::string>& pool;
  std::string top;
  std::vector<ArchiveMember> members;
  std::vector<std::string> files;     // relative paths of files written so far
  std::vector<std::string> symlinks;  // relative paths of symlinks written so far
  bool hostile = false;               // else only what a careless packager writes

  std::string outside_name() { return options.outside_names.empty() ? "passwd" : draw.pick(options.outside_names); }
  std::string outside_folder() const { return options.outside.empty() ? "/etc" : options.outside; }
  std::string under_top(const std::string& relative) { return draw.chance(95) ? top + "/" + relative : relative; }

  std::string symlink_target(const std::string& relative)
  {
    const std::size_t depth = depth_of(relative);
    const std::size_t careless[] = {0, 1, 4, 7};
    switch (hostile ? draw.below(9) : careless[draw.below(4)]) {
    case 0: return "libx.so.1";                                             // a sibling
    case 1: return climbs(depth) + draw.pick(pool);                        // a chain to a shared path
    case 2: return climbs(depth + 1 + draw.below(3)) + outside_name();     // escapes with `..`
    case 3: return outside_folder() + "/" + outside_name();                // absolute
    case 4: return relative.substr(relative.rfind('/') + 1);               // itself
    case 5: return draw.chance(50) ? "." : "..";                           // its folder, or above
    case 6: return "a/../" + climbs(depth + 2) + outside_name();           // `..` after a name
    case 7: return symlinks.empty() ? "x" : climbs(depth) + draw.pick(symlinks);  // through a link
    default: return climbs(depth) + draw.pick(pool) + "/../" + outside_name();
    }
  }

  void add_entry()
  {
    const std::string relative = draw.pick(pool);
    const std::uint32_t modes[] = {0644, 0755, 0777, 0600, 04755, 0666};
    std::size_t kind = draw.below(20);
    if (!hostile && (kind == 16 || kind == 17)) {
      kind = 0;
    }
    switch (kind) {
    case 0: case 1: case 2: case 3: case 4: case 5: case 6: {
      const std::vector<std::string> contents = {"same", "other", std::string(draw.below(3000), 'z')};
      members.push_back(file_member(under_top(relative), draw.pick(contents), modes[draw.below(6)]));
      files.push_back(relative);
      return;
    }
    case 7: case 8:
      members.push_back(dir_member(under_top(relative) + "/", modes[draw.below(6)]));
      return;
    case 9: case 10: case 11: case 12:
      members.push_back(symlink_member(under_top(relative), symlink_target(relative)));
      symlinks.push_back(relative);
      return;
    case 13: {  // a pair that loops: a -> b, b -> a
      const std::string other = draw.pick(pool);
      members.push_back(symlink_member(under_top(relative), climbs(depth_of(relative)) + other));
      members.push_back(symlink_member(under_top(other), climbs(depth_of(other)) + relative));
      return;
    }
    case 14: case 15: {
      if (!hostile) {
        if (!files.empty()) {
          members.push_back(hardlink_member(under_top(relative), top + "/" + draw.pick(files)));
        }
        return;
      }
      const std::vector<std::string> targets = {
        files.empty() ? top + "/missing" : top + "/" + draw.pick(files), top + "/missing", "../../" + outside_name(),
        outside_folder() + "/" + outside_name(), top + "/" + relative};
      members.push_back(hardlink_member(under_top(relative), draw.pick(targets)));
      return;
    }
    case 16:  // a write through a symlink this archive made
      if (!symlinks.empty()) {
        members.push_back(file_member(top + "/" + draw.pick(symlinks) + "/pwned", "through a link"));
      }
      return;
    case 17: {
      const std::vector<std::string> names = {"../evil", top + "/../../evil", outside_folder() + "/evil-absolute",
                                              "./" + top + "/./x", top + "//lib///y"};
      members.push_back(file_member(draw.pick(names), "attack"));
      return;
    }
    default: members.push_back(dir_member(top + "/" + relative + "/deeper/")); return;
    }
  }
};

}  // namespace

std::vector<GeneratedArchive> generate_archive_set(std::uint64_t seed, const ArchiveSetOptions& options)
{
  Draw draw(seed);
  const std::vector<std::string> pool = path_pool(draw);
  std::vector<GeneratedArchive> set;
  for (std::size_t i = 1; i <= options.archives; ++i) {
    GeneratedArchive archive;
    archive.component = "comp" + std::to_string(i);
    const std::string top = archive.component + "-linux-x86_64-1." + std::to_string(i) + "-archive";
    archive.file_name = top + ".tar.xz";
    ArchiveDraft draft{draw, options, pool, top, {}, {}, {}, draw.chance(50)};
    if (draw.chance(85)) {
      draft.members.push_back(dir_member(top + "/"));
    }
    const std::size_t entries = 1 + draw.below(draft.hostile ? options.max_entries : options.max_entries / 3 + 1);
    for (std::size_t n = 0; n < entries; ++n) {
      draft.add_entry();
    }
    archive.members = std::move(draft.members);
    set.push_back(std::move(archive));
  }
  return set;
}

std::string write_archive_set(const std::vector<GeneratedArchive>& set, const std::filesystem::path& folder)
{
  for (const GeneratedArchive& archive : set) {
    const std::string problem = write_archive(folder / archive.file_name, archive.members, ArchiveFormat::tar_xz);
    if (!problem.empty()) {
      return archive.file_name + ": " + problem;
    }
  }
  return "";
}

std::string describe_archive_set(const std::vector<GeneratedArchive>& set)
{
  using Kind = ArchiveMember::Kind;
  std::string text;
  for (const GeneratedArchive& archive : set) {
    text += archive.file_name + ":\n";
    for (const ArchiveMember& member : archive.members) {
      const char* kind = member.kind == Kind::directory ? "dir     "
                         : member.kind == Kind::symlink ? "symlink "
                         : member.kind == Kind::hardlink ? "hardlink"
                                                         : "file    ";
      text += std::string("  ") + kind + " " + member.path;
      if (!member.link.empty()) {
        text += " -> " + member.link;
      }
      text += "\n";
    }
  }
  return text;
}

}  // namespace envsetup::testing
