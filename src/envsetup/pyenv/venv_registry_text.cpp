// SPDX-License-Identifier: Apache-2.0
// The text of STORE/venvs.json (pyenv::VenvRegistry): written, and read as untrusted input.
#include <envsetup/pyenv/venv_registry.hpp>

#include <envsetup/util/sha256.hpp>
#include <envsetup/util/strings.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>

namespace envsetup::pyenv {

namespace fs = std::filesystem;

namespace {

bool usable_path(const std::string& path)
{
  return !path.empty() && path.front() == '/' && !util::find_control_character(path);
}

bool usable_id(const std::string& id)
{
  return id.size() == 32 &&
         std::all_of(id.begin(), id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

bool usable_venv_path(const std::string& path)
{
  return usable_path(path);
}

fs::path registry_key(const fs::path& venv)
{
  fs::path key = fs::absolute(venv).lexically_normal();
  if (key.filename().empty() && key.has_parent_path() && key != key.root_path()) {
    key = key.parent_path();
  }
  return key;
}

std::string registry_text(const std::vector<VenvRecord>& records)
{
  nlohmann::json venvs = nlohmann::json::array();
  for (const auto& record : records) {
    venvs.push_back({{"venv", record.venv.string()},
                     {"id", record.id},
                     {"source", record.source},
                     {"distribution", record.distribution},
                     {"version", record.version},
                     {"python", record.python},
                     {"toolkit_prefix", record.toolkit_prefix ? record.toolkit_prefix->string() : ""},
                     {"lockfile", record.lockfile ? record.lockfile->string() : ""},
                     {"archives", record.archives},
                     {"created_at", record.created_at}});
  }
  return nlohmann::json{{"schema_version", 1}, {"venvs", venvs}}.dump(2, ' ', false,
                                                                      nlohmann::json::error_handler_t::replace) +
         "\n";
}

std::vector<VenvRecord> parse_registry(const std::string& text)
{
  std::vector<VenvRecord> records;
  const auto document = nlohmann::json::parse(text, nullptr, false);
  if (!document.is_object() || !document.contains("venvs") || !document["venvs"].is_array()) {
    return records;
  }
  auto text_of = [](const nlohmann::json& item, const char* key) {
    const auto found = item.find(key);
    return found != item.end() && found->is_string() && !util::find_control_character(found->get<std::string>())
             ? found->get<std::string>()
             : std::string();
  };
  for (const auto& item : document["venvs"]) {
    if (!item.is_object()) {
      continue;
    }
    VenvRecord record;
    const std::string venv = text_of(item, "venv");
    record.id = text_of(item, "id");
    if (!usable_path(venv) || !usable_id(record.id) || registry_key(venv) != fs::path(venv)) {
      continue;
    }
    record.venv = venv;
    record.source = text_of(item, "source");
    record.distribution = text_of(item, "distribution");
    record.version = text_of(item, "version");
    record.python = text_of(item, "python");
    record.created_at = text_of(item, "created_at");
    if (const auto prefix = text_of(item, "toolkit_prefix"); usable_path(prefix)) {
      record.toolkit_prefix = prefix;
    }
    if (const auto lockfile = text_of(item, "lockfile"); usable_path(lockfile)) {
      record.lockfile = lockfile;
    }
    if (const auto archives = item.find("archives"); archives != item.end() && archives->is_array()) {
      for (const auto& sha256 : *archives) {
        if (sha256.is_string() && util::is_sha256_hex(sha256.get<std::string>())) {
          record.archives.push_back(sha256.get<std::string>());
        }
      }
    }
    const bool duplicate =
      std::any_of(records.begin(), records.end(), [&](const VenvRecord& other) { return other.venv == record.venv; });
    if (!duplicate) {
      records.push_back(std::move(record));
    }
  }
  return records;
}

}  // namespace envsetup::pyenv
