// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/core/version.hpp>
#include <envsetup/util/error.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace envsetup::core {

// A PEP 440 style version specifier such as `==2.5.1`, `>=2.4,<2.7`, `~=2.5`, `==2.5.*` or
// `!=2.6.0`. An empty specifier matches every version. Comparisons pad with zeros, so
// `==2.5` matches only `2.5.0`; use `==2.5.*` for any 2.5 release.
class VersionSpec {
public:
  enum class Op { eq, ne, lt, le, gt, ge, compatible, eq_prefix, ne_prefix };
  struct Clause {
    Op op = Op::eq;
    Version version;
  };

  VersionSpec() = default;

  // Parses comma-separated clauses. Errors (kind input): unknown operator, bad version,
  // `~=` with a single component, a `.*` suffix on an operator other than `==`/`!=`.
  [[nodiscard]] static util::Result<VersionSpec> parse(std::string_view text);

  [[nodiscard]] bool matches(const Version& version) const;
  [[nodiscard]] bool empty() const { return m_clauses.empty(); }
  [[nodiscard]] const std::string& text() const { return m_text; }
  [[nodiscard]] const std::vector<Clause>& clauses() const { return m_clauses; }

private:
  std::vector<Clause> m_clauses;
  std::string m_text;
};

}  // namespace envsetup::core
