// SPDX-License-Identifier: Apache-2.0
// Reads a lockfile, strictly: it may come from anywhere (docs/lockfile.md). The TOML itself is
// read through util::TomlDocument (util/toml_reader.hpp, the one owner of toml++).
#include <envsetup/lock/lockfile.hpp>
#include <envsetup/lock/validate.hpp>
#include <envsetup/util/toml_reader.hpp>

#include <set>
#include <tuple>

namespace envsetup::lock {
namespace {

constexpr std::size_t max_text = 64U << 20U;
constexpr std::size_t max_wheels = 100000;
constexpr std::size_t max_archives = 10000;
constexpr std::size_t max_indexes = 100;
constexpr std::size_t max_lines = 1000;

util::Error bad(std::string where, std::string why)
{
  return util::make_error(util::ErrorKind::input, "the lockfile is not valid: " + where + ": " + why)
    .with_hint("write it again with `envsetup lock` (docs/lockfile.md)");
}

using Table = util::TomlTable;

util::Result<core::Version> version_of(const std::string& text, const std::string& where)
{
  auto version = core::Version::parse(text);
  if (!version) {
    return bad(where, "`" + text.substr(0, 100) + "` is not a version");
  }
  return std::move(*version);
}

util::Result<std::optional<core::Version>> optional_version(Table& table, std::string_view key)
{
  auto text = table.optional_string(key);
  if (!text) {
    return std::move(text).error();
  }
  if (!*text) {
    return std::optional<core::Version>();
  }
  auto version = version_of(**text, table.where() + "." + std::string(key));
  if (!version) {
    return std::move(version).error();
  }
  return std::optional<core::Version>(std::move(*version));
}

// The [[name]] array of tables (absent: empty), each table read by `read`.
template <typename Read>
util::Status each_table(Table& top, std::string_view name, std::size_t limit, Read read)
{
  const std::string header = "[[" + std::string(name) + "]]";
  auto tables = top.take_tables(name, [&](std::size_t number) { return header + " #" + std::to_string(number); });
  if (!tables || tables->size() > limit) {
    return bad(header, "must be an array of at most " + std::to_string(limit) + " tables");
  }
  for (Table& table : *tables) {
    ENVSETUP_TRY(read(table));
    ENVSETUP_TRY(table.finish());
  }
  return util::ok_status();
}

util::Status read_requires(Table& section, HostRequirements& need)
{
  auto platform = section.string("platform", 100);
  if (!platform) {
    return std::move(platform).error();
  }
  auto parsed = core::parse_platform(*platform);
  if (!parsed || core::platform_name(*parsed) != *platform) {
    return bad("[requires].platform", "`" + *platform + "` is not linux-x86_64 or linux-aarch64");
  }
  need.platform = *parsed;
  auto python = section.string("python", 100);
  if (!python) {
    return std::move(python).error();
  }
  auto python_version = version_of(*python, "[requires].python");
  if (!python_version || python_version->parts().size() != 2) {
    return bad("[requires].python", "`" + *python + "` is not a Python X.Y");
  }
  need.python = std::move(*python_version);
  auto glibc = optional_version(section, "glibc");
  auto driver = optional_version(section, "min_driver");
  auto rule = section.string("driver_rule");
  auto targets = section.strings("targets", 64);
  for (const util::Status& status : {glibc ? util::ok_status() : util::Status(glibc.error()),
                                     driver ? util::ok_status() : util::Status(driver.error()),
                                     rule ? util::ok_status() : util::Status(rule.error()),
                                     targets ? util::ok_status() : util::Status(targets.error())}) {
    ENVSETUP_TRY(status);
  }
  need.glibc = *glibc;
  need.min_driver = *driver;
  need.driver_rule = *rule;
  for (const std::string& text : *targets) {
    auto target = core::ArchTarget::parse(text);
    if (!target || target->text() != text) {
      return bad("[requires].targets", "`" + text.substr(0, 100) + "` is not an architecture (sm_90, compute_90)");
    }
    need.targets.push_back(*target);
  }
  return section.finish();
}

util::Status read_plan(Table& section, Lockfile& out)
{
  for (auto [key, field] : {std::pair<std::string_view, std::string*>{"framework", &out.framework},
                            {"display_name", &out.display_name},
                            {"variant", &out.variant}}) {
    auto value = section.string(key, 200);
    if (!value) {
      return std::move(value).error();
    }
    *field = std::move(*value);
  }
  if (auto why = check_key(out.framework)) {
    return bad("[plan].framework", *why);
  }
  auto version = section.string("version", 100);
  if (!version) {
    return std::move(version).error();
  }
  auto parsed = version_of(*version, "[plan].version");
  if (!parsed) {
    return std::move(parsed).error();
  }
  out.version = std::move(*parsed);
  for (auto [key, field] : {std::pair<std::string_view, std::optional<core::Version>*>{"cuda", &out.cuda},
                            {"cudnn", &out.cudnn},
                            {"toolkit_cuda", &out.toolkit_cuda},
                            {"toolkit_cudnn", &out.toolkit_cudnn}}) {
    auto value = optional_version(section, key);
    if (!value) {
      return std::move(value).error();
    }
    *field = std::move(*value);
  }
  auto requirements = section.strings("requirements", max_lines);
  if (!requirements) {
    return std::move(requirements).error();
  }
  out.requirements = std::move(*requirements);
  return section.finish();
}

util::Status read_wheel(Table& table, Lockfile& out, const std::set<std::string>& index_keys)
{
  LockedWheel wheel;
  for (auto [key, field] : {std::pair<std::string_view, std::string*>{"name", &wheel.name},
                            {"version", &wheel.version},
                            {"filename", &wheel.filename},
                            {"index", &wheel.index},
                            {"url", &wheel.url},
                            {"sha256", &wheel.sha256}}) {
    auto value = table.string(key);
    if (!value) {
      return std::move(value).error();
    }
    *field = std::move(*value);
  }
  auto size = table.unsigned_integer("size");
  if (!size) {
    return std::move(size).error();
  }
  wheel.size = *size;
  if (auto why = check_wheel(wheel)) {
    return bad(table.where(), *why);
  }
  const std::string where = table.where() + " (" + wheel.filename + ")";
  if (auto why = check_sha256(wheel.sha256)) {
    return bad(where + ".sha256", *why);
  }
  if (!index_keys.contains(wheel.index)) {
    return bad(where + ".index", "`" + wheel.index.substr(0, 100) + "` is not an [[index]] key");
  }
  const bool absolute = wheel.url.find("://") != std::string::npos;
  if (auto why = absolute ? check_absolute_url(wheel.url, false) : check_relative_path(wheel.url)) {
    return bad(where + ".url", *why);
  }
  out.wheels.push_back(std::move(wheel));
  return util::ok_status();
}

util::Status read_archive(Table& table, Lockfile& out)
{
  LockedArchive archive;
  for (auto [key, field] : {std::pair<std::string_view, std::string*>{"product", &archive.product},
                            {"release", &archive.release},
                            {"component", &archive.component},
                            {"platform", &archive.platform},
                            {"relative_path", &archive.relative_path},
                            {"sha256", &archive.sha256}}) {
    auto value = table.string(key);
    if (!value) {
      return std::move(value).error();
    }
    *field = std::move(*value);
  }
  auto size = table.unsigned_integer("size");
  if (!size) {
    return std::move(size).error();
  }
  archive.size = *size;
  const std::string& where = table.where();
  if (archive.product != "cuda" && archive.product != "cudnn") {
    return bad(where + ".product", "`" + archive.product.substr(0, 100) + "` is not cuda or cudnn");
  }
  ENVSETUP_TRY(version_of(archive.release, where + ".release"));
  for (const std::string* key : {&archive.component, &archive.platform}) {
    if (auto why = check_key(*key)) {
      return bad(where, "`" + key->substr(0, 100) + "`: " + *why);
    }
  }
  if (auto why = check_relative_path(archive.relative_path)) {
    return bad(where + ".relative_path", *why);
  }
  if (auto why = check_sha256(archive.sha256)) {
    return bad(where + ".sha256", *why);
  }
  out.archives.push_back(std::move(archive));
  return util::ok_status();
}

util::Status read_sections(Table& top, Lockfile& out)
{
  const std::optional<std::int64_t> schema_value = top.take_integer("schema_version");
  if (!schema_value) {
    return bad("schema_version", "missing, or not an integer");
  }
  if (*schema_value != lockfile_schema_version) {
    return util::make_error(util::ErrorKind::input,
                            "the lockfile's schema_version " + std::to_string(*schema_value) + " is not supported")
      .with_cause("this envsetup reads schema_version " + std::to_string(lockfile_schema_version))
      .with_hint("use the envsetup release that wrote it, or write it again with `envsetup lock`");
  }
  out.schema_version = lockfile_schema_version;
  auto envsetup_version = top.string("envsetup_version", 100);
  if (!envsetup_version) {
    return std::move(envsetup_version).error();
  }
  out.envsetup_version = std::move(*envsetup_version);

  std::optional<Table> matrix = top.take_table("matrix", "[matrix]");
  std::optional<Table> requires_table = top.take_table("requires", "[requires]");
  std::optional<Table> plan = top.take_table("plan", "[plan]");
  if (!matrix || !requires_table || !plan) {
    return bad("the top level", "the tables [matrix], [requires] and [plan] are needed");
  }
  Table& matrix_section = *matrix;
  for (auto [key, field] : {std::pair<std::string_view, std::string*>{"source", &out.matrix_source},
                            {"generated", &out.matrix_generated},
                            {"sha256", &out.matrix_sha256}}) {
    auto value = matrix_section.string(key, 200);
    if (!value) {
      return std::move(value).error();
    }
    *field = std::move(*value);
  }
  ENVSETUP_TRY(matrix_section.finish());
  ENVSETUP_TRY(read_requires(*requires_table, out.host));
  ENVSETUP_TRY(read_plan(*plan, out));

  std::set<std::string> index_keys;
  ENVSETUP_TRY(each_table(top, "index", max_indexes, [&](Table& table) -> util::Status {
    LockedIndex index;
    auto key = table.string("key", 100);
    auto url = table.string("url", 2048);
    if (!key || !url) {
      return !key ? std::move(key).error() : std::move(url).error();
    }
    if (auto why = check_key(*key)) {
      return bad(table.where() + ".key", *why);
    }
    if (auto why = check_absolute_url(*url, true)) {
      return bad(table.where() + ".url", *why);
    }
    if (!index_keys.insert(*key).second) {
      return bad(table.where(), "the key `" + *key + "` is listed twice");
    }
    out.indexes.push_back(LockedIndex{std::move(*key), std::move(*url)});
    return util::ok_status();
  }));
  ENVSETUP_TRY(each_table(top, "wheel", max_wheels, [&](Table& table) { return read_wheel(table, out, index_keys); }));
  ENVSETUP_TRY(each_table(top, "archive", max_archives, [&](Table& table) { return read_archive(table, out); }));
  return top.finish();
}

util::Status check_duplicates(const Lockfile& lockfile)
{
  std::set<std::string> names;
  for (const LockedWheel& wheel : lockfile.wheels) {
    if (!names.insert(wheel_key(wheel.name)).second) {
      return bad("[[wheel]] " + wheel.filename, "a second wheel of project `" + wheel.name + "`");
    }
  }
  std::set<std::tuple<std::string, std::string, std::string, std::string>> archives;
  for (const LockedArchive& archive : lockfile.archives) {
    if (!archives.emplace(archive.product, archive.release, archive.component, archive.platform).second) {
      return bad("[[archive]] " + archive.relative_path,
                 "a second " + archive.product + " " + archive.release + " " + archive.component);
    }
  }
  return util::ok_status();
}

}  // namespace

util::Result<Lockfile> parse_lockfile(std::string_view text)
{
  auto document = util::TomlDocument::parse(
    text, max_text, [](const std::string& where, const std::string& why, std::size_t) { return bad(where, why); });
  if (!document) {
    return std::move(document).error();
  }
  Lockfile out;
  Table top = document->root("the top level");
  ENVSETUP_TRY(read_sections(top, out));
  sort_lockfile(out);
  ENVSETUP_TRY(check_duplicates(out));
  return out;
}

}  // namespace envsetup::lock
