// SPDX-License-Identifier: Apache-2.0
#include <envsetup/fetch/manifest.hpp>

#include <envsetup/util/sha256.hpp>
#include <envsetup/util/strings.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>

namespace envsetup::fetch {

namespace {

using nlohmann::json;

// Keys of a component object that are not platforms.
bool is_metadata_key(const std::string& key)
{
  return key == "name" || key == "license" || key == "license_path" || key == "version" ||
         key == "cuda_variant";
}

// `text` for a message: control bytes, backslashes, quotes and bytes >= 0x7f as \xNN,
// at most 80 characters (then "...").
std::string escaped(std::string_view text)
{
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string shown;
  for (const char c : text.substr(0, 80)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f || c == '\\' || c == '`' || c == '"') {
      shown += "\\x";
      shown += k_hex[byte >> 4];
      shown += k_hex[byte & 0xf];
    } else {
      shown += c;
    }
  }
  if (text.size() > 80) {
    shown += "...";
  }
  return shown;
}

// A relative path below the redist folder: no absolute or `..` part, no empty path, no
// control sequence (util::control_sequence_length: C0, C1, bidi overrides) or backslash, at
// most 1024 bytes.
bool is_safe_relative_path(std::string_view path)
{
  if (path.empty() || path.size() > 1024 || path.front() == '/') {
    return false;
  }
  const bool odd_byte = path.find('\\') != std::string_view::npos || util::find_control_character(path).has_value();
  if (odd_byte) {
    return false;
  }
  for (const auto part : util::split(path, '/')) {
    if (part == "..") {
      return false;
    }
  }
  return path.back() != '/';
}

util::Error refused(const std::string& origin, const std::string& why)
{
  return util::make_error(util::ErrorKind::integrity, "refused manifest `" + origin + "`")
    .with_cause(why)
    .with_hint("the manifest names paths that could leave their folder: the mirror serving it is damaged or "
               "hostile; use another --mirror");
}

util::Result<Archive> parse_archive(const json& value, const std::string& where,
                                    const std::string& origin)
{
  auto fail = [&](const std::string& why) {
    return util::make_error(util::ErrorKind::input, "invalid manifest `" + origin + "`")
      .with_cause(where + ": " + why)
      .with_hint("the manifest or the mirror serving it is damaged; fetch it again or use another --mirror");
  };
  if (!value.is_object()) {
    return fail("expected an object");
  }
  Archive archive;
  for (const char* key : {"relative_path", "sha256", "size"}) {
    if (!value.contains(key) || !value[key].is_string()) {
      return fail("missing or non-string `" + std::string(key) + "`");
    }
  }
  archive.relative_path = value["relative_path"].get<std::string>();
  if (!is_safe_relative_path(archive.relative_path)) {
    return refused(origin, where + ": unsafe relative_path `" + escaped(archive.relative_path) +
                             "` (absolute, with `..`, a backslash or a control character)");
  }
  archive.sha256 = value["sha256"].get<std::string>();
  if (!util::is_sha256_hex(archive.sha256)) {
    return fail("sha256 `" + archive.sha256 + "` is not 64 hex digits");
  }
  std::transform(archive.sha256.begin(), archive.sha256.end(), archive.sha256.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto size = value["size"].get<std::string>();
  const auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), archive.size);
  if (ec != std::errc{} || end != size.data() + size.size() || size.empty()) {
    return fail("size `" + size + "` is not a number of bytes");
  }
  if (value.contains("md5") && value["md5"].is_string()) {
    archive.md5 = value["md5"].get<std::string>();
  }
  return archive;
}

