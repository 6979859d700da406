// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/detect/report.hpp>

#include <iosfwd>
#include <string>

namespace envsetup::cli {

// The `detect --json` document (fields in docs/detect.md), pretty-printed.
[[nodiscard]] std::string host_report_json(const detect::HostReport& report);

// The compact text report of `envsetup detect`.
void print_host_report(std::ostream& out, const detect::HostReport& report);

}  // namespace envsetup::cli
