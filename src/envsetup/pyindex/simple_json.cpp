// SPDX-License-Identifier: Apache-2.0
// PEP 691 project pages.
#include <envsetup/pyindex/simple_index.hpp>

#include <envsetup/util/strings.hpp>

#include <nlohmann/json.hpp>

namespace envsetup::pyindex {

namespace {

util::Error bad_page(std::string cause)
{
  return util::make_error(util::ErrorKind::input, "the index page is not a PEP 691 project page")
    .with_cause(std::move(cause));
}

}  // namespace

util::Result<std::vector<IndexFile>> parse_simple_json(std::string_view text)
{
  if (text.size() > k_max_page_bytes) {
    return bad_page("it is larger than " + std::to_string(k_max_page_bytes) + " bytes");
  }
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return bad_page("it is not a JSON object");
  }
  const auto meta = json.find("meta");
  if (meta != json.end() && meta->is_object()) {
    const auto version = meta->find("api-version");
    if (version != meta->end() && (!version->is_string() || !version->get<std::string>().starts_with("1."))) {
      return bad_page("its api-version is not 1.x");
    }
  }
  const auto files = json.find("files");
  if (files == json.end() || !files->is_array()) {
    return bad_page("it has no `files` array");
  }
  if (files->size() > k_max_files) {
    return bad_page("it lists more than " + std::to_string(k_max_files) + " files");
  }
  std::vector<IndexFile> result;
  result.reserve(files->size());
  for (const auto& entry : *files) {
    const auto filename = entry.is_object() ? entry.find("filename") : entry.end();
    if (!entry.is_object() || filename == entry.end() || !filename->is_string()) {
      return bad_page("a `files` entry has no string `filename`");
    }
    IndexFile file;
    file.filename = filename->get<std::string>();
    if (const auto url = entry.find("url"); url != entry.end() && url->is_string()) {
      file.url = url->get<std::string>();
    }
    if (const auto yanked = entry.find("yanked"); yanked != entry.end()) {
      file.yanked = yanked->is_string() || (yanked->is_boolean() && yanked->get<bool>());
    }
    result.push_back(std::move(file));
  }
  return result;
}

util::Result<std::vector<IndexFile>> parse_simple_page(std::string_view text, std::string_view content_type)
{
  const auto semicolon = content_type.find(';');
  const auto type = util::trim(content_type.substr(0, semicolon));
  bool json = type == k_simple_json_type || type == "application/vnd.pypi.simple.latest+json";
  if (type.empty()) {
    const auto start = text.find_first_not_of(" \t\r\n");
    json = start != std::string_view::npos && text[start] == '{';
  }
  return json ? parse_simple_json(text) : parse_simple_html(text);
}

}  // namespace envsetup::pyindex
