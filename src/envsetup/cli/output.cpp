// SPDX-License-Identifier: Apache-2.0
#include <envsetup/cli/colour.hpp>
#include <envsetup/cli/exit_codes.hpp>
#include <envsetup/cli/output.hpp>
#include <envsetup/util/strings.hpp>

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

const char* error_kind_name(util::ErrorKind kind)
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

// Forwards to `target` at once (no buffer of its own, so raw_stderr and the filtered stream
// keep their order), escaping control characters other than the newline and delete.
class ControlCharacterFilter::Buffer : public std::streambuf {
public:
  explicit Buffer(std::streambuf* target) : m_target(target) {}

protected:
  int_type overflow(int_type ch) override
  {
    if (traits_type::eq_int_type(ch, traits_type::eof())) {
      return traits_type::not_eof(ch);
    }
    const char c = traits_type::to_char_type(ch);
    return xsputn(&c, 1) == 1 ? ch : traits_type::eof();
  }

  std::streamsize xsputn(const char* text, std::streamsize count) override
  {
    // Control sequences are recognised within one write (a string is written in one call).
    const std::string_view chunk(text, static_cast<std::size_t>(count));
    std::size_t done = 0;
    while (done < chunk.size()) {
      std::size_t plain = done;
      std::size_t length = 0;
      while (plain < chunk.size() && (length = escape_length(chunk, plain)) == 0) {
        ++plain;
      }
      const auto written = static_cast<std::streamsize>(plain - done);
      if (written > 0 && m_target->sputn(text + done, written) != written) {
        return static_cast<std::streamsize>(done);
      }
      done = plain;
      if (done < chunk.size()) {
        const std::string escaped = util::escape_control_characters(chunk.substr(done, length));
        if (m_target->sputn(escaped.data(), static_cast<std::streamsize>(escaped.size())) !=
            static_cast<std::streamsize>(escaped.size())) {
          return static_cast<std::streamsize>(done);
        }
        done += length;
      }
    }
    return static_cast<std::streamsize>(done);
  }

  int sync() override { return m_target->pubsync(); }

private:
  // The control sequence at `at` to escape (0: none): the CLI's own newlines stay, and DEL
  // stays so that JSON output remains valid (terminals ignore it).
  static std::size_t escape_length(std::string_view chunk, std::size_t at)
  {
    const std::size_t length = util::control_sequence_length(chunk, at);
    return length == 1 && (chunk[at] == '\n' || chunk[at] == '\x7f') ? 0 : length;
  }

  std::streambuf* m_target;
};

namespace {
std::streambuf* g_raw_stderr = nullptr;  // the unfiltered stderr buffer while a filter lives
}  // namespace

ControlCharacterFilter::ControlCharacterFilter()
    : m_out(std::cout.rdbuf()), m_err(std::cerr.rdbuf()), m_out_filter(std::make_unique<Buffer>(m_out)),
      m_err_filter(std::make_unique<Buffer>(m_err))
{
  std::cout.flush();
  std::cerr.flush();
  std::cout.rdbuf(m_out_filter.get());
  std::cerr.rdbuf(m_err_filter.get());
  g_raw_stderr = m_err;
}

ControlCharacterFilter::~ControlCharacterFilter()
{
  std::cout.flush();
  std::cerr.flush();
  std::cout.rdbuf(m_out);
  std::cerr.rdbuf(m_err);
  g_raw_stderr = nullptr;
}

std::ostream& raw_stderr()
{
  if (g_raw_stderr == nullptr) {
    return std::cerr;
  }
  static std::ostream raw(nullptr);
  raw.rdbuf(g_raw_stderr);
  return raw;
}

std::string field_text(std::string_view text)
{
  return util::escape_control_characters(text);
}

void print_error(std::ostream& out, const util::Error& error)
{
  // Colour only on stderr, and then written past the filter: every field is escaped by
  // field_text, so the only escapes that reach the terminal are the palette's own.
  const Palette palette = &out == &std::cerr ? stderr_palette() : Palette{};
  std::ostream& target = palette.reset.empty() ? out : raw_stderr();
  target << palette.error << "envsetup: error:" << palette.reset << ' ' << field_text(error.message) << '\n';
  for (const auto& cause : error.causes) {
    target << "  caused by: " << field_text(cause) << '\n';
  }
  for (const auto& hint : error.hints) {
    target << "  " << palette.hint << "hint:" << palette.reset << ' ' << field_text(hint) << '\n';
  }
  target.flush();
}

namespace {

nlohmann::json error_object(const util::Error& error)
{
  return {{"kind", error_kind_name(error.kind)},
          {"message", error.message},
          {"causes", error.causes},
          {"hints", error.hints}};
}

}  // namespace

std::string error_object_json(const util::Error& error)
{
  return error_object(error).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void print_error_json(std::ostream& out, const util::Error& error)
{
  const nlohmann::json document = {{"ok", false}, {"error", error_object(error)}};
  // One line: also valid inside a stream of JSON events. Control characters come out as
  // \u00XX; invalid UTF-8 (an archive's entry name, say) as U+FFFD instead of an exception.
  out << document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
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
  for (auto& cell : row) {
    cell = field_text(cell);  // one line per row, whatever a cell holds
  }
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
