// SPDX-License-Identifier: Apache-2.0
#include <envsetup/cli/exit_codes.hpp>
#include <envsetup/cli/output.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>
#include <ostream>

namespace envsetup::cli {

int exit_code_for(util::ErrorKind kind)
{
  switch (kind) {
    case util::ErrorKind::usage: return k_exit_usage;
    case util::ErrorKind::input: return k_exit_invalid_data;
    case util::ErrorKind::no_solution: return k_exit_no_solution;
    case util::ErrorKind::network: return k_exit_network;
    case util::ErrorKind::integrity: return k_exit_integrity;
    case util::ErrorKind::verification: return k_exit_verification;
    case util::ErrorKind::environment:
    case util::ErrorKind::io: return k_exit_failure;
    case util::ErrorKind::internal: return k_exit_internal;
  }
  return k_exit_internal;
}

namespace {
const char* kind_name(util::ErrorKind kind)
{
  switch (kind) {
    case util::ErrorKind::usage: return "usage";
    case util::ErrorKind::input: return "invalid_data";
    case util::ErrorKind::no_solution: return "no_solution";
    case util::ErrorKind::network: return "network";
    case util::ErrorKind::integrity: return "integrity";
    case util::ErrorKind::verification: return "verification";
    case util::ErrorKind::environment: return "environment";
    case util::ErrorKind::io: return "io";
    case util::ErrorKind::internal: return "internal";
  }
  return "internal";
}
}  // namespace

void print_error(std::ostream& out, const util::Error& error)
{
  out << "envsetup: error: " << error.message << '\n';
  for (const auto& cause : error.causes) {
    out << "  caused by: " << cause << '\n';
  }
  for (const auto& hint : error.hints) {
    out << "  hint: " << hint << '\n';
  }
}

void print_error_json(std::ostream& out, const util::Error& error)
{
  const nlohmann::json document = {
    {"ok", false},
    {"error",
     {{"kind", kind_name(error.kind)},
      {"message", error.message},
      {"causes", error.causes},
      {"hints", error.hints}}},
  };
  out << document.dump() << '\n';  // one line: also valid inside a stream of JSON events
}

int report_error(const util::Error& error, bool json)
{
  print_error(std::cerr, error);
  if (json) {
    print_error_json(std::cout, error);
  }
  return exit_code_for(error.kind);
}

Table::Table(std::vector<std::string> header) : m_header(std::move(header)) {}

void Table::add(std::vector<std::string> row)
{
  row.resize(m_header.size());
  m_rows.push_back(std::move(row));
}

void Table::print(std::ostream& out, const std::string& indent) const
{
  std::vector<std::size_t> widths(m_header.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  };
  measure(m_header);
  std::for_each(m_rows.begin(), m_rows.end(), measure);
  auto write = [&](const std::vector<std::string>& row) {
    std::string line = indent;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) {
        line += std::string(widths[i] - row[i].size() + 2, ' ');
      }
    }
    while (!line.empty() && line.back() == ' ') {
      line.pop_back();
    }
    out << line << '\n';
  };
  if (std::any_of(m_header.begin(), m_header.end(), [](const auto& h) { return !h.empty(); })) {
    write(m_header);
  }
  std::for_each(m_rows.begin(), m_rows.end(), write);
}

}  // namespace envsetup::cli
