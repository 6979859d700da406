// SPDX-License-Identifier: Apache-2.0
#include <envsetup/core/version_spec.hpp>

#include <envsetup/util/strings.hpp>

#include <array>
#include <utility>

namespace envsetup::core {

namespace {

struct OperatorSpelling {
  std::string_view text;
  VersionSpec::Op op;
};

// Longest spellings first so that `<=` is not read as `<`.
constexpr std::array<OperatorSpelling, 7> k_operators = {{
  {"===", VersionSpec::Op::eq},
  {"~=", VersionSpec::Op::compatible},
  {"==", VersionSpec::Op::eq},
  {"!=", VersionSpec::Op::ne},
  {"<=", VersionSpec::Op::le},
  {">=", VersionSpec::Op::ge},
  {"<", VersionSpec::Op::lt},
}};

bool starts_with_prefix(const Version& version, const Version& prefix)
{
  for (std::size_t i = 0; i < prefix.parts().size(); ++i) {
    if (version.part(i) != prefix.parts()[i]) {
      return false;
    }
  }
  return true;
}

bool clause_matches(const VersionSpec::Clause& clause, const Version& v)
{
  using Op = VersionSpec::Op;
  switch (clause.op) {
    case Op::eq: return v == clause.version;
    case Op::ne: return v != clause.version;
    case Op::lt: return v < clause.version;
    case Op::le: return v <= clause.version;
    case Op::gt: return v > clause.version;
    case Op::ge: return v >= clause.version;
    case Op::eq_prefix: return starts_with_prefix(v, clause.version);
    case Op::ne_prefix: return !starts_with_prefix(v, clause.version);
    case Op::compatible: {
      // ~=X.Y.Z means >=X.Y.Z and ==X.Y.*
      const Version prefix = clause.version.prefix(clause.version.parts().size() - 1);
      return v >= clause.version && starts_with_prefix(v, prefix);
    }
  }
  return false;
}

util::Result<VersionSpec::Clause> parse_clause(std::string_view text)
{
  auto fail = [&](std::string why) {
    return util::make_error(util::ErrorKind::input,
                            "invalid version specifier `" + std::string(text) + "`")
      .with_cause(std::move(why))
      .with_hint("write e.g. `==2.5.1`, `>=2.4,<2.7` or `==2.5.*`");
  };
  VersionSpec::Clause clause;
  std::string_view rest;
  bool found = false;
  for (const auto& spelling : k_operators) {
    if (text.starts_with(spelling.text)) {
      clause.op = spelling.op;
      rest = text.substr(spelling.text.size());
      found = true;
      break;
    }
  }
  if (!found && text.starts_with(">")) {
    clause.op = VersionSpec::Op::gt;
    rest = text.substr(1);
    found = true;
  }
  if (!found) {
    return fail("it does not start with one of `==`, `!=`, `<`, `<=`, `>`, `>=`, `~=`");
  }
  rest = util::trim(rest);
  const bool wildcard = rest.ends_with(".*");
  if (wildcard) {
    if (clause.op != VersionSpec::Op::eq && clause.op != VersionSpec::Op::ne) {
      return fail("`.*` is allowed only after `==` or `!=`");
    }
    clause.op = clause.op == VersionSpec::Op::eq ? VersionSpec::Op::eq_prefix
                                                 : VersionSpec::Op::ne_prefix;
    rest.remove_suffix(2);
  }
  auto version = Version::parse(rest);
  if (!version) {
    return fail(version.error().causes.empty() ? version.error().message
                                               : version.error().causes.front());
  }
  clause.version = std::move(version).value();
  if (clause.op == VersionSpec::Op::compatible && clause.version.parts().size() < 2) {
    return fail("`~=` needs at least two components, e.g. `~=2.5`");
  }
  return clause;
}

}  // namespace

util::Result<VersionSpec> VersionSpec::parse(std::string_view text)
{
  VersionSpec spec;
  spec.m_text = std::string(util::trim(text));
  if (spec.m_text.empty()) {
    return spec;
  }
  for (const auto field : util::split(spec.m_text, ',')) {
    auto clause = parse_clause(util::trim(field));
    if (!clause) {
      return std::move(clause).error();
    }
    spec.m_clauses.push_back(std::move(clause).value());
  }
  return spec;
}

bool VersionSpec::matches(const Version& version) const
{
  for (const auto& clause : m_clauses) {
    if (!clause_matches(clause, version)) {
      return false;
    }
  }
  return true;
}

}  // namespace envsetup::core