// The string `key` of `object`, or "" when it is missing or not a string (manifests are
// untrusted: a field of another type never throws).
std::string string_or_empty(const json& object, const char* key)
{
  const auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

util::Result<Component> parse_component(const std::string& id, const json& value,
                                        const std::string& origin)
{
  Component component;
  component.id = id;
  component.name = string_or_empty(value, "name");
  component.license = string_or_empty(value, "license");
  if (!value.contains("version") || !value["version"].is_string()) {
    return util::make_error(util::ErrorKind::input, "invalid manifest `" + origin + "`")
      .with_cause(id + ": missing `version`");
  }
  component.version = value["version"].get<std::string>();
  for (const auto& [key, entry] : value.items()) {
    if (is_metadata_key(key) || !entry.is_object()) {
      continue;
    }
    const bool nested = std::any_of(entry.items().begin(), entry.items().end(), [](const auto& item) {
      return item.key().starts_with("cuda") && item.value().is_object();
    });
    if (!nested) {
      auto archive = parse_archive(entry, id + "." + key, origin);
      if (!archive) {
        return std::move(archive).error();
      }
      component.platforms.emplace(key, std::move(archive).value());
      continue;
    }
    for (const auto& [variant, archive_value] : entry.items()) {
      if (!variant.starts_with("cuda") || !archive_value.is_object()) {
        continue;  // e.g. the direct relative_path of 9.27's windows-arm64 entry
      }
      auto archive = parse_archive(archive_value, id + "." + key + "." + variant, origin);
      if (!archive) {
        return std::move(archive).error();
      }
      component.variants[key].emplace(variant, std::move(archive).value());
    }
  }
  return component;
}

}  // namespace

const Component* Manifest::find(std::string_view id) const
{
  const auto it = components.find(std::string(id));
  return it == components.end() ? nullptr : &it->second;
}

util::Result<Manifest> parse_manifest(std::string_view text, const std::string& product,
                                      const std::string& origin)
{
  const json document = json::parse(text, nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    return util::make_error(util::ErrorKind::input, "invalid manifest `" + origin + "`")
      .with_cause("it is not a JSON object")
      .with_hint("check that the URL serves NVIDIA's redistrib JSON (a proxy or captive portal may answer HTML)");
  }
  Manifest manifest;
  manifest.product = product;
  manifest.label = string_or_empty(document, "release_label");
  manifest.release_date = string_or_empty(document, "release_date");
  for (const auto& [key, value] : document.items()) {
    if (!value.is_object()) {
      continue;  // release_date, release_label, release_product
    }
    if (!util::is_plain_name(key)) {  // keys become folder names downstream
      return refused(origin, "unsafe component key `" + escaped(key) +
                               "`: keys are 1-128 of A-Z a-z 0-9 . _ + - and do not start with `.` or `-`");
    }
    auto component = parse_component(key, value, origin);
    if (!component) {
      return std::move(component).error();
    }
    manifest.components.emplace(key, std::move(component).value());
  }
  if (manifest.components.empty()) {
    return util::make_error(util::ErrorKind::input, "invalid manifest `" + origin + "`")
      .with_cause("it lists no component");
  }
  return manifest;
}

util::Result<Archive> select_archive(const Component& component, const std::string& platform,
                                     std::optional<int> cuda_major)
{
  if (const auto it = component.platforms.find(platform); it != component.platforms.end()) {
    return it->second;
  }
  const auto variants = component.variants.find(platform);
  if (variants == component.variants.end()) {
    std::vector<std::string> available;
    for (const auto& [name, archive] : component.platforms) {
      available.push_back(name);
    }
    for (const auto& [name, archives] : component.variants) {
      available.push_back(name);
    }
    return util::make_error(util::ErrorKind::usage,
                            "`" + component.id + "` has no archive for platform `" + platform + "`")
      .with_hint("it has: " + util::join(available, ", "));
  }
  const auto& archives = variants->second;
  if (!cuda_major) {
    return archives.rbegin()->second;  // "cuda13" sorts after "cuda12"
  }
  const auto it = archives.find("cuda" + std::to_string(*cuda_major));
  if (it == archives.end()) {
    std::vector<std::string> available;
    for (const auto& [name, archive] : archives) {
      available.push_back(name);
    }
    return util::make_error(util::ErrorKind::usage,
                            "`" + component.id + " " + component.version + "` has no build for CUDA " +
                              std::to_string(*cuda_major) + " on `" + platform + "`")
      .with_hint("it has: " + util::join(available, ", "));
  }
  return it->second;
}

}  // namespace envsetup::fetch
