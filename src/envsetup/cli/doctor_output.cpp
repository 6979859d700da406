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
  return json{{"ok", report.ok()}, {"findings", findings}, {"checks", checks_array(report.checks)}}.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
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
