// SPDX-License-Identifier: Apache-2.0
#include <envsetup/pyenv/metadata.hpp>
#include <envsetup/util/fs.hpp>
#include <envsetup/util/strings.hpp>

#include <algorithm>
#include <cctype>

namespace envsetup::pyenv {

namespace fs = std::filesystem;

std::string normalize_name(std::string_view name)
{
  std::string out;
  bool separator = false;
  for (const char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      separator = true;
      continue;
    }
    if (separator && !out.empty()) {
      out += '-';
    }
    separator = false;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

namespace {

// "name[extra] (>=1); extra == \"cuda12\"" -> {"name", "cuda12"}.
Requirement parse_requirement(std::string_view text)
{
  Requirement requirement;
  const auto semicolon = text.find(';');
  const auto spec = util::trim(text.substr(0, semicolon));
  const auto end = spec.find_first_of("[(<>=!~ ;");
  requirement.name = normalize_name(spec.substr(0, end));
  if (semicolon == std::string_view::npos) {
    return requirement;
  }
  const auto marker = text.substr(semicolon + 1);
  const auto extra = marker.find("extra");
  if (extra == std::string_view::npos) {
    return requirement;
  }
  const auto open = marker.find_first_of("\"'", extra);
  const auto close = open == std::string_view::npos ? open : marker.find(marker[open], open + 1);
  if (close != std::string_view::npos) {
    requirement.extra = normalize_name(marker.substr(open + 1, close - open - 1));
  }
  return requirement;
}

std::string local_tag(std::string_view version)
{
  const auto plus = version.find('+');
  return plus == std::string_view::npos ? "" : std::string(version.substr(plus + 1));
}

std::string public_version(std::string_view version)
{
  return std::string(version.substr(0, version.find('+')));
}

}  // namespace

util::Result<Metadata> parse_metadata(std::string_view text)
{
  Metadata metadata;
  for (auto line : util::split(text, '\n')) {
    if (line.ends_with('\r')) {
      line.remove_suffix(1);
    }
    if (line.empty()) {
      break;  // the body (description) follows
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || line.front() == ' ' || line.front() == '\t') {
      continue;
    }
    const auto key = line.substr(0, colon);
    const auto value = std::string(util::trim(line.substr(colon + 1)));
    if (key == "Name") {
      metadata.name = value;
    } else if (key == "Version") {
      metadata.version = value;
    } else if (key == "Provides-Extra") {
      metadata.provides_extras.push_back(normalize_name(value));
    } else if (key == "Requires-Dist") {
      metadata.requires_dist.push_back(parse_requirement(value));
    }
  }
  if (metadata.name.empty() || metadata.version.empty()) {
    return util::make_error(util::ErrorKind::input, "package metadata without Name or Version");
  }
  return metadata;
}

InstallCheck check_install(const ExpectedInstall& expected, const std::optional<Metadata>& framework,
                           const std::set<std::string>& installed)
{
  InstallCheck check;
  if (!framework) {
    check.explanation = expected.distribution + " is not installed in the environment";
    return check;
  }
  check.installed_version = framework->version;
  const std::string where = expected.index ? " from " + *expected.index : "";
  if (expected.cuda && local_tag(framework->version) == "cpu") {
    check.outcome = InstallCheck::Outcome::cpu_build;
    check.explanation = "the CPU-only build " + framework->version + " is installed where the CUDA build " +
                        expected.version + where + " was planned: an index that offers +cpu builds " +
                        "(PIP_INDEX_URL, pip.conf or --extra-index-url) shadowed the CUDA one";
    return check;
  }
  if (framework->version != expected.version &&
      !(local_tag(expected.version).empty() && public_version(framework->version) == expected.version)) {
    check.outcome = InstallCheck::Outcome::other_version;
    check.explanation = expected.distribution + " " + framework->version + " is installed, not the planned " +
                        expected.version;
    return check;
  }
  if (expected.cuda && !expected.extra.empty()) {
    const std::string extra = normalize_name(expected.extra);
    const auto& extras = framework->provides_extras;
    if (std::find(extras.begin(), extras.end(), extra) == extras.end()) {
      check.outcome = InstallCheck::Outcome::cpu_build;
      check.explanation = expected.distribution + " " + framework->version + " from the default index " +
                          "does not provide the extra [" + expected.extra + "], so pip installed it without " +
                          "its CUDA packages: a CPU-only build (an index or mirror that serves other " +
                          "metadata than PyPI?)";
      return check;
    }
    std::vector<std::string> missing;
    for (const auto& requirement : framework->requires_dist) {
      if (requirement.extra == extra && !installed.contains(requirement.name)) {
        missing.push_back(requirement.name);
      }
    }
    if (!missing.empty()) {
      check.outcome = InstallCheck::Outcome::cpu_build;
      check.explanation = "the CUDA packages of " + expected.distribution + "[" + expected.extra +
                          "] are not installed (" + util::join(missing, ", ") + "): a CPU-only build";
      return check;
    }
  }
  check.outcome = InstallCheck::Outcome::expected;
  return check;
}

util::Result<InstalledSet> read_installed(const fs::path& site_packages, std::string_view distribution)
{
  InstalledSet result;
  const std::string wanted = normalize_name(distribution);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(site_packages, ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".dist-info")) {
      continue;
    }
    const std::string stem = name.substr(0, name.size() - 10);
    const std::string dist = normalize_name(stem.substr(0, stem.find('-')));
    result.names.insert(dist);
    if (dist != wanted) {
      continue;
    }
    auto text = util::read_file(entry.path() / "METADATA");
    if (!text) {
      return std::move(text).error();
    }
    auto metadata = parse_metadata(*text);
    if (!metadata) {
      return std::move(metadata).error().with_cause("in " + (entry.path() / "METADATA").string());
    }
    result.framework = std::move(metadata).value();
  }
  if (ec) {
    return util::make_error(util::ErrorKind::io, "cannot list " + site_packages.string()).with_cause(ec.message());
  }
  return result;
}

}  // namespace envsetup::pyenv
