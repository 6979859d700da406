// SPDX-License-Identifier: Apache-2.0
#include <envsetup/pyenv/report.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace envsetup::pyenv {
namespace {

constexpr std::size_t max_input = 64U << 20U;
constexpr std::size_t max_entries = 100000;

util::Error bad(std::string what)
{
  return util::make_error(util::ErrorKind::input, "the installer's report cannot be read: " + std::move(what));
}

bool is_sha256(std::string_view text)
{
  return text.size() == 64 &&
         std::ranges::all_of(text, [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

std::string lower(std::string_view text)
{
  std::string out(text);
  std::ranges::transform(out, out.begin(),
                         [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  return out;
}

const nlohmann::json* member(const nlohmann::json& object, const char* key)
{
  if (!object.is_object()) {
    return nullptr;
  }
  const auto found = object.find(key);
  return found == object.end() ? nullptr : &*found;
}

std::string string_member(const nlohmann::json& object, const char* key)
{
  const nlohmann::json* value = member(object, key);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

util::Result<ReportedDistribution> read_entry(const nlohmann::json& entry, std::size_t number)
{
  const std::string where = "install[" + std::to_string(number) + "]";
  const nlohmann::json* metadata = member(entry, "metadata");
  const nlohmann::json* download = member(entry, "download_info");
  if (metadata == nullptr || download == nullptr) {
    return bad(where + " has no metadata or download_info");
  }
  ReportedDistribution out;
  out.name = string_member(*metadata, "name");
  out.version = string_member(*metadata, "version");
  out.url = string_member(*download, "url");
  if (out.name.empty() || out.version.empty() || out.url.empty()) {
    return bad(where + " has no name, version or URL");
  }
  if (member(*download, "dir_info") != nullptr || member(*download, "vcs_info") != nullptr) {
    return bad(where + " (" + out.name + ") is a local folder or a VCS checkout, which a lock cannot pin");
  }
  if (!out.url.starts_with("https://") && !out.url.starts_with("http://") && !out.url.starts_with("file:///")) {
    return bad(where + " (" + out.name + ") has a URL that is not http(s) or file");
  }
  const nlohmann::json* archive = member(*download, "archive_info");
  if (archive != nullptr) {
    std::string hash;
    if (const nlohmann::json* hashes = member(*archive, "hashes")) {
      hash = string_member(*hashes, "sha256");
    }
    const std::string legacy = string_member(*archive, "hash");
    if (hash.empty() && legacy.starts_with("sha256=")) {
      hash = legacy.substr(7);
    }
    if (!hash.empty()) {
      if (!is_sha256(hash)) {
        return bad(where + " (" + out.name + ") has a sha256 that is not 64 hex digits");
      }
      out.sha256.push_back(lower(hash));
    }
  }
  return out;
}

std::string_view trim(std::string_view text)
{
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

util::Result<std::vector<ReportedDistribution>> parse_pip_report(std::string_view json)
{
  if (json.size() > max_input) {
    return bad("larger than 64 MiB");
  }
  const nlohmann::json report = nlohmann::json::parse(json, nullptr, false);
  if (report.is_discarded() || !report.is_object()) {
    return bad("not a JSON object");
  }
  const std::string version = string_member(report, "version");
  if (version != "1") {
    return bad("report version `" + version.substr(0, 20) + "` (this envsetup reads version 1)");
  }
  const nlohmann::json* install = member(report, "install");
  if (install == nullptr || !install->is_array() || install->size() > max_entries) {
    return bad("`install` is not an array of at most 100000 entries");
  }
  std::vector<ReportedDistribution> out;
  std::size_t number = 0;
  for (const nlohmann::json& entry : *install) {
    auto distribution = read_entry(entry, number++);
    if (!distribution) {
      return std::move(distribution).error();
    }
    out.push_back(std::move(*distribution));
  }
  return out;
}

util::Result<std::vector<ReportedDistribution>> parse_uv_compile(std::string_view text)
{
  if (text.size() > max_input) {
    return bad("larger than 64 MiB");
  }
  std::vector<ReportedDistribution> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    std::string_view line = trim(text.substr(start, end - start));
    start = end + 1;
    if (const std::size_t comment = line.find(" #"); comment != std::string_view::npos) {
      line = trim(line.substr(0, comment));
    }
    if (line.ends_with('\\')) {
      line = trim(line.substr(0, line.size() - 1));
    }
    if (line.empty() || line.starts_with('#')) {
      continue;
    }
    if (line.starts_with("--hash=")) {
      const std::string_view hash = line.substr(7);
      if (out.empty() || !hash.starts_with("sha256:") || !is_sha256(hash.substr(7))) {
        return bad("`" + std::string(line.substr(0, 100)) + "` is not a sha256 hash of a requirement");
      }
      out.back().sha256.push_back(lower(hash.substr(7)));
      continue;
    }
    if (line.starts_with('-')) {
      continue;  // --index-url and other options uv writes
    }
    const std::size_t pin = line.find("==");
    const std::string_view name = trim(line.substr(0, pin));
    std::string_view version = pin == std::string_view::npos ? std::string_view() : trim(line.substr(pin + 2));
    version = trim(version.substr(0, version.find(';')));  // an environment marker
    if (pin == std::string_view::npos || name.empty() || version.empty() ||
        name.find_first_of(" <>=!~[;@") != std::string_view::npos || version.find(' ') != std::string_view::npos) {
      return bad("`" + std::string(line.substr(0, 100)) + "` is not a requirement pinned with ==");
    }
    out.push_back(ReportedDistribution{std::string(name), std::string(version), "", {}});
  }
  return out;
}

}  // namespace envsetup::pyenv
