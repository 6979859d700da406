// SPDX-License-Identifier: Apache-2.0
#include <envsetup/core/version.hpp>

#include <envsetup/util/strings.hpp>

#include <algorithm>

namespace envsetup::core {

namespace {
constexpr std::size_t k_max_components = 6;
}

util::Result<Version> Version::parse(std::string_view text)
{
  auto fail = [&](std::string why) {
    return util::make_error(util::ErrorKind::input, "invalid version `" + std::string(text) + "`")
      .with_cause(std::move(why));
  };
  if (text.empty()) {
    return fail("the version is empty");
  }
  const auto fields = util::split(text, '.');
  if (fields.size() > k_max_components) {
    return fail("more than 6 dot-separated components");
  }
  Version version;
  for (const auto field : fields) {
    int value = 0;
    if (!util::parse_non_negative(field, value)) {
      return fail("`" + std::string(field) + "` is not a non-negative integer");
    }
    version.m_parts.push_back(value);
  }
  version.m_text = std::string(text);
  return version;
}

int Version::part(std::size_t index) const
{
  return index < m_parts.size() ? m_parts[index] : 0;
}

Version Version::prefix(std::size_t count) const
{
  Version shorter;
  const std::size_t n = std::min(count, m_parts.size());
  shorter.m_parts.assign(m_parts.begin(), m_parts.begin() + static_cast<std::ptrdiff_t>(n));
  std::vector<std::string> texts;
  for (const int part : shorter.m_parts) {
    texts.push_back(std::to_string(part));
  }
  shorter.m_text = util::join(texts, ".");
  return shorter;
}

std::strong_ordering operator<=>(const Version& a, const Version& b)
{
  const std::size_t n = std::max(a.m_parts.size(), b.m_parts.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (const auto cmp = a.part(i) <=> b.part(i); cmp != 0) {
      return cmp;
    }
  }
  return std::strong_ordering::equal;
}

bool operator==(const Version& a, const Version& b)
{
  return (a <=> b) == 0;
}

std::optional<std::string_view> post_release_base(std::string_view text)
{
  const std::size_t post = text.rfind(".post");
  if (post == std::string_view::npos || post == 0 || post + 5 >= text.size() ||
      !std::all_of(text.begin() + static_cast<std::ptrdiff_t>(post) + 5, text.end(),
                   [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return text.substr(0, post);
}

}  // namespace envsetup::core
