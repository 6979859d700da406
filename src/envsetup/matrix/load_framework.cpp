// SPDX-License-Identifier: Apache-2.0
// Reading a framework file (torch.json, tensorflow.json, jax.json) of schema
// version 2.
#include <envsetup/matrix/arch_list.hpp>
#include <envsetup/matrix/json_reader.hpp>

namespace envsetup::matrix::detail {

namespace {

std::optional<core::Platform> read_platform(ObjectReader& item)
{
  const std::string text = item.string("platform");
  if (text.empty()) {
    return std::nullopt;
  }
  for (const auto platform : {core::Platform::linux_x86_64, core::Platform::linux_aarch64}) {
    if (text == core::platform_name(platform)) {
      return platform;
    }
  }
  item.context().report(child_pointer(item.pointer(), "platform"),
                        "unknown platform `" + text + "` (expected `linux-x86_64` or `linux-aarch64`)");
  return std::nullopt;
}

// `sass` (sm_XY, sm_XYa, sm_XYf) or `ptx` (compute_XY, compute_XYa, compute_XYf) of a variant.
std::vector<core::ArchTarget> read_kind(ObjectReader& item, const std::string& key, bool ptx)
{
  std::vector<core::ArchTarget> kept;
  const auto targets = item.targets(key);
  for (std::size_t i = 0; i < targets.size(); ++i) {
    if ((targets[i].kind == core::ArchTarget::Kind::ptx) != ptx) {
      item.context().report(child_pointer(child_pointer(item.pointer(), key), std::to_string(i)),
                            "`" + targets[i].text() + "` does not belong in `" + key + "` (" +
                              (ptx ? "PTX is written `compute_XY`, `compute_XYa` or `compute_XYf`" : "SASS is written `sm_XY`, `sm_XYa` or `sm_XYf`") +
                              ")");
      continue;
    }
    kept.push_back(targets[i]);
  }
  return kept;
}

ArchList read_arch_list(ObjectReader& item)
{
  ArchList list;
  ObjectReader reader = item.object("arch_list");
  const std::string notation = reader.string("notation");
  if (const auto parsed = parse_notation(notation)) {
    list.notation = *parsed;
  } else if (!notation.empty()) {
    item.context().report(child_pointer(reader.pointer(), "notation"),
                          "unknown notation `" + notation + "` (expected `torch` or `bazel`)");
  }
  list.text = reader.string("text");
  reader.finish();
  return list;
}

std::optional<CudnnWheel> read_cudnn_wheel(ObjectReader& item)
{
  if (!item.has("cudnn_wheel")) {
    return std::nullopt;
  }
  ObjectReader reader = item.object("cudnn_wheel");
  CudnnWheel wheel;
  wheel.package = reader.string("package");
  wheel.spec_text = reader.string("spec");
  reader.finish();
  if (wheel.spec_text.empty()) {
    return std::nullopt;
  }
  auto spec = core::VersionSpec::parse(wheel.spec_text);
  if (!spec) {
    item.context().report(child_pointer(reader.pointer(), "spec"),
                          "invalid version specifier `" + wheel.spec_text + "`: " + spec.error().message);
    return std::nullopt;
  }
  wheel.spec = std::move(spec).value();
  return wheel;
}

Variant read_variant(ObjectReader& item)
{
  Variant variant;
  variant.name = item.string("name");
  if (item.has("targets")) {  // the v1 key: its `compute_XY` was ambiguous
    (void)item.array("targets");
    item.context().report(child_pointer(item.pointer(), "targets"),
                          "variant `" + variant.name +
                            "` uses the retired key `targets`: compute_XY in TensorFlow/JAX "
                            "flags means SASS and "
                            "PTX; write sass/ptx/arch_list (docs/matrix-format.md)");
  }
  if (const auto platform = read_platform(item)) {
    variant.platform = *platform;
  }
  variant.cuda = item.version("cuda");
  variant.cudnn = item.optional_version("cudnn");
  variant.cudnn_wheel = read_cudnn_wheel(item);
  variant.targets = read_kind(item, "sass", false);
  const auto ptx = read_kind(item, "ptx", true);
  variant.targets.insert(variant.targets.end(), ptx.begin(), ptx.end());
  variant.arch_list = read_arch_list(item);
  variant.glibc = item.version("glibc");
  if (!variant.glibc.empty() && variant.glibc.parts().size() != 2) {
    item.context().report(
      child_pointer(item.pointer(), "glibc"),
      "glibc is written X.Y (the manylinux floor, e.g. 2.17), found `" + variant.glibc.text() + "`");
  }
  variant.index_url = item.optional_string("index_url");
  variant.packages = item.strings("packages");
  variant.pypi_default = item.boolean("pypi_default", false);
  variant.system_toolkit = item.boolean("system_toolkit", false);
  variant.provenance = item.provenance();
  return variant;
}

// "pip_versions": {"2.15.0": {"pip": "2.15.0.post1", "why": "...", "source": "..."}}
void read_pip_versions(ObjectReader& item, FrameworkRelease& release)
{
  if (!item.has("pip_versions")) {
    return;
  }
  ObjectReader spellings = item.object("pip_versions");
  if (spellings.is_object()) {
    for (const auto& key : object_keys(spellings)) {
      ObjectReader entry = spellings.object(key);
      PipVersion pip;
      pip.version = parse_version_at(key, child_pointer(spellings.pointer(), key), item.context());
      pip.pip = entry.string("pip");
      pip.why = entry.string("why");
      pip.provenance = entry.provenance();
      entry.finish();
      release.pip_versions.push_back(std::move(pip));
    }
  }
  spellings.finish();
}

FrameworkRelease read_release(ObjectReader& item)
{
  FrameworkRelease release;
  release.series = item.version("series");
  const auto versions = item.strings("versions");
  for (std::size_t i = 0; i < versions.size(); ++i) {
    release.versions.push_back(parse_version_at(
      versions[i], child_pointer(child_pointer(item.pointer(), "versions"), std::to_string(i)), item.context()));
  }
  release.released = item.optional_string("released").value_or("");
  ObjectReader python = item.object("python");
  release.python_min = python.version("min");
  release.python_max = python.version("max");
  python.finish();
  if (item.has("companions")) {
    ObjectReader companions = item.object("companions");
    if (companions.is_object()) {
      for (const auto& name : object_keys(companions)) {
        release.companions.emplace_back(name, companions.string(name));
      }
    }
    companions.finish();
  }
  for_each_object(item, "variants", [&](ObjectReader& variant) { release.variants.push_back(read_variant(variant)); });
  read_pip_versions(item, release);
  release.provenance = item.provenance();
  return release;
}

}  // namespace

void read_framework(ObjectReader& root, const std::string& file, Matrix& matrix)
{
  Framework framework;
  framework.file = file;
  framework.name = root.string("framework");
  framework.display_name = root.string("display_name");
  ObjectReader cpu = root.object("cpu");
  framework.cpu.index_url = cpu.optional_string("index_url");
  framework.cpu.packages = cpu.strings("packages");
  cpu.finish();
  if (root.has("platform_gaps")) {
    for_each_object(root, "platform_gaps", [&](ObjectReader& item) {
      PlatformGap gap;
      if (const auto platform = read_platform(item)) {
        gap.platform = *platform;
      }
      gap.reason = item.string("reason");
      gap.provenance = item.provenance();
      framework.platform_gaps.push_back(std::move(gap));
    });
  }
  for_each_object(root, "releases", [&](ObjectReader& item) { framework.releases.push_back(read_release(item)); });
  matrix.frameworks.push_back(std::move(framework));
}

}  // namespace envsetup::matrix::detail
