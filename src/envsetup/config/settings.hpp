// SPDX-License-Identifier: Apache-2.0
// envsetup's config files (docs/config.md): `$XDG_CONFIG_HOME/envsetup/config.toml` (the
// user's) and `/etc/envsetup/config.toml` (the machine's; ENVSETUP_SYSTEM_CONFIG names another
// file). Each setting's effective value comes from the first of: flag, environment variable,
// user file, system file, default; and keeps where it came from. Files are untrusted input.
#pragma once

#include <envsetup/util/error.hpp>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace envsetup::config {

enum class Key { mirror, wheel_mirror, cache, store, installer, cacert, jobs, python };

enum class ValueKind {
  source,     // a folder or a URL (http://, https://, file://): like --mirror
  index_url,  // a URL: like --wheel-mirror
  path,       // an absolute path (`~/` is the home folder)
  installer,  // pip, uv or auto
  jobs,       // an integer 1..64
  text,       // a string without control characters
};

struct KeyInfo {
  Key key;
  std::string_view name;      // in the file, e.g. wheel_mirror
  std::string_view option;    // the long flag without dashes, e.g. wheel-mirror
  std::string_view variable;  // the environment variable that stands for it, or empty
  ValueKind kind;
  std::string_view help;  // one line for `config show` and the docs
};

// Every key, in the order `config show` prints them.
[[nodiscard]] const std::vector<KeyInfo>& all_keys();
[[nodiscard]] const KeyInfo& info(Key key);

enum class Source { flag, environment, user_file, system_file, default_value };

// A value and where it came from.
struct Value {
  std::optional<std::string> text;  // none: unset (the default is "not set", e.g. no CA bundle)
  Source source = Source::default_value;
  std::string origin;  // "--mirror", "ENVSETUP_MIRROR", "/home/u/.config/envsetup/config.toml:3", "default"
};

// One config file's values: key -> (value, line).
struct FileValues {
  std::filesystem::path path;
  std::map<Key, std::pair<std::string, std::size_t>> values;
};

// Looks an environment variable up; none when unset or empty.
using Environment = std::function<std::optional<std::string>(std::string_view name)>;

// The process environment, as an Environment.
[[nodiscard]] Environment process_environment();

struct ConfigPaths {
  std::filesystem::path user;    // $XDG_CONFIG_HOME/envsetup/config.toml or ~/.config/envsetup/config.toml
  std::filesystem::path system;  // $ENVSETUP_SYSTEM_CONFIG or /etc/envsetup/config.toml
};

// Where the files are. XDG_CONFIG_HOME counts only when absolute (XDG Base Directory spec).
[[nodiscard]] ConfigPaths config_paths(const Environment& environment);

// Parses a config file's text (`path` names it in errors). Unknown keys, wrong types,
// malformed TOML and values the matching flag would refuse are ErrorKind::input errors naming
// the file, the line and the key. `~/` in path values is expanded with `home`.
[[nodiscard]] util::Result<FileValues> parse_config(std::string_view text, const std::filesystem::path& path,
                                                    const std::string& home);

// Reads and parses the file at `path`: none when it does not exist. The file is opened without
// following a symbolic link (refused with a hint), must be a regular file of at most 1 MiB.
[[nodiscard]] util::Result<std::optional<FileValues>> read_config(const std::filesystem::path& path,
                                                                  const std::string& home);

struct Sources {
  std::map<Key, std::string> flags;     // the values given on the command line
  Environment environment;              // for each key's variable
  std::optional<FileValues> user;       // absent: no user file
  std::optional<FileValues> system;     // absent: no system file
  std::map<Key, std::string> defaults;  // keys without a default are unset
};

struct Settings {
  ConfigPaths paths;
  bool user_found = false;
  bool system_found = false;
  std::map<Key, Value> values;  // every key

  [[nodiscard]] const Value& get(Key key) const { return values.at(key); }
};

// Each key's effective value: flag > environment > user file > system file > default.
[[nodiscard]] Settings resolve(const Sources& sources);

// "flag", "environment", "user file", "system file", "default".
[[nodiscard]] std::string_view source_name(Source source);

}  // namespace envsetup::config
