// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/lock_wheels.hpp>

#include <envsetup/pyenv/report.hpp>
#include <envsetup/pyenv/run_logged.hpp>
#include <envsetup/pyenv/venv.hpp>
#include <envsetup/util/fs.hpp>
#include <envsetup/util/process.hpp>
#include <envsetup/util/sha256.hpp>

#include <cctype>
#include <chrono>
#include <system_error>

namespace envsetup::app {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string percent_decoded(std::string_view text)
{
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) != 0 &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2])) != 0) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string host_of(std::string_view url)
{
  const auto start = url.find("://");
  if (start == std::string_view::npos) {
    return "";
  }
  const std::string_view rest = url.substr(start + 3);
  return std::string(rest.substr(0, rest.find('/')));
}

util::Result<util::ProcessOutput> run_checked(const std::vector<std::string>& argv, const std::string& what)
{
  std::vector<std::string> args(argv.begin() + 1, argv.end());
  auto output = util::run_process(argv.front(), args, std::chrono::milliseconds(3h));
  if (!output) {
    return std::move(output).error();
  }
  if (output->exit_code != 0) {
    auto error = util::make_error(util::ErrorKind::environment,
                                  what + " failed (exit status " + std::to_string(output->exit_code) + ")")
                   .with_cause("command: " + pyenv::command_line(argv));
    for (const std::string& line : pyenv::last_lines(output->err + output->out, 12)) {
      error = std::move(error).with_cause(line);
    }
    return error;
  }
  return output;
}

// Which index a reported URL came from, and the URL relative to its root when it lies below it.
void place(lock::LockedWheel& wheel, const std::string& url, const std::vector<lock::LockedIndex>& indexes)
{
  // the longest root first: an extra index may lie below the default one
  const lock::LockedIndex* best = nullptr;
  for (const auto& index : indexes) {
    if (url.starts_with(index.url) && (best == nullptr || index.url.size() > best->url.size())) {
      best = &index;
    }
  }
  if (best != nullptr) {
    wheel.index = best->key;
    wheel.url = url.substr(best->url.size());
    return;
  }
  wheel.url = url;
  wheel.index = indexes.front().key;
  for (const auto& index : indexes) {
    if (host_of(index.url) == host_of(url)) {
      wheel.index = index.key;
      break;
    }
  }
}

}  // namespace

util::Result<std::vector<lock::LockedWheel>> resolve_wheels(const FrameworkInstallPlan& plan,
                                                            const std::vector<lock::LockedIndex>& indexes,
                                                            const fs::path& work)
{
  const fs::path python = pyenv::venv_python(plan.venv);
  const fs::path report_path = work / "report.json";
  std::vector<std::string> argv{python.string(),
                                "-m",
                                "pip",
                                "install",
                                "--disable-pip-version-check",
                                "--quiet",
                                "--dry-run",
                                "--ignore-installed",
                                "--only-binary=:all:",
                                "--report",
                                report_path.string()};
  if (plan.pip.extra_index_url) {
    argv.insert(argv.end(), {"--extra-index-url", *plan.pip.extra_index_url});
  }
  argv.insert(argv.end(), plan.pip.requirements.begin(), plan.pip.requirements.end());
  ENVSETUP_TRY(run_checked(argv, "pip's resolver"));
  auto text = util::read_file(report_path);
  if (!text) {
    return std::move(text).error();
  }
  auto report = pyenv::parse_pip_report(*text);
  if (!report) {
    return std::move(report).error();
  }
  std::vector<lock::LockedWheel> wheels;
  const fs::path downloads = work / "wheels";
  std::vector<std::string> fetch{
    python.string(), "-m",        "pip",    "download",        "--disable-pip-version-check",
    "--quiet",       "--no-deps", "--dest", downloads.string()};
  for (const pyenv::ReportedDistribution& distribution : *report) {
    std::string url = distribution.url.substr(0, distribution.url.find('#'));
    const std::string file = percent_decoded(url.substr(url.rfind('/') + 1));
    if (!file.ends_with(".whl")) {
      return util::make_error(util::ErrorKind::input, distribution.name + " " + distribution.version +
                                                        " would be built from a source distribution (" + file + ")")
        .with_cause("a lock records wheels only: a build from source is not reproducible by hash");
    }
    lock::LockedWheel wheel{distribution.name, distribution.version, file, "", "", "", 0};
    place(wheel, url, indexes);
    wheels.push_back(std::move(wheel));
    fetch.push_back(url);
  }
  if (!wheels.empty()) {
    ENVSETUP_TRY(run_checked(fetch, "downloading the wheels to hash them"));
  }
  for (std::size_t i = 0; i < wheels.size(); ++i) {
    lock::LockedWheel& wheel = wheels[i];
    const fs::path file = downloads / wheel.filename;
    auto digest = util::sha256_file(file);
    if (!digest) {
      return std::move(digest).error();
    }
    const auto& known = (*report)[i].sha256;
    if (!known.empty() && known.front() != *digest) {
      return util::make_error(util::ErrorKind::integrity, wheel.filename + " does not have the sha256 its index gives")
        .with_cause("index: " + known.front() + ", downloaded: " + *digest);
    }
    std::error_code ec;
    wheel.size = fs::file_size(file, ec);
    if (ec) {
      return util::make_error(util::ErrorKind::io, "cannot read " + file.string() + ": " + ec.message());
    }
    wheel.sha256 = *digest;
  }
  return wheels;
}

}  // namespace envsetup::app
