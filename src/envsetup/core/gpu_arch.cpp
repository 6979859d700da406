// SPDX-License-Identifier: Apache-2.0
#include <envsetup/core/gpu_arch.hpp>

#include <envsetup/util/strings.hpp>

namespace envsetup::core {

namespace {

// "89" -> 8.9, "120" -> 12.0: the last digit is the minor.
bool parse_compact(std::string_view digits, ComputeCapability& out)
{
  int value = 0;
  if (digits.size() < 2 || digits.size() > 3 || !util::parse_non_negative(digits, value)) {
    return false;
  }
  out.major = value / 10;
  out.minor = value % 10;
  return out.major > 0;
}

}  // namespace

util::Result<ComputeCapability> ComputeCapability::parse(std::string_view text)
{
  auto fail = [&] {
    return util::make_error(util::ErrorKind::input,
                            "invalid compute capability `" + std::string(text) + "`")
      .with_hint("write it as `8.9`, `89` or `sm_89`");
  };
  std::string_view rest = util::trim(text);
  if (rest.starts_with("sm_")) {
    rest.remove_prefix(3);
  }
  ComputeCapability capability;
  if (const auto dot = rest.find('.'); dot != std::string_view::npos) {
    int major = 0;
    int minor = 0;
    if (!util::parse_non_negative(rest.substr(0, dot), major) ||
        !util::parse_non_negative(rest.substr(dot + 1), minor) || rest.size() - dot - 1 != 1 ||
        major < 1 || major > 99) {
      return fail();
    }
    capability = {major, minor};
  } else if (!parse_compact(rest, capability)) {
    return fail();
  }
  return capability;
}

std::string ComputeCapability::text() const
{
  return std::to_string(major) + "." + std::to_string(minor);
}

std::string ComputeCapability::sm_name() const
{
  return "sm_" + std::to_string(major) + std::to_string(minor);
}

util::Result<ArchTarget> ArchTarget::parse(std::string_view text)
{
  auto fail = [&] {
    return util::make_error(util::ErrorKind::input,
                            "invalid architecture target `" + std::string(text) + "`")
      .with_hint("write `sm_86`, `sm_90a`, `sm_100f`, `compute_90` or `compute_90a`");
  };
  ArchTarget target;
  std::string_view digits;
  if (text.starts_with("compute_")) {
    target.kind = Kind::ptx;
    digits = text.substr(8);
  } else if (text.starts_with("sm_")) {
    digits = text.substr(3);
  } else {
    return fail();
  }
  if (!digits.empty() && (digits.back() == 'a' || digits.back() == 'f')) {
    target.suffix = digits.back();
    digits.remove_suffix(1);
  }
  if (!parse_compact(digits, target.capability)) {
    return fail();
  }
  return target;
}

std::string ArchTarget::text() const
{
  std::string out = kind == Kind::ptx ? "compute_" : "sm_";
  out += std::to_string(capability.major) + std::to_string(capability.minor);
  if (suffix != '\0') {
    out += suffix;
  }
  return out;
}

bool ArchTarget::runs_on(ComputeCapability gpu) const
{
  if (suffix == 'a') {
    return gpu == capability;
  }
  if (suffix == 'f' || kind == Kind::sass) {
    return gpu.major == capability.major && gpu.minor >= capability.minor;
  }
  return gpu >= capability;
}

}  // namespace envsetup::core
