// SPDX-License-Identifier: Apache-2.0
#include <envsetup/core/request.hpp>

#include <envsetup/util/strings.hpp>

#include <algorithm>
#include <cctype>

namespace envsetup::core {

util::Result<Request> Request::parse_framework(std::string_view text)
{
  const std::string_view trimmed = util::trim(text);
  const std::size_t spec_start = trimmed.find_first_of("=!<>~");
  std::string name(util::trim(trimmed.substr(0, spec_start)));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (name.empty()) {
    return util::make_error(util::ErrorKind::usage,
                            "invalid framework request `" + std::string(text) + "`")
      .with_cause("it names no framework")
      .with_hint("write e.g. `torch`, `torch==2.5.1`, `tensorflow>=2.15`, `jax` or `none`");
  }
  if (name == "pytorch") {
    name = "torch";
  } else if (name == "tf") {
    name = "tensorflow";
  }
  Request request;
  request.framework = std::move(name);
  std::string spec_text(spec_start == std::string_view::npos ? "" : trimmed.substr(spec_start));
  // `==2.15.0.post1`: pinned as `==2.15.0`, the spelling kept for the resolver to check.
  if (spec_text.starts_with("==")) {
    const std::string pinned(util::trim(std::string_view(spec_text).substr(2)));
    if (const auto base = post_release_base(pinned)) {
      spec_text = "==" + std::string(*base);
      request.post_release = pinned;
    }
  }
  if (!spec_text.empty()) {
    auto spec = VersionSpec::parse(spec_text);
    if (!spec) {
      util::Error error = std::move(spec).error();
      error.kind = util::ErrorKind::usage;
      return error;
    }
    if (request.framework == k_bare_toolkit && !spec->empty()) {
      return util::make_error(util::ErrorKind::usage, "`none` takes no version specifier")
        .with_hint("pin the toolkit with `--cuda X.Y` instead");
    }
    request.version = std::move(spec).value();
  }
  return request;
}

const BuildExclusion* Request::exclusion_of(const Version& build_version, const std::string& variant,
                                            const std::optional<Version>& planned_python) const
{
  for (const auto& exclusion : excluded) {
    if (exclusion.framework == framework && exclusion.version == build_version && exclusion.variant == variant &&
        (!exclusion.python || exclusion.python == planned_python)) {
      return &exclusion;
    }
  }
  return nullptr;
}

}  // namespace envsetup::core
