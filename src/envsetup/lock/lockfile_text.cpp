// SPDX-License-Identifier: Apache-2.0
// Writes the lockfile by hand (not through toml++) so the bytes are ours to keep stable: one
// key order, one quoting, arrays sorted (docs/lockfile.md).
#include <envsetup/lock/lockfile.hpp>

#include <cstdio>

namespace envsetup::lock {
namespace {

// A TOML basic string: `"` and `\` escaped, control characters as \uXXXX.
std::string quoted(std::string_view text)
{
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(byte));
      out += escape;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

class Writer {
public:
  void table(std::string_view header)
  {
    if (!m_text.empty()) {
      m_text += '\n';
    }
    m_text += header;
    m_text += '\n';
  }
  void string(std::string_view key, std::string_view value) { line(key, quoted(value)); }
  void version(std::string_view key, const std::optional<core::Version>& value)
  {
    if (value) {
      string(key, value->text());
    }
  }
  void integer(std::string_view key, std::uint64_t value) { line(key, std::to_string(value)); }
  void strings(std::string_view key, const std::vector<std::string>& values)
  {
    if (values.empty()) {
      line(key, "[]");
      return;
    }
    std::string array = "[\n";
    for (const std::string& value : values) {
      array += "  " + quoted(value) + ",\n";
    }
    line(key, array + "]");
  }
  [[nodiscard]] std::string take() && { return std::move(m_text); }

private:
  void line(std::string_view key, std::string_view value)
  {
    m_text += key;
    m_text += " = ";
    m_text += value;
    m_text += '\n';
  }
  std::string m_text;
};

}  // namespace

std::string lockfile_text(const Lockfile& input)
{
  Lockfile lockfile = input;
  sort_lockfile(lockfile);
  Writer out;
  out.table("# envsetup lockfile (docs/lockfile.md): written by `envsetup lock`, read by `envsetup install --locked`");
  out.integer("schema_version", static_cast<std::uint64_t>(lockfile.schema_version));
  out.string("envsetup_version", lockfile.envsetup_version);

  out.table("[matrix]");
  out.string("source", lockfile.matrix_source);
  out.string("generated", lockfile.matrix_generated);
  out.string("sha256", lockfile.matrix_sha256);

  const HostRequirements& need = lockfile.host;
  out.table("[requires]");
  out.string("platform", core::platform_name(need.platform));
  out.string("python", need.python.text());
  out.version("glibc", need.glibc);
  out.version("min_driver", need.min_driver);
  out.string("driver_rule", need.driver_rule);
  std::vector<std::string> targets;
  for (const core::ArchTarget& target : need.targets) {
    targets.push_back(target.text());
  }
  out.strings("targets", targets);

  out.table("[plan]");
  out.string("framework", lockfile.framework);
  out.string("display_name", lockfile.display_name);
  out.string("variant", lockfile.variant);
  out.string("version", lockfile.version.text());
  out.version("cuda", lockfile.cuda);
  out.version("cudnn", lockfile.cudnn);
  out.version("toolkit_cuda", lockfile.toolkit_cuda);
  out.version("toolkit_cudnn", lockfile.toolkit_cudnn);
  out.strings("requirements", lockfile.requirements);

  for (const LockedIndex& index : lockfile.indexes) {
    out.table("[[index]]");
    out.string("key", index.key);
    out.string("url", index.url);
  }
  for (const LockedWheel& wheel : lockfile.wheels) {
    out.table("[[wheel]]");
    out.string("name", wheel.name);
    out.string("version", wheel.version);
    out.string("filename", wheel.filename);
    out.string("index", wheel.index);
    out.string("url", wheel.url);
    out.string("sha256", wheel.sha256);
    out.integer("size", wheel.size);
  }
  for (const LockedArchive& archive : lockfile.archives) {
    out.table("[[archive]]");
    out.string("product", archive.product);
    out.string("release", archive.release);
    out.string("component", archive.component);
    out.string("platform", archive.platform);
    out.string("relative_path", archive.relative_path);
    out.string("sha256", archive.sha256);
    out.integer("size", archive.size);
  }
  return std::move(out).take();
}

}  // namespace envsetup::lock
