// SPDX-License-Identifier: Apache-2.0
#include <envsetup/cli/matrix_tables.hpp>

#include <envsetup/cli/output.hpp>
#include <envsetup/matrix/arch_list.hpp>
#include <envsetup/util/strings.hpp>

#include <nlohmann/json.hpp>

#include <ostream>

namespace envsetup::cli {

namespace {

using nlohmann::json;

std::vector<std::string> target_texts(const std::vector<core::ArchTarget>& targets)
{
  std::vector<std::string> texts;
  for (const auto& target : targets) {
    texts.push_back(target.text());
  }
  return texts;
}

std::string targets_text(const std::vector<core::ArchTarget>& targets)
{
  return util::join(target_texts(targets), " ");
}

std::vector<std::string> version_texts(const std::vector<core::Version>& versions)
{
  std::vector<std::string> texts;
  for (const auto& version : versions) {
    texts.push_back(version.text());
  }
  return texts;
}

std::vector<core::ArchTarget> of_kind(const std::vector<core::ArchTarget>& targets, bool ptx)
{
  std::vector<core::ArchTarget> out;
  for (const auto& target : targets) {
    if ((target.kind == core::ArchTarget::Kind::ptx) == ptx) {
      out.push_back(target);
    }
  }
  return out;
}

std::string arch_list_text(const matrix::ArchList& list)
{
  return matrix::notation_name(list.notation) + ": " + list.text;
}

// "8.0 >= 450.36.06, 8.6 >= 455.23"
std::string floors_text(const matrix::Architecture& architecture)
{
  std::vector<std::string> floors;
  for (const auto& floor : architecture.floors) {
    floors.push_back(floor.capability.text() + " >= " + floor.min_driver.text());
  }
  return util::join(floors, ", ");
}

json variant_json(const matrix::Variant& variant)
{
  json cudnn_wheel = nullptr;
  if (variant.cudnn_wheel) {
    cudnn_wheel = {{"package", variant.cudnn_wheel->package}, {"spec", variant.cudnn_wheel->spec_text}};
  }
  return {
    {"name", variant.name},
    {"platform", core::platform_name(variant.platform)},
    {"cuda", variant.cuda.text()},
    {"cudnn", variant.cudnn ? json(variant.cudnn->text()) : json(nullptr)},
    {"cudnn_wheel", cudnn_wheel},
    {"sass", target_texts(of_kind(variant.targets, false))},
    {"ptx", target_texts(of_kind(variant.targets, true))},
    {"arch_list", {{"notation", matrix::notation_name(variant.arch_list.notation)}, {"text", variant.arch_list.text}}},
    {"glibc", variant.glibc.text()},
    {"index_url", variant.index_url ? json(*variant.index_url) : json(nullptr)},
    {"packages", variant.packages},
    {"pypi_default", variant.pypi_default},
    {"system_toolkit", variant.system_toolkit},
    {"source", variant.provenance.source}};
}

bool wants(const std::string& domain, const char* name)
{
  return domain.empty() || domain == name;
}

std::string cudnn_cuda_text(const matrix::CudnnRelease& release)
{
  std::vector<std::string> ranges;
  for (const auto& range : release.cuda) {
    ranges.push_back(range.min.text() + "-" + range.max.text());
  }
  return util::join(ranges, ", ");
}

json framework_json(const matrix::Framework& framework)
{
  json releases = json::array();
  for (const auto& release : framework.releases) {
    json variants = json::array();
    for (const auto& variant : release.variants) {
      variants.push_back(variant_json(variant));
    }
    releases.push_back({{"series", release.series.text()},
                        {"versions", version_texts(release.versions)},
                        {"python", {{"min", release.python_min.text()}, {"max", release.python_max.text()}}},
                        {"variants", variants},
                        {"source", release.provenance.source}});
  }
  json gaps = json::array();
  for (const auto& gap : framework.platform_gaps) {
    gaps.push_back(
      {{"platform", core::platform_name(gap.platform)}, {"reason", gap.reason}, {"source", gap.provenance.source}});
  }
  return {{"framework", framework.name},
          {"display_name", framework.display_name},
          {"platform_gaps", gaps},
          {"releases", releases}};
}

}  // namespace

void print_matrix_tables(std::ostream& out, const matrix::Matrix& matrix, const std::string& domain,
                         const std::string& framework)
{
  if (framework.empty() && wants(domain, "cuda")) {
    out << "CUDA releases\n";
    Table table({"version", "label", "released", "min driver", "targets"});
    for (const auto& release : matrix.cuda) {
      table.add({release.version.text(), release.label, release.release_date, release.min_driver.text(),
                 targets_text(release.targets)});
    }
    table.print(out, "  ");
    out << "\nCUDA minor-version compatibility floors\n";
    Table floors({"major", "min driver"});
    for (const auto& major : matrix.cuda_majors) {
      floors.add({std::to_string(major.major) + ".x", major.min_driver.text()});
    }
    floors.print(out, "  ");
    out << '\n';
  }
  if (framework.empty() && wants(domain, "gpus")) {
    out << "GPU architectures\n";
    Table table({"architecture", "compute capabilities and min driver", "last branch"});
    for (const auto& architecture : matrix.architectures) {
      table.add({architecture.name, floors_text(architecture),
                 architecture.last_driver_branch ? "R" + std::to_string(*architecture.last_driver_branch) : ""});
    }
    table.print(out, "  ");
    out << "\nGPU chips\n";
    Table chips({"chip", "architecture", "cc", "products"});
    for (const auto& chip : matrix.chips) {
      chips.add({chip.name, chip.architecture, chip.capability.text(), chip.products});
    }
    chips.print(out, "  ");
    out << '\n';
  }
  if (framework.empty() && wants(domain, "cudnn")) {
    out << "cuDNN releases\n";
    Table table({"version", "build", "CUDA", "compute capabilities"});
    for (const auto& release : matrix.cudnn) {
      table.add({release.version.text(), release.build ? release.build->text() : "", cudnn_cuda_text(release),
                 release.min_capability.text() + "-" + release.max_capability.text()});
    }
    table.print(out, "  ");
    out << '\n';
  }
  if (!wants(domain, "frameworks")) {
    return;
  }
  for (const auto& entry : matrix.frameworks) {
    if (!framework.empty() && entry.name != framework) {
      continue;
    }
    out << entry.display_name << " (" << entry.name << ")\n";
    Table table(
      {"versions", "python", "variant", "platform", "CUDA", "cuDNN", "glibc", "SASS", "PTX", "arch list", "PyPI"});
    for (auto release = entry.releases.rbegin(); release != entry.releases.rend(); ++release) {
      for (const auto& variant : release->variants) {
        table.add({util::join(version_texts(release->versions), " "),
                   release->python_min.text() + "-" + release->python_max.text(), variant.name,
                   core::platform_name(variant.platform), variant.cuda.text(),
                   variant.cudnn ? variant.cudnn->text() : "", variant.glibc.text(),
                   targets_text(of_kind(variant.targets, false)), targets_text(of_kind(variant.targets, true)),
                   arch_list_text(variant.arch_list), variant.pypi_default ? "default" : ""});
      }
    }
    table.print(out, "  ");
    for (const auto& gap : entry.platform_gaps) {
      out << "  no build for " << core::platform_name(gap.platform) << ": " << gap.reason << '\n';
    }
    out << '\n';
  }
}

std::string matrix_json(const matrix::Matrix& matrix, const std::string& domain, const std::string& framework)
{
  json document = json::object();
  if (framework.empty() && wants(domain, "cuda")) {
    json releases = json::array();
    for (const auto& release : matrix.cuda) {
      releases.push_back({{"version", release.version.text()},
                          {"label", release.label},
                          {"min_driver", release.min_driver.text()},
                          {"targets", target_texts(release.targets)},
                          {"manifest", release.manifest},
                          {"source", release.provenance.source}});
    }
    document["cuda"] = releases;
  }
  if (framework.empty() && wants(domain, "gpus")) {
    json architectures = json::array();
    for (const auto& architecture : matrix.architectures) {
      json caps = json::array();
      for (const auto& floor : architecture.floors) {
        caps.push_back({{"capability", floor.capability.text()},
                        {"min_driver", floor.min_driver.text()},
                        {"source", floor.provenance.source}});
      }
      architectures.push_back(
        {{"name", architecture.name},
         {"compute_capabilities", caps},
         {"min_driver", architecture.min_driver.text()},
         {"last_driver_branch",
          architecture.last_driver_branch ? json(*architecture.last_driver_branch) : json(nullptr)}});
    }
    document["gpu_architectures"] = architectures;
  }
  if (framework.empty() && wants(domain, "cudnn")) {
    json releases = json::array();
    for (const auto& release : matrix.cudnn) {
      releases.push_back({{"version", release.version.text()},
                          {"build", release.build ? json(release.build->text()) : json(nullptr)},
                          {"cuda", cudnn_cuda_text(release)}});
    }
    document["cudnn"] = releases;
  }
  if (wants(domain, "frameworks")) {
    json frameworks = json::array();
    for (const auto& entry : matrix.frameworks) {
      if (framework.empty() || entry.name == framework) {
        frameworks.push_back(framework_json(entry));
      }
    }
    document["frameworks"] = frameworks;
  }
  return document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace envsetup::cli
