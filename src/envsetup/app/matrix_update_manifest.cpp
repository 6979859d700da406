// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/matrix_update_manifest.hpp>

#include <envsetup/util/sha256.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>

namespace envsetup::app {

namespace {

using nlohmann::json;

util::Error bad_manifest(std::string cause)
{
  return util::make_error(util::ErrorKind::input, "`manifest.json` is not a matrix bundle manifest")
    .with_cause(std::move(cause))
    .with_hint("check that the URL names a bundle written by `envsetup matrix bundle`; nothing was changed");
}

bool is_digits(std::string_view text)
{
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int number(std::string_view text)
{
  int value = 0;
  for (const char c : text) {
    value = value * 10 + (c - '0');
  }
  return value;
}

util::Result<BundleFile> read_file_entry(const std::string& name, const json& entry)
{
  if (!is_bundle_file_name(name)) {
    return bad_manifest("`files` names `" + name.substr(0, 80) +
                        "`: a file name must be 1-64 characters of a-z, 0-9, `_`, `-` then `.json`");
  }
  if (!entry.is_object() || entry.size() != 2 || !entry.contains("sha256") || !entry.contains("size")) {
    return bad_manifest("`files/" + name + "` must be an object with exactly `sha256` and `size`");
  }
  const json& sha = entry["sha256"];
  const json& size = entry["size"];
  if (!sha.is_string() || !util::is_sha256_hex(sha.get_ref<const std::string&>())) {
    return bad_manifest("`files/" + name + "/sha256` is not 64 hex digits");
  }
  if (!size.is_number_unsigned() || size.get<std::uint64_t>() > k_max_bundle_file_bytes) {
    return bad_manifest("`files/" + name + "/size` is not a size of at most " +
                        std::to_string(k_max_bundle_file_bytes) + " bytes");
  }
  std::string hex = sha.get<std::string>();
  std::transform(hex.begin(), hex.end(), hex.begin(), [](char c) { return c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c; });
  return BundleFile{name, hex, size.get<std::uint64_t>()};
}

}  // namespace

bool is_bundle_file_name(std::string_view name)
{
  constexpr std::string_view suffix = ".json";
  if (name.size() <= suffix.size() || name.size() > 64 + suffix.size() || !name.ends_with(suffix) ||
      name == k_manifest_name) {
    return false;
  }
  const auto stem = name.substr(0, name.size() - suffix.size());
  return std::all_of(stem.begin(), stem.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'; });
}

std::optional<std::int64_t> generated_seconds(std::string_view text)
{
  // YYYY-MM-DDTHH:MM:SSZ
  if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':' ||
      text[19] != 'Z') {
    return std::nullopt;
  }
  const std::string_view fields[] = {text.substr(0, 4),  text.substr(5, 2),  text.substr(8, 2),
                                     text.substr(11, 2), text.substr(14, 2), text.substr(17, 2)};
  if (!std::all_of(std::begin(fields), std::end(fields), is_digits)) {
    return std::nullopt;
  }
  using namespace std::chrono;
  const year_month_day date{year{number(fields[0])}, month{static_cast<unsigned>(number(fields[1]))},
                            day{static_cast<unsigned>(number(fields[2]))}};
  const int hour = number(fields[3]);
  const int minute = number(fields[4]);
  const int second = number(fields[5]);
  if (!date.ok() || hour > 23 || minute > 59 || second > 59) {
    return std::nullopt;
  }
  const auto days = sys_days(date).time_since_epoch().count();
  return std::int64_t{days} * 86400 + hour * 3600 + minute * 60 + second;
}

std::string format_generated(std::int64_t seconds)
{
  using namespace std::chrono;
  const auto day_count = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  const std::int64_t rest = seconds - day_count * 86400;
  const year_month_day date{sys_days{days{day_count}}};
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), static_cast<int>(rest / 3600),
                static_cast<int>(rest / 60 % 60), static_cast<int>(rest % 60));
  return text;
}

