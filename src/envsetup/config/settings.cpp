// SPDX-License-Identifier: Apache-2.0
// The keys, where the files are, and the order in which a value wins.
#include <envsetup/config/settings.hpp>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace envsetup::config {

const std::vector<KeyInfo>& all_keys()
{
  static const std::vector<KeyInfo> keys = {
    {Key::mirror, "mirror", "mirror", "ENVSETUP_MIRROR", ValueKind::source,
     "replaces NVIDIA's download root (a folder or an http://, https://, file:// URL)"},
    {Key::wheel_mirror, "wheel_mirror", "wheel-mirror", "", ValueKind::index_url,
     "the framework wheel index root (install --framework, spec)"},
    {Key::cache, "cache", "cache", "ENVSETUP_CACHE_DIR", ValueKind::path, "the download cache folder"},
    {Key::store, "store", "store", "ENVSETUP_STORE", ValueKind::path,
     "envsetup's store (prefixes, extracted archives)"},
    {Key::installer, "installer", "installer", "", ValueKind::installer,
     "the framework installer: pip, uv or auto (install --framework)"},
    {Key::cacert, "cacert", "cacert", "", ValueKind::path, "a CA bundle for https, instead of the system's"},
    {Key::jobs, "jobs", "jobs", "", ValueKind::jobs, "parallel downloads, 1 to 64"},
    {Key::python, "python", "python", "", ValueKind::text, "the default Python: X.Y (resolve, spec, install)"},
  };
  return keys;
}

const KeyInfo& info(Key key)
{
  const auto& keys = all_keys();
  const auto found = std::ranges::find(keys, key, &KeyInfo::key);
  if (found == keys.end()) {
    throw std::logic_error("config key without a KeyInfo");
  }
  return *found;
}

Environment process_environment()
{
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    return value == nullptr || *value == '\0' ? std::nullopt : std::optional<std::string>(value);
  };
}

ConfigPaths config_paths(const Environment& environment)
{
  ConfigPaths paths;
  const auto xdg = environment("XDG_CONFIG_HOME");
  if (xdg && std::filesystem::path(*xdg).is_absolute()) {
    paths.user = std::filesystem::path(*xdg) / "envsetup" / "config.toml";
  } else {
    const auto home = environment("HOME");
    paths.user = std::filesystem::path(home.value_or("/")) / ".config" / "envsetup" / "config.toml";
  }
  const auto system = environment("ENVSETUP_SYSTEM_CONFIG");
  paths.system = system ? std::filesystem::path(*system) : std::filesystem::path("/etc/envsetup/config.toml");
  return paths;
}

std::string_view source_name(Source source)
{
  switch (source) {
    case Source::flag:
      return "flag";
    case Source::environment:
      return "environment";
    case Source::user_file:
      return "user file";
    case Source::system_file:
      return "system file";
    case Source::default_value:
      return "default";
  }
  return "default";
}

namespace {

std::optional<Value> from_file(const std::optional<FileValues>& file, Key key, Source source)
{
  if (!file) {
    return std::nullopt;
  }
  const auto found = file->values.find(key);
  if (found == file->values.end()) {
    return std::nullopt;
  }
  return Value{found->second.first, source, file->path.string() + ":" + std::to_string(found->second.second)};
}

}  // namespace

Settings resolve(const Sources& sources)
{
  Settings settings;
  settings.user_found = sources.user.has_value();
  settings.system_found = sources.system.has_value();
  for (const KeyInfo& key : all_keys()) {
    std::optional<Value> value;
    if (const auto flag = sources.flags.find(key.key); flag != sources.flags.end()) {
      value = Value{flag->second, Source::flag, "--" + std::string(key.option)};
    }
    if (!value && !key.variable.empty() && sources.environment) {
      if (auto variable = sources.environment(key.variable)) {
        value = Value{std::move(*variable), Source::environment, std::string(key.variable)};
      }
    }
    if (!value) {
      value = from_file(sources.user, key.key, Source::user_file);
    }
    if (!value) {
      value = from_file(sources.system, key.key, Source::system_file);
    }
    if (!value) {
      const auto fallback = sources.defaults.find(key.key);
      value = Value{fallback == sources.defaults.end() ? std::nullopt : std::optional<std::string>(fallback->second),
                    Source::default_value, "default"};
    }
    settings.values.emplace(key.key, std::move(*value));
  }
  return settings;
}

}  // namespace envsetup::config
