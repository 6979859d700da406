// SPDX-License-Identifier: Apache-2.0
// Config files: the strict TOML reader, the checks per key, and which value wins.
#include <envsetup/config/settings.hpp>
#include <envsetup/util/toml_reader.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <unistd.h>

namespace envsetup::config {
namespace {

const std::filesystem::path k_path = "/home/u/.config/envsetup/config.toml";

util::Result<FileValues> parse(const std::string& text)
{
  return parse_config(text, k_path, "/home/u");
}

std::string message_of(const std::string& text)
{
  auto parsed = parse(text);
  EXPECT_FALSE(parsed) << text;
  return parsed ? std::string() : parsed.error().message;
}

TEST(ConfigFile, ReadsEveryKeyWithItsLine)
{
  auto parsed = parse(
    "# lab defaults\n"
    "mirror = \"http://mirror.lab/nvidia/\"\n"
    "wheel_mirror = \"https://mirror.lab/pytorch/whl/\"\n"
    "cache = \"~/cache\"\n"
    "store = \"/srv/envsetup\"\n"
    "installer = \"uv\"\n"
    "cacert = \"/etc/ssl/lab.pem\"\n"
    "jobs = 8\n"
    "python = \"3.11\"\n");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->values.size(), 8U);
  EXPECT_EQ(parsed->values.at(Key::mirror), (std::pair<std::string, std::size_t>{"http://mirror.lab/nvidia/", 2}));
  EXPECT_EQ(parsed->values.at(Key::cache).first, "/home/u/cache");
  EXPECT_EQ(parsed->values.at(Key::jobs), (std::pair<std::string, std::size_t>{"8", 8}));
  EXPECT_EQ(parsed->values.at(Key::python).first, "3.11");
}

TEST(ConfigFile, ErrorsNameTheFileTheLineAndTheKey)
{
  const std::string file = k_path.string();
  EXPECT_EQ(message_of("jobs = 4\nmirorr = \"x\"\n"), "invalid config file " + file + ":2: unknown key `mirorr`");
  EXPECT_EQ(message_of("\n\njobs = \"8\"\n"),
            "invalid config file " + file + ":3: `jobs`: must be an integer from 1 to 64");
  EXPECT_EQ(message_of("jobs = 0\n"), "invalid config file " + file + ":1: `jobs`: must be an integer from 1 to 64");
  EXPECT_EQ(message_of("store = 5\n"), "invalid config file " + file + ":1: `store` must be a string");
  EXPECT_EQ(
    message_of("store = \"relative/store\"\n"),
    "invalid config file " + file + ":1: `store`: `relative/store` is not an absolute path (start it with / or ~/)");
  EXPECT_EQ(message_of("installer = \"conda\"\n"),
            "invalid config file " + file + ":1: `installer`: `conda` is not pip, uv or auto");
  EXPECT_NE(message_of("wheel_mirror = \"ftp://x/\"\n").find(file + ":1: `wheel_mirror`: "), std::string::npos);
  EXPECT_NE(message_of("mirror = \"http://\"\n").find(file + ":1: `mirror`: "), std::string::npos);
  EXPECT_EQ(message_of("cache = \"/a\\nb\"\n"), "invalid config file " + file + ":1: `cache`: a control character");
  EXPECT_EQ(message_of("[store]\npath = \"/x\"\n"), "invalid config file " + file + ":1: `store` must be a string");
  EXPECT_EQ(message_of("[[[\n"), "invalid config file " + file + ":1: a table header that names no table");
  const std::string syntax = message_of("mirror = \"http://a/\"\njobs = = 3\n");
  EXPECT_EQ(syntax.rfind("invalid config file " + file + ":2: ", 0), 0U) << syntax;
  auto broken = parse("python = \"\"\n");
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().kind, util::ErrorKind::input);
  EXPECT_FALSE(broken.error().hints.empty());
}

// `~` needs a home: with HOME unset or relative, `~/store` must not become `/store` (or a
// folder relative to wherever envsetup runs).
TEST(ConfigFile, TildeWithoutAnAbsoluteHomeIsAnError)
{
  const std::string file = k_path.string();
  for (const std::string home : {"", "relative/home"}) {
    auto parsed = parse_config("\nstore = \"~/store\"\n", k_path, home);
    ASSERT_FALSE(parsed) << home;
    EXPECT_EQ(parsed.error().message,
              "invalid config file " + file + ":2: `store`: `~` needs HOME, which is unset or not an absolute path");
    EXPECT_FALSE(parse_config("mirror = \"~\"\n", k_path, home)) << home;
  }
  auto absolute = parse_config("store = \"/srv/store\"\npython = \"3.11\"\n", k_path, "");
  ASSERT_TRUE(absolute) << absolute.error().message;
  EXPECT_EQ(absolute->values.at(Key::store).first, "/srv/store");
}