util::Result<BundleManifest> parse_manifest(std::string_view text)
{
  if (text.size() > k_max_manifest_bytes) {
    return bad_manifest("it is larger than " + std::to_string(k_max_manifest_bytes) + " bytes");
  }
  json document;
  try {
    document = json::parse(text);
  } catch (const json::parse_error& e) {
    return bad_manifest(std::string("not valid JSON: ") + e.what());
  }
  if (!document.is_object()) {
    return bad_manifest("the document is not a JSON object");
  }
  for (const auto& [key, value] : document.items()) {
    if (key != "format" && key != "schema_version" && key != "generated" && key != "key" && key != "files") {
      return bad_manifest("unknown key `" + key.substr(0, 80) + "`");
    }
  }
  BundleManifest manifest;
  const json& format = document.value("format", json());
  if (!format.is_number_integer() || format.get<std::int64_t>() != k_bundle_format) {
    return bad_manifest("`format` is " + format.dump().substr(0, 40) + "; this envsetup reads bundle format 1")
      .with_hint("a newer envsetup may read it: upgrade envsetup");
  }
  const json& schema = document.value("schema_version", json());
  if (!schema.is_number_unsigned() || schema.get<std::uint64_t>() == 0 || schema.get<std::uint64_t>() > 1000000) {
    return bad_manifest("`schema_version` is not a positive integer");
  }
  manifest.schema_version = schema.get<int>();
  const json& generated = document.value("generated", json());
  if (!generated.is_string() || !generated_seconds(generated.get_ref<const std::string&>())) {
    return bad_manifest("`generated` is not a UTC time of the form 2026-12-06T12:00:00Z");
  }
  manifest.generated = generated.get<std::string>();
  const json& key = document.value("key", json());
  if (!key.is_string() || key.get_ref<const std::string&>().size() != 16 ||
      key.get_ref<const std::string&>().find_first_not_of("0123456789abcdef") != std::string::npos) {
    return bad_manifest("`key` is not the 16-hex-digit fingerprint of the signing key");
  }
  manifest.key = key.get<std::string>();
  const json& files = document.value("files", json());
  if (!files.is_object() || files.empty() || files.size() > k_max_bundle_files) {
    return bad_manifest("`files` is not an object of 1 to " + std::to_string(k_max_bundle_files) + " files");
  }
  for (const auto& [name, entry] : files.items()) {
    auto file = read_file_entry(name, entry);
    if (!file) {
      return std::move(file).error();
    }
    manifest.files.push_back(std::move(file).value());
  }
  return manifest;  // nlohmann's object keeps its keys sorted: files are in name order
}

std::string manifest_text(const BundleManifest& manifest)
{
  nlohmann::ordered_json files = nlohmann::ordered_json::object();
  for (const auto& file : manifest.files) {
    files[file.name] = {{"sha256", file.sha256}, {"size", file.size}};
  }
  nlohmann::ordered_json document = {{"format", manifest.format},
                                     {"schema_version", manifest.schema_version},
                                     {"generated", manifest.generated},
                                     {"key", manifest.key},
                                     {"files", files}};
  return document.dump(2) + "\n";
}

BundleManifest describe_files(const std::vector<matrix::SourceFile>& files)
{
  BundleManifest manifest;
  for (const auto& file : files) {
    util::Sha256 hash;
    hash.update(file.content);
    manifest.files.push_back({file.name, hash.hex_digest(), file.content.size()});
  }
  std::sort(manifest.files.begin(), manifest.files.end(),
            [](const BundleFile& a, const BundleFile& b) { return a.name < b.name; });
  return manifest;
}

util::Status check_bundle_files(const BundleManifest& manifest, const std::vector<matrix::SourceFile>& files)
{
  std::map<std::string, const matrix::SourceFile*> by_name;
  for (const auto& file : files) {
    by_name[file.name] = &file;
  }
  for (const auto& expected : manifest.files) {
    const auto found = by_name.find(expected.name);
    if (found == by_name.end()) {
      return util::make_error(util::ErrorKind::integrity, "the bundle lacks `" + expected.name + "`")
        .with_cause("manifest.json lists it");
    }
    const std::string& content = found->second->content;
    if (content.size() != expected.size) {
      return util::make_error(util::ErrorKind::integrity, "`" + expected.name + "` differs from the signed manifest")
        .with_cause("it has " + std::to_string(content.size()) + " bytes; manifest.json says " +
                    std::to_string(expected.size));
    }
    util::Sha256 hash;
    hash.update(content);
    if (const auto actual = hash.hex_digest(); actual != expected.sha256) {
      return util::make_error(util::ErrorKind::integrity, "`" + expected.name + "` differs from the signed manifest")
        .with_cause("its sha256 is " + actual + "; manifest.json says " + expected.sha256);
    }
    by_name.erase(found);
  }
  if (!by_name.empty()) {
    return util::make_error(util::ErrorKind::integrity,
                            "`" + by_name.begin()->first + "` is not listed in the signed manifest");
  }
  return util::ok_status();
}

std::string files_digest(const std::vector<matrix::SourceFile>& files)
{
  std::string lines;
  for (const auto& file : describe_files(files).files) {
    lines += file.sha256 + "  " + file.name + "\n";
  }
  util::Sha256 hash;
  hash.update(lines);
  return hash.hex_digest();
}

}  // namespace envsetup::app
