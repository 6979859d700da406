// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/app/doctor.hpp>
#include <envsetup/verify/check.hpp>

#include <iosfwd>
#include <string>
#include <vector>

namespace envsetup::cli {

// {"ok": bool, "findings": [{severity, id, title, evidence, fix}], "checks": [...]}
// (docs/doctor.md), pretty-printed.
[[nodiscard]] std::string doctor_json(const app::DoctorReport& report);

// {"ok": bool, "checks": [{name, status, detail, hint, metrics: {name: value}}]}.
[[nodiscard]] std::string checks_json(const std::vector<verify::Check>& checks);

// The text report: findings (most severe first) with evidence and fix, then the checks.
void print_doctor_report(std::ostream& out, const app::DoctorReport& report);

// One line per check: status, name, detail, and the hint of a failed one.
void print_checks(std::ostream& out, const std::vector<verify::Check>& checks);

}  // namespace envsetup::cli
