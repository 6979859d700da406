// SPDX-License-Identifier: Apache-2.0
#include <envsetup/matrix/arch_list.hpp>

#include <algorithm>

namespace envsetup::matrix {

namespace {

using core::ArchTarget;

std::vector<std::string_view> split_entries(std::string_view text, std::string_view separators)
{
  std::vector<std::string_view> entries;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find_first_of(separators, start), text.size());
    std::string_view entry = text.substr(start, end - start);
    while (!entry.empty() && entry.front() == ' ') {
      entry.remove_prefix(1);
    }
    while (!entry.empty() && entry.back() == ' ') {
      entry.remove_suffix(1);
    }
    if (!entry.empty()) {
      entries.push_back(entry);
    }
    start = end + 1;
  }
  return entries;
}

ArchTarget target_of(ArchTarget::Kind kind, core::ComputeCapability capability, char suffix = '\0')
{
  ArchTarget target;
  target.kind = kind;
  target.capability = capability;
  target.suffix = suffix;
  return target;
}

// `X.Y` with a one- or two-digit major and a one-digit minor.
std::optional<core::ComputeCapability> dotted_capability(std::string_view text)
{
  if (text.find('.') == std::string_view::npos) {
    return std::nullopt;
  }
  auto parsed = core::ComputeCapability::parse(text);
  return parsed ? std::optional(*parsed) : std::nullopt;
}

// Appends what one entry means to `sass` / `ptx`; false when the notation does
// not know it.
bool add_torch_entry(std::string_view entry, std::vector<ArchTarget>& sass, std::vector<ArchTarget>& ptx)
{
  bool with_ptx = false;
  if (entry.ends_with("+PTX")) {
    with_ptx = true;
    entry.remove_suffix(4);
  }
  char suffix = '\0';
  if (!with_ptx && (entry.ends_with('a') || entry.ends_with('f'))) {
    suffix = entry.back();
    entry.remove_suffix(1);
  }
  const auto capability = dotted_capability(entry);
  if (!capability) {
    return false;
  }
  sass.push_back(target_of(ArchTarget::Kind::sass, *capability, suffix));
  if (with_ptx) {
    ptx.push_back(target_of(ArchTarget::Kind::ptx, *capability));
  }
  return true;
}

bool add_bazel_entry(std::string_view entry, std::vector<ArchTarget>& sass, std::vector<ArchTarget>& ptx)
{
  if (const auto capability = dotted_capability(entry)) {  // TensorFlow's `X.Y`
    sass.push_back(target_of(ArchTarget::Kind::sass, *capability));
    ptx.push_back(target_of(ArchTarget::Kind::ptx, *capability));
    return true;
  }
  auto target = ArchTarget::parse(entry);
  if (!target) {
    return false;
  }
  if (target->kind == ArchTarget::Kind::ptx) {  // compute_XY[a|f]: SASS and PTX
    sass.push_back(target_of(ArchTarget::Kind::sass, target->capability, target->suffix));
  }
  (target->kind == ArchTarget::Kind::ptx ? ptx : sass).push_back(*target);
  return true;
}

void append_unique(std::vector<ArchTarget>& out, const std::vector<ArchTarget>& items)
{
  for (const auto& item : items) {
    if (std::find(out.begin(), out.end(), item) == out.end()) {
      out.push_back(item);
    }
  }
}

}  // namespace

std::string notation_name(ArchNotation notation)
{
  return notation == ArchNotation::bazel ? "bazel" : "torch";
}

std::optional<ArchNotation> parse_notation(std::string_view text)
{
  if (text == "torch") {
    return ArchNotation::torch;
  }
  if (text == "bazel") {
    return ArchNotation::bazel;
  }
  return std::nullopt;
}

util::Result<std::vector<ArchTarget>> parse_arch_list(ArchNotation notation, std::string_view text)
{
  const bool torch = notation == ArchNotation::torch;
  const auto entries = split_entries(text, torch ? "; " : ",");
  if (entries.empty()) {
    return util::make_error(util::ErrorKind::input, "the architecture list is empty");
  }
  std::vector<ArchTarget> sass;
  std::vector<ArchTarget> ptx;
  for (const auto entry : entries) {
    if (!(torch ? add_torch_entry(entry, sass, ptx) : add_bazel_entry(entry, sass, ptx))) {
      return util::make_error(util::ErrorKind::input, "`" + std::string(entry) + "` is not a " +
                                                        notation_name(notation) + " architecture entry")
        .with_cause(torch ? "expected `X.Y`, `X.Y+PTX`, `X.Ya` or `X.Yf`, "
                            "separated by `;` or spaces"
                          : "expected `sm_XY`, `compute_XY` or `X.Y`, "
                            "separated by `,`");
    }
  }
  std::vector<ArchTarget> all;
  append_unique(all, sass);
  append_unique(all, ptx);
  return all;
}

}  // namespace envsetup::matrix
