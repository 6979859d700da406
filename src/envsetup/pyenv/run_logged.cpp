// SPDX-License-Identifier: Apache-2.0
#include <envsetup/pyenv/run_logged.hpp>
#include <envsetup/util/strings.hpp>
#include <envsetup/util/template.hpp>

#include <envsetup/util/unique_fd.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fcntl.h>
#include <sys/stat.h>

namespace envsetup::pyenv {

std::vector<std::string> last_lines(std::string_view text, std::size_t count)
{
  std::vector<std::string> lines;
  for (const auto line : util::split(text, '\n')) {
    if (!util::trim(line).empty()) {
      lines.emplace_back(line.ends_with('\r') ? line.substr(0, line.size() - 1) : line);
    }
  }
  if (lines.size() > count) {
    lines.erase(lines.begin(), lines.end() - static_cast<std::ptrdiff_t>(count));
  }
  return lines;
}

std::string command_line(const std::vector<std::string>& argv)
{
  std::string line = "$";
  for (const auto& word : argv) {
    line += " " + util::shell_word(word);
  }
  return line;
}

namespace {

// The log is created (or appended to) only as a regular file that is no link: the folder is the
// user's venv, and a planted `.envsetup/install.log -> /etc/...` must not make envsetup append
// pip's output to a file it did not create. The file is created with O_NOFOLLOW first, then
// opened for the stream.
util::Result<std::ofstream> open_log(const std::filesystem::path& log)
{
  std::error_code ec;
  std::filesystem::create_directories(log.parent_path(), ec);
  const util::UniqueFd fd(
    ::open(log.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644));
  struct stat status {};
  if (!fd.valid() || ::fstat(fd.get(), &status) != 0 || !S_ISREG(status.st_mode)) {
    const int error = fd.valid() ? 0 : errno;
    return util::make_error(util::ErrorKind::io, "cannot write the install log " + log.string())
      .with_cause(error == ELOOP ? "it is a symbolic link, which envsetup does not follow"
                  : error != 0   ? std::string(std::strerror(error))
                                 : "it is not a regular file")
      .with_hint("remove it; envsetup creates the log itself");
  }
  std::ofstream out(log, std::ios::app);
  if (ec || !out) {
    return util::make_error(util::ErrorKind::io, "cannot write the install log " + log.string())
      .with_cause(ec ? ec.message() : "cannot open it for appending");
  }
  return out;
}

}  // namespace

util::Status append_log(const std::filesystem::path& log, std::string_view text)
{
  auto out = open_log(log);
  if (!out) {
    return std::move(out).error();
  }
  *out << text;
  if (!out->flush()) {
    return util::make_error(util::ErrorKind::io, "cannot write the install log " + log.string());
  }
  return util::ok_status();
}

util::Result<util::ProcessOutput> run_logged(const std::vector<std::string>& argv, const std::filesystem::path& log,
                                             std::chrono::milliseconds timeout)
{
  auto opened = open_log(log);
  if (!opened) {
    return std::move(opened).error();
  }
  auto& out = *opened;
  out << command_line(argv) << '\n' << std::flush;
  const std::vector<std::string> args(argv.begin() + 1, argv.end());
  auto result = util::run_process(argv.front(), args, timeout);
  if (!result) {
    out << "envsetup: " << result.error().message << '\n';
    return result;
  }
  out << result->out << result->err;
  if (!result->err.empty() && !result->err.ends_with('\n')) {
    out << '\n';
  }
  out << "[exit status " << result->exit_code << "]\n\n";
  if (!out.flush()) {
    return util::make_error(util::ErrorKind::io, "cannot write the install log " + log.string());
  }
  return result;
}

void LineSplitter::feed(std::string_view piece)
{
  for (const char c : piece) {
    if (c == '\n' || c == '\r') {
      if (!util::trim(m_partial).empty() && m_on_line) {
        m_on_line(m_partial);
      }
      m_partial.clear();
    } else if (m_partial.size() < 4096) {  // a line longer than that is cut, not stored whole
      m_partial += c;
    }
  }
}

void LineSplitter::finish()
{
  feed("\n");
}

util::Result<util::ProcessOutput> run_logged_streaming(const std::vector<std::string>& argv,
                                                       const std::filesystem::path& log, const StreamedRun& run)
{
  auto opened = open_log(log);
  if (!opened) {
    return std::move(opened).error();
  }
  auto& out = *opened;
  out << command_line(argv) << '\n' << std::flush;
  LineSplitter lines(run.on_line);
  util::StreamOptions options;
  options.idle_timeout = run.idle_timeout;
  options.on_output = [&out, &lines](std::string_view piece) {
    out << piece << std::flush;
    lines.feed(piece);
  };
  const std::vector<std::string> args(argv.begin() + 1, argv.end());
  auto result = util::run_process_streaming(argv.front(), args, options);
  lines.finish();
  if (!result) {
    out << "envsetup: " << result.error().message << '\n';
    return result;
  }
  if (!result->out.empty() && !result->out.ends_with('\n')) {
    out << '\n';
  }
  if (result->idle_killed) {
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(run.idle_timeout).count();
    out << "envsetup: no output for " << seconds << " s: killed\n\n";
  } else {
    out << "[exit status " << result->exit_code << "]\n\n";
  }
  if (!out.flush()) {
    return util::make_error(util::ErrorKind::io, "cannot write the install log " + log.string());
  }
  return result;
}

}  // namespace envsetup::pyenv
