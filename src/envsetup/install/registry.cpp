// SPDX-License-Identifier: Apache-2.0
#include <envsetup/install/registry.hpp>

#include <envsetup/util/fs.hpp>
#include <envsetup/util/strings.hpp>

#include <algorithm>
#include <string>

namespace envsetup::install {

namespace fs = std::filesystem;

namespace {

bool usable_line(const std::string& line)
{
  return !line.empty() && line.front() == '/' && !util::find_control_character(line);
}

std::vector<std::string> parse(const std::string& text)
{
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    std::string line = text.substr(start, end - start);
    if (usable_line(line) && std::find(lines.begin(), lines.end(), line) == lines.end()) {
      lines.push_back(std::move(line));
    }
    start = end + 1;
  }
  return lines;
}

}  // namespace

PrefixRegistry::PrefixRegistry(fs::path store_root) : m_root(std::move(store_root)) {}

template <class Change>
util::Status PrefixRegistry::update(Change change) const
{
  auto lock = util::FileLock::acquire(m_root / "prefixes.lock");
  if (!lock) {
    return std::move(lock).error();
  }
  auto lines = parse(util::read_file(m_root / "prefixes.txt").value_or(""));
  if (!change(lines)) {
    return util::ok_status();
  }
  std::string text;
  for (const auto& line : lines) {
    text += line + "\n";
  }
  return util::write_file_atomic(m_root / "prefixes.txt", text);
}

util::Status PrefixRegistry::add(const fs::path& prefix) const
{
  const std::string line = prefix.string();
  if (!usable_line(line)) {
    return util::make_error(util::ErrorKind::usage, "cannot register the prefix `" + line + "`")
      .with_cause("a registered prefix is an absolute path without control characters");
  }
  return update([&](std::vector<std::string>& lines) {
    if (std::find(lines.begin(), lines.end(), line) != lines.end()) {
      return false;
    }
    lines.push_back(line);
    return true;
  });
}

util::Status PrefixRegistry::remove(const fs::path& prefix) const
{
  return update([&](std::vector<std::string>& lines) {
    const auto before = lines.size();
    lines.erase(std::remove(lines.begin(), lines.end(), prefix.string()), lines.end());
    return lines.size() != before;
  });
}

std::vector<fs::path> PrefixRegistry::list() const
{
  const auto lines = parse(util::read_file(m_root / "prefixes.txt").value_or(""));
  return {lines.begin(), lines.end()};
}

}  // namespace envsetup::install
