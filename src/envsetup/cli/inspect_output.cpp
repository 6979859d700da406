// SPDX-License-Identifier: Apache-2.0
#include <envsetup/cli/inspect_output.hpp>

#include <envsetup/cli/exit_codes.hpp>
#include <envsetup/cli/output.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <ostream>
#include <set>

namespace envsetup::cli {

namespace {

using nlohmann::json;

const char* compression_name(binary::EmbeddedCode::Compression compression)
{
  switch (compression) {
    case binary::EmbeddedCode::Compression::none: return "none";
    case binary::EmbeddedCode::Compression::lz4: return "lz4";
    case binary::EmbeddedCode::Compression::zstd: return "zstd";
    case binary::EmbeddedCode::Compression::unknown: return "unknown";
  }
  return "unknown";
}

json optional_text(const std::optional<core::Version>& version)
{
  return version ? json(version->text()) : json(nullptr);
}

// The facts of one library in display order.
struct LibraryFacts {
  std::vector<std::string> sass;
  std::vector<std::pair<std::string, std::string>> ptx;  // target, ISA ("" unknown)
  std::vector<std::string> toolkits;
  std::set<std::string> compression;
  std::set<std::string> sections;
};

LibraryFacts facts_of(const binary::LibraryCode& code)
{
  LibraryFacts facts;
  for (const auto& target : code.targets()) {
    if (target.target.kind == core::ArchTarget::Kind::ptx) {
      facts.ptx.emplace_back(target.target.text(), target.ptx_isa ? target.ptx_isa->text() : "");
    } else {
      facts.sass.push_back(target.target.text());
    }
  }
  for (const auto& toolkit : code.toolkits()) {
    facts.toolkits.push_back(toolkit.text());
  }
  for (const auto& fatbin : code.fatbins) {
    facts.sections.insert(fatbin.section);
    for (const auto& entry : fatbin.entries) {
      facts.compression.insert(compression_name(entry.compression));
    }
  }
  return facts;
}

json coverage_detail(const app::LibraryCoverage& coverage)
{
  const auto& run = coverage.run;
  return {{"gpu", run.gpu.sm_name()},
          {"how", run_kind_name(run.how)},
          {"target", run.target.empty() ? json(nullptr) : json(run.target)},
          {"ptx_isa", optional_text(run.ptx_isa)},
          {"jit_needs_cuda", optional_text(run.jit_needs_cuda)},
          {"driver_can_jit", run.driver_can_jit ? json(*run.driver_can_jit) : json(nullptr)},
          {"units_without_code", coverage.units_without_code}};
}

json library_json(const app::InspectedLibrary& library)
{
  const auto facts = facts_of(library.code);
  json ptx = json::array();
  for (const auto& [target, isa] : facts.ptx) {
    ptx.push_back({{"target", target}, {"isa", isa.empty() ? json(nullptr) : json(isa)}});
  }
  json coverage = json::object();
  json detail = json::array();
  for (const auto& c : library.coverage) {
    coverage[c.run.gpu.sm_name()] = run_kind_name(c.run.how);
    detail.push_back(coverage_detail(c));
  }
  return {{"path", library.path},
          {"package", library.package.empty() ? json(nullptr) : json(library.package)},
          {"sass", facts.sass},
          {"ptx", ptx},
          {"toolkits", facts.toolkits},
          {"compression", facts.compression},
          {"relocatable", library.code.relocatable},
          {"units", library.code.fatbins.size()},
          {"sections", facts.sections},
          {"coverage", coverage},
          {"coverage_detail", detail}};
}

// The worst way a package's libraries run on GPU `index`: none, then ptx-jit, then sass.
resolve::RunKind package_run(const app::InspectReport& report, const app::InspectedPackage& package,
                             std::size_t index)
{
  auto worst = resolve::RunKind::sass;
  for (const auto library : package.libraries) {
    const auto how = report.libraries[library].coverage[index].run.how;
    if (how == resolve::RunKind::none || (how == resolve::RunKind::ptx_jit && worst == resolve::RunKind::sass)) {
      worst = how;
    }
  }
  return worst;
}

std::string describe_run(const app::LibraryCoverage& coverage)
{
  const auto& run = coverage.run;
  std::string text = run_kind_name(run.how);
  if (run.how == resolve::RunKind::sass) {
    text += " (" + run.target + ")";
  } else if (run.how == resolve::RunKind::ptx_jit) {
    text += " (" + run.target + (run.ptx_isa ? ", PTX ISA " + run.ptx_isa->text() : "");
    if (run.driver_can_jit) {
      text += *run.driver_can_jit ? ": the driver can JIT it"
                                  : ": the driver is too old to JIT it, it needs CUDA " +
                                      (run.jit_needs_cuda ? run.jit_needs_cuda->text() : std::string("?"));
    } else {
      text += ": whether the driver can JIT it is unknown";
    }
    text += ")";
  } else {
    text += ": no SASS for this GPU and no PTX it can JIT: \"no kernel image is available\"";
  }
  if (coverage.units_without_code > 0 && run.how != resolve::RunKind::none) {
    text += "; " + std::to_string(coverage.units_without_code) + " unit(s) without code for it";
  }
  return text;
}

std::string joined(const std::vector<std::string>& items)
{
  std::string text;
  for (const auto& item : items) {
    text += (text.empty() ? "" : " ") + item;
  }
  return text;
}

}  // namespace

const char* run_kind_name(resolve::RunKind how)
{
  switch (how) {
    case resolve::RunKind::sass: return "sass";
    case resolve::RunKind::ptx_jit: return "ptx-jit";
    case resolve::RunKind::none: return "none";
  }
  return "none";
}

std::string inspect_json(const app::InspectReport& report)
{
  json gpus = json::array();
  for (const auto& gpu : report.targets.gpus) {
    gpus.push_back(gpu.sm_name());
  }
  json libraries = json::array();
  for (const auto& library : report.libraries) {
    libraries.push_back(library_json(library));
  }
  json packages = json::array();
  for (const auto& package : report.packages) {
    json paths = json::array();
    for (const auto index : package.libraries) {
      paths.push_back(report.libraries[index].path);
    }
    json coverage = json::object();
    for (std::size_t i = 0; i < report.targets.gpus.size(); ++i) {
      coverage[report.targets.gpus[i].sm_name()] = run_kind_name(package_run(report, package, i));
    }
    packages.push_back(
      {{"name", package.name}, {"version", package.version}, {"libraries", paths}, {"coverage", coverage}});
  }
  json warnings = json::array();
  for (const auto& warning : report.warnings) {
    warnings.push_back({{"id", warning.id}, {"subject", warning.subject}, {"message", warning.message}});
  }
  json errors = json::array();
  for (const auto& problem : report.problems) {
    errors.push_back({{"path", problem.path},
                      {"error",
                       {{"kind", error_kind_name(problem.error.kind)},
                        {"message", problem.error.message},
                        {"causes", problem.error.causes},
                        {"hints", problem.error.hints}}}});
  }
  return json{{"ok", report.ok()},
              {"gpus", gpus},
              {"gpu_source", report.gpu_source},
              {"driver", optional_text(report.targets.driver)},
              {"driver_cuda", optional_text(report.targets.driver_cuda)},
              {"libraries", libraries},
              {"packages", packages},
              {"without_cuda", report.without_cuda},
              {"warnings", warnings},
              {"errors", errors}}
    .dump(2, ' ', false, json::error_handler_t::replace);
}

void print_inspect_report(std::ostream& out, const app::InspectReport& report)
{
  std::vector<std::string> gpus;
  for (const auto& gpu : report.targets.gpus) {
    gpus.push_back(gpu.sm_name());
  }
  out << "GPUs: " << (gpus.empty() ? "none" : joined(gpus) + " (" + report.gpu_source + ")");
  if (report.targets.driver) {
    out << "; driver " << report.targets.driver->text();
  }
  if (report.targets.driver_cuda) {
    out << " (CUDA " << report.targets.driver_cuda->text() << ")";
  }
  out << '\n';
  for (const auto& library : report.libraries) {
    const auto facts = facts_of(library.code);
    out << '\n' << field_text(library.path);
    if (!library.package.empty()) {
      out << "  [" << field_text(library.package) << "]";
    }
    out << "\n  SASS: " << (facts.sass.empty() ? "none" : joined(facts.sass)) << '\n';
    std::vector<std::string> ptx;
    for (const auto& [target, isa] : facts.ptx) {
      ptx.push_back(target + (isa.empty() ? "" : " (ISA " + isa + ")"));
    }
    out << "  PTX:  " << (ptx.empty() ? "none" : joined(ptx)) << '\n';
    out << "  " << library.code.fatbins.size() << " unit(s) in " << field_text(joined({facts.sections.begin(), facts.sections.end()}))
        << "; compression: " << joined({facts.compression.begin(), facts.compression.end()});
    if (!facts.toolkits.empty()) {
      out << "; built with CUDA " << joined(facts.toolkits);
    }
    out << '\n';
    for (const auto& coverage : library.coverage) {
      out << "  " << coverage.run.gpu.sm_name() << ": " << describe_run(coverage) << '\n';
    }
  }
  if (report.libraries.empty()) {
    out << "\nNo CUDA code found.\n";
  }
  if (!report.without_cuda.empty()) {
    out << '\n' << report.without_cuda.size()
        << (report.without_cuda.size() == 1 ? " other library holds" : " other libraries hold") << " no CUDA code.\n";
  }
  for (const auto& warning : report.warnings) {
    out << "\nwarning: " << field_text(warning.message) << "  [" << warning.id << "]\n";
  }
  for (const auto& problem : report.problems) {
    out << "\nerror: " << field_text(problem.path) << ": " << field_text(problem.error.message) << '\n';
    for (const auto& cause : problem.error.causes) {
      out << "  caused by: " << field_text(cause) << '\n';
    }
    for (const auto& hint : problem.error.hints) {
      out << "  hint: " << field_text(hint) << '\n';
    }
  }
}

int inspect_exit_code(const app::InspectReport& report)
{
  const bool cannot_run = std::any_of(report.libraries.begin(), report.libraries.end(),
                                      [](const app::InspectedLibrary& l) { return !l.runs_everywhere(); });
  if (cannot_run) {
    return k_exit_verification;
  }
  if (!report.problems.empty()) {
    return exit_code_for(report.problems.front().error.kind);
  }
  return k_exit_ok;
}

}  // namespace envsetup::cli