// `python` is checked where it is read, so that its error names the file, the line and the key
// (before, any text passed and the command later blamed a `--python` flag nobody gave).
TEST(ConfigFile, PythonIsAVersionOrAnAbsoluteInterpreterPath)
{
  const std::string file = k_path.string();
  for (const std::string good : {"3.11", "3.11.7", "/usr/bin/python3.12"}) {
    auto parsed = parse("python = \"" + good + "\"\n");
    ASSERT_TRUE(parsed) << good << ": " << parsed.error().message;
    EXPECT_EQ(parsed->values.at(Key::python).first, good);
  }
  auto home = parse("python = \"~/.pyenv/versions/3.11.7/bin/python\"\n");
  ASSERT_TRUE(home) << home.error().message;
  EXPECT_EQ(home->values.at(Key::python).first, "/home/u/.pyenv/versions/3.11.7/bin/python");
  EXPECT_EQ(
    message_of("\npython = \"garbage\"\n"),
    "invalid config file " + file + ":2: `python`: `garbage` is not X.Y, X.Y.Z or an interpreter's absolute path");
  for (const std::string bad : {"3", "3.", ".3", "3.11.7.1", "3.x", " 3.11", "python3.11"}) {
    EXPECT_NE(message_of("python = \"" + bad + "\"\n").find(file + ":1: `python`: "), std::string::npos) << bad;
  }
  EXPECT_EQ(
    message_of("python = \"venv/bin/python\"\n"),
    "invalid config file " + file + ":1: `python`: `venv/bin/python` is not an absolute path (start it with / or ~/)");
}

// A dotted key of 300,000 parts made toml++ recurse until the stack overflowed (SIGSEGV); such
// keys and table headers are refused before toml++ sees them, naming the line.
TEST(ConfigFile, DeeplyDottedKeysAreAnErrorNotACrash)
{
  std::string deep;
  for (int i = 0; i < 300000; ++i) {
    deep += "a.";
  }
  const std::string file = k_path.string();
  EXPECT_EQ(message_of("jobs = 4\n" + deep + "b = 1\n"),
            "invalid config file " + file + ":2: a key of more than 128 dotted parts");
  EXPECT_EQ(message_of("\n[" + deep + "b]\n"),
            "invalid config file " + file + ":2: a key of more than 128 dotted parts");
  // Dots in values are no key parts; a short dotted key is an unknown key, as before.
  EXPECT_TRUE(parse("mirror = \"http://" + deep.substr(0, 1000) + "b/\"\n"));
  EXPECT_TRUE(parse("# " + deep.substr(0, 1000) + "\njobs = 2\n"));
  EXPECT_EQ(message_of("x = {" + deep + "b = 1}\n"),
            "invalid config file " + file + ":1: a key of more than 128 dotted parts");
  std::string quoted_parts;
  for (int i = 0; i < 200; ++i) {
    quoted_parts += "\"a\" . ";
  }
  EXPECT_EQ(message_of(quoted_parts + "b = 1\n"),
            "invalid config file " + file + ":1: a key of more than 128 dotted parts");
  std::string floats = "x = [";
  for (int i = 0; i < 500; ++i) {
    floats += "1.5, ";
  }
  EXPECT_EQ(message_of(floats + "]\n"), "invalid config file " + file + ":1: unknown key `x`");
  EXPECT_EQ(message_of("a.b.c = 1\n"), "invalid config file " + file + ":1: unknown key `a`");
}

