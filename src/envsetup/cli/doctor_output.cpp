// SPDX-License-Identifier: Apache-2.0
#include <envsetup/cli/doctor_output.hpp>

#include <nlohmann/json.hpp>

#include <ostream>

namespace envsetup::cli {

namespace {

using nlohmann::json;

json check_json(const verify::Check& check)
{
  json metrics = json::object();
  for (const auto& metric : check.metrics) {
    metrics[metric.name] = metric.value;
  }
  return {{"name", check.name},
          {"status", verify::status_name(check.status)},
          {"detail", check.detail},
          {"hint", check.hint ? json(*check.hint) : json(nullptr)},
          {"metrics", metrics}};
}

json checks_array(const std::vector<verify::Check>& checks)
{
  json array = json::array();
  for (const auto& check : checks) {
    array.push_back(check_json(check));
  }
  return array;
}

const char* family_name(detect::OsFamily family)
{
  switch (family) {
    case detect::OsFamily::ubuntu:
      return "ubuntu";
    case detect::OsFamily::debian:
      return "debian";
    case detect::OsFamily::fedora:
      return "fedora";
    case detect::OsFamily::rhel:
      return "rhel";
    case detect::OsFamily::unknown:
      break;
  }
  return "unknown";
}

// What the fixes were chosen for: {"id", "version_id", "name", "family", "container",
// "container_evidence"}.
json os_json(const detect::HostOs& os)
{
  return {{"id", os.id},
          {"version_id", os.version_id},
          {"name", detect::os_display_name(os)},
          {"family", family_name(os.family)},
          {"container", os.container},
          {"container_evidence", os.container ? json(os.container_evidence) : json(nullptr)}};
}

}  // namespace

std::string doctor_json(const app::DoctorReport& report)
{
  json findings = json::array();
  for (const auto& finding : report.findings) {
    findings.push_back({{"severity", app::severity_name(finding.severity)},
                        {"id", finding.id},
                        {"title", finding.title},
                        {"evidence", finding.evidence},
                        {"fix", finding.fix}});
  }
  return json{
    {"ok", report.ok()}, {"os", os_json(report.os)}, {"findings", findings}, {"checks", checks_array(report.checks)}}
    .dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string checks_json(const std::vector<verify::Check>& checks)
{
  return json{{"ok", verify::all_passed(checks)}, {"checks", checks_array(checks)}}.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

void print_checks(std::ostream& out, const std::vector<verify::Check>& checks)
{
  for (const auto& check : checks) {
    out << "  " << verify::status_name(check.status) << "  " << check.name << ": " << check.detail << '\n';
    if (check.status == verify::CheckStatus::fail && check.hint) {
      out << "        hint: " << *check.hint << '\n';
    }
  }
}

void print_doctor_report(std::ostream& out, const app::DoctorReport& report)
{
  const std::string os = detect::os_display_name(report.os);
  if (!os.empty() || report.os.container) {
    out << "host: " << (os.empty() ? "unknown distribution" : os)
        << (report.os.container ? " in a container (" + report.os.container_evidence + ")" : "") << "\n\n";
  }
  if (report.findings.empty()) {
    out << "No problems found.\n";
  }
  for (const auto& finding : report.findings) {
    out << app::severity_name(finding.severity) << ": " << finding.title << "  [" << finding.id << "]\n"
        << "  evidence: " << finding.evidence << '\n';
    if (!finding.fix.empty()) {
      out << "  fix:      " << finding.fix << '\n';
    }
  }
  if (!report.checks.empty()) {
    out << "\nChecks:\n";
    print_checks(out, report.checks);
  }
}

}  // namespace envsetup::cli
