// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/util/error.hpp>

#include <compare>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace envsetup::core {

// A dotted numeric version such as `12.4.1`, `535.104.05` or `9.1.0.70`. Comparison pads
// the shorter one with zeros (`12.4` == `12.4.0`); `text()` keeps the spelling it was parsed
// from, so driver versions print as NVIDIA writes them (`535.104.05`).
class Version {
public:
  Version() = default;

  // Parses one to six dot-separated non-negative integers. Errors (kind input): empty
  // string, a non-digit, an empty component, too many components.
  [[nodiscard]] static util::Result<Version> parse(std::string_view text);

  [[nodiscard]] const std::vector<int>& parts() const { return m_parts; }
  [[nodiscard]] const std::string& text() const { return m_text; }
  [[nodiscard]] int major() const { return part(0); }
  [[nodiscard]] int minor() const { return part(1); }
  // Component `index`, or 0 when the version has fewer components.
  [[nodiscard]] int part(std::size_t index) const;
  // The first `count` components, e.g. `12.4.1`.prefix(2) is `12.4`.
  [[nodiscard]] Version prefix(std::size_t count) const;
  [[nodiscard]] bool empty() const { return m_parts.empty(); }

  friend std::strong_ordering operator<=>(const Version& a, const Version& b);
  friend bool operator==(const Version& a, const Version& b);

private:
  std::vector<int> m_parts;
  std::string m_text;
};

// For a PEP 440 post release `X.Y.Z.postN` (N digits), the release it re-publishes,
// `X.Y.Z`; nullopt for anything else.
[[nodiscard]] std::optional<std::string_view> post_release_base(std::string_view text);

}  // namespace envsetup::core