TEST(ConfigFile, MissingFileIsNoFileAndLinksAreRefused)
{
  const auto dir = std::filesystem::temp_directory_path() / ("envsetup-config-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto absent = read_config(dir / "config.toml", "/home/u");
  ASSERT_TRUE(absent);
  EXPECT_FALSE(absent->has_value());
  std::ofstream(dir / "real.toml") << "jobs = 3\n";
  auto real = read_config(dir / "real.toml", "/home/u");
  ASSERT_TRUE(real);
  ASSERT_TRUE(real->has_value());
  EXPECT_EQ((*real)->values.at(Key::jobs).first, "3");
  std::filesystem::create_symlink(dir / "real.toml", dir / "config.toml");
  auto linked = read_config(dir / "config.toml", "/home/u");
  ASSERT_FALSE(linked);
  EXPECT_NE(linked.error().message.find("is a symbolic link"), std::string::npos);
  auto folder = read_config(dir, "/home/u");
  EXPECT_FALSE(folder);
  std::filesystem::remove_all(dir);
}

TEST(ConfigSettings, FlagBeatsEnvironmentBeatsUserBeatsSystemBeatsDefault)
{
  FileValues user{"/u.toml",
                  {{Key::mirror, {"/user-mirror", 1}}, {Key::store, {"/user-store", 2}}, {Key::jobs, {"6", 3}}}};
  FileValues system{"/s.toml",
                    {{Key::mirror, {"/sys-mirror", 1}},
                     {Key::store, {"/sys-store", 2}},
                     {Key::cache, {"/sys-cache", 3}},
                     {Key::jobs, {"2", 4}},
                     {Key::installer, {"uv", 5}}}};
  Sources sources;
  sources.flags = {{Key::mirror, "/flag-mirror"}};
  sources.environment = [](std::string_view name) -> std::optional<std::string> {
    if (name == "ENVSETUP_MIRROR" || name == "ENVSETUP_STORE") {
      return "/env-" + std::string(name);
    }
    return std::nullopt;
  };
  sources.user = user;
  sources.system = system;
  sources.defaults = {{Key::jobs, "4"}, {Key::cache, "/default-cache"}, {Key::installer, "pip"}};
  const Settings settings = resolve(sources);
  EXPECT_EQ(settings.get(Key::mirror).origin, "--mirror");
  EXPECT_EQ(settings.get(Key::mirror).source, Source::flag);
  EXPECT_EQ(*settings.get(Key::store).text, "/env-ENVSETUP_STORE");
  EXPECT_EQ(settings.get(Key::store).origin, "ENVSETUP_STORE");
  EXPECT_EQ(*settings.get(Key::jobs).text, "6");
  EXPECT_EQ(settings.get(Key::jobs).origin, "/u.toml:3");
  EXPECT_EQ(*settings.get(Key::cache).text, "/sys-cache");
  EXPECT_EQ(settings.get(Key::cache).source, Source::system_file);
  EXPECT_EQ(settings.get(Key::installer).origin, "/s.toml:5");
  EXPECT_EQ(settings.get(Key::python).source, Source::default_value);
  EXPECT_FALSE(settings.get(Key::python).text.has_value());
  // Without the files, the defaults.
  sources.user.reset();
  sources.system.reset();
  const Settings bare = resolve(sources);
  EXPECT_EQ(*bare.get(Key::jobs).text, "4");
  EXPECT_EQ(bare.get(Key::jobs).origin, "default");
  EXPECT_EQ(*bare.get(Key::cache).text, "/default-cache");
}

TEST(ConfigSettings, PathsFollowXdgAndTheSystemOverride)
{
  std::map<std::string, std::string> env = {{"HOME", "/home/u"}};
  auto lookup = [&env](std::string_view name) -> std::optional<std::string> {
    const auto found = env.find(std::string(name));
    return found == env.end() ? std::nullopt : std::optional<std::string>(found->second);
  };
  EXPECT_EQ(config_paths(lookup).user, "/home/u/.config/envsetup/config.toml");
  EXPECT_EQ(config_paths(lookup).system, "/etc/envsetup/config.toml");
  env["XDG_CONFIG_HOME"] = "relative";  // not absolute: ignored (XDG Base Directory spec)
  EXPECT_EQ(config_paths(lookup).user, "/home/u/.config/envsetup/config.toml");
  env["XDG_CONFIG_HOME"] = "/xdg";
  env["ENVSETUP_SYSTEM_CONFIG"] = "/lab/envsetup.toml";
  EXPECT_EQ(config_paths(lookup).user, "/xdg/envsetup/config.toml");
  EXPECT_EQ(config_paths(lookup).system, "/lab/envsetup.toml");
}

TEST(TomlReader, TakesKeysAndReportsLines)
{
  std::vector<std::string> seen;
  auto document =
    util::TomlDocument::parse("a = \"x\"\n\n[t]\nn = 3\nlist = [\"p\", \"q\"]\n", 1024,
                              [&seen](const std::string& where, const std::string& why, std::size_t line) {
                                seen.push_back(where + "|" + why + "|" + std::to_string(line));
                                return util::make_error(util::ErrorKind::input, why);
                              });
  ASSERT_TRUE(document);
  util::TomlTable top = document->root("top");
  EXPECT_EQ(top.keys(), (std::vector<std::string>{"a", "t"}));
  EXPECT_EQ(*top.string("a"), "x");
  EXPECT_FALSE(top.finish());  // `t` not taken
  auto table = top.take_table("t", "[t]");
  ASSERT_TRUE(table);
  EXPECT_TRUE(top.finish());
  EXPECT_EQ(table->line("n"), 4U);
  EXPECT_EQ(*table->unsigned_integer("n"), 3U);
  EXPECT_EQ(*table->strings("list", 2), (std::vector<std::string>{"p", "q"}));
  EXPECT_TRUE(table->finish());
  EXPECT_FALSE(table->string("n"));
  EXPECT_EQ(seen.back(), "[t]|`n` must be a string|4");
  EXPECT_FALSE(util::TomlDocument::parse(
    std::string(2048, ' '), 1024, [](auto&&...) { return util::make_error(util::ErrorKind::input, "too big"); }));
}

}  // namespace
}  // namespace envsetup::config
