// SPDX-License-Identifier: Apache-2.0
// The installer's output streamed (util::run_process_streaming, pyenv::run_logged_streaming):
// pieces as they come, the idle timeout, the log written while the program runs; and the
// --idle-timeout value.
#include <envsetup/cli/install_framework.hpp>
#include <envsetup/pyenv/run_logged.hpp>
#include <envsetup/util/process.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

namespace {

using namespace std::chrono_literals;
using envsetup::pyenv::LineSplitter;

std::string read_text(const std::filesystem::path& path)
{
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The log lives in the user's venv: a link planted there is refused, not followed (before,
// pip's output was appended to whatever the link named).
TEST(InstallerStream, TheLogIsNeverWrittenThroughALink)
{
  const auto dir = std::filesystem::temp_directory_path() / ("envsetup-log-link-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / ".envsetup");
  std::ofstream(dir / "target") << "precious\n";
  std::filesystem::create_symlink(dir / "target", dir / ".envsetup" / "install.log");
  const auto status = envsetup::pyenv::append_log(dir / ".envsetup" / "install.log", "pip output\n");
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().causes.empty() ? std::string() : status.error().causes.front(), "");
  EXPECT_EQ(read_text(dir / "target"), "precious\n");
  std::filesystem::create_directory(dir / "folder.log");
  EXPECT_FALSE(envsetup::pyenv::append_log(dir / "folder.log", "x\n"));
  ASSERT_TRUE(envsetup::pyenv::append_log(dir / "plain.log", "one\n"));
  ASSERT_TRUE(envsetup::pyenv::append_log(dir / "plain.log", "two\n"));
  EXPECT_EQ(read_text(dir / "plain.log"), "one\ntwo\n");
  std::filesystem::remove_all(dir);
}

// run_process (the --python probe, detect's interpreters): a program that prints without end
// is killed once a stream passes 32 MiB, instead of filling the memory until the timeout.
TEST(InstallerStream, RunProcessKillsAProgramThatPrintsTooMuch)
{
  const auto flood = envsetup::util::run_process("/bin/sh", {"-c", "head -c 40000000 /dev/zero"}, 60s);
  ASSERT_FALSE(flood);
  EXPECT_NE(flood.error().message.find("printed too much"), std::string::npos) << flood.error().message;
  const auto fine =
    envsetup::util::run_process("/bin/sh", {"-c", "head -c 3000000 /dev/zero; echo err >&2; exit 3"}, 60s);
  ASSERT_TRUE(fine) << fine.error().message;
  EXPECT_EQ(fine->out.size(), 3000000U);
  EXPECT_EQ(fine->err, "err\n");
  EXPECT_EQ(fine->exit_code, 3);
}

TEST(InstallerStream, OutputOfBothStreamsArrivesInPiecesAndIsKept)
{
  std::string seen;
  envsetup::util::StreamOptions options;
  options.idle_timeout = 60s;
  options.on_output = [&seen](std::string_view piece) { seen += piece; };
  auto result = envsetup::util::run_process_streaming("/bin/sh", {"-c", "echo one; echo two >&2; exit 3"}, options);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->exit_code, 3);
  EXPECT_FALSE(result->idle_killed);
  EXPECT_EQ(result->out, "one\ntwo\n");
  EXPECT_EQ(seen, "one\ntwo\n");
}

TEST(InstallerStream, ASilentProgramIsKilledAfterTheIdleTimeout)
{
  envsetup::util::StreamOptions options;
  options.idle_timeout = 300ms;
  auto result = envsetup::util::run_process_streaming("/bin/sh", {"-c", "echo started; exec sleep 60"}, options);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(result->idle_killed);
  EXPECT_EQ(result->exit_code, -1);
  EXPECT_EQ(result->out, "started\n");
}

TEST(InstallerStream, AProgramThatClosesItsOutputButRunsOnIsKilledToo)
{
  envsetup::util::StreamOptions options;
  options.idle_timeout = 300ms;
  auto result =
    envsetup::util::run_process_streaming("/bin/sh", {"-c", "exec >/dev/null 2>&1; exec sleep 60"}, options);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(result->idle_killed);
}

TEST(InstallerStream, OutputKeepsAProgramAlivePastTheIdleTimeout)
{
  envsetup::util::StreamOptions options;
  options.idle_timeout = 2s;
  // Four lines 0.2 s apart: more than any single gap, never silent for 2 s.
  auto result =
    envsetup::util::run_process_streaming("/bin/sh", {"-c", "for i in 1 2 3 4; do echo $i; sleep 0.2; done"}, options);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_FALSE(result->idle_killed);
  EXPECT_EQ(result->exit_code, 0);
  EXPECT_EQ(result->out, "1\n2\n3\n4\n");
}

TEST(InstallerStream, AProgramThatCannotStartIsAnError)
{
  auto result = envsetup::util::run_process_streaming("/nonexistent/pip", {}, {});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, envsetup::util::ErrorKind::environment);
}

TEST(InstallerStream, LinesAreSplitAtNewlinesAndCarriageReturnsAcrossPieces)
{
  std::vector<std::string> lines;
  LineSplitter splitter([&lines](std::string_view line) { lines.emplace_back(line); });
  splitter.feed("Collecting tor");
  splitter.feed("ch\n  Downloading 10%\r  Downloading 50%\r\n\n");
  splitter.feed("Installing");
  splitter.finish();
  EXPECT_EQ(lines,
            (std::vector<std::string>{"Collecting torch", "  Downloading 10%", "  Downloading 50%", "Installing"}));
}

TEST(InstallerStream, TheLogHoldsEachLineBeforeTheProgramEnds)
{
  const auto dir = std::filesystem::temp_directory_path() / ("envsetup-stream-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const auto log = dir / ".envsetup" / "install.log";
  std::vector<std::string> lines;
  std::string log_at_second_line;
  envsetup::pyenv::StreamedRun run;
  run.idle_timeout = 60s;
  run.on_line = [&](std::string_view line) {
    lines.emplace_back(line);
    if (line == "second") {
      log_at_second_line = read_text(log);  // the program is still running (it prints `third` next)
    }
  };
  auto result = envsetup::pyenv::run_logged_streaming(
    {"/bin/sh", "-c", "echo first; echo second; sleep 0.2; echo third"}, log, run);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_NE(log_at_second_line.find("first\nsecond\n"), std::string::npos) << log_at_second_line;
  EXPECT_EQ(log_at_second_line.find("\nthird"), std::string::npos);
  EXPECT_EQ(lines, (std::vector<std::string>{"first", "second", "third"}));
  const std::string text = read_text(log);
  EXPECT_NE(text.find("$ /bin/sh -c"), std::string::npos) << text;
  EXPECT_NE(text.find("third\n[exit status 0]"), std::string::npos) << text;
  std::filesystem::remove_all(dir);
}

TEST(InstallerStream, AnIdleKillIsWrittenToTheLog)
{
  const auto dir = std::filesystem::temp_directory_path() / ("envsetup-stream-idle-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const auto log = dir / "install.log";
  envsetup::pyenv::StreamedRun run;
  run.idle_timeout = 1s;
  auto result =
    envsetup::pyenv::run_logged_streaming({"/bin/sh", "-c", "printf 'no newline'; exec sleep 60"}, log, run);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(result->idle_killed);
  EXPECT_NE(read_text(log).find("no newline\nenvsetup: no output for 1 s: killed"), std::string::npos)
    << read_text(log);
  std::filesystem::remove_all(dir);
}

TEST(InstallerStream, IdleTimeoutValues)
{
  using envsetup::cli::parse_idle_timeout;
  EXPECT_EQ(parse_idle_timeout("90s"), std::chrono::seconds(90));
  EXPECT_EQ(parse_idle_timeout("45m"), std::chrono::seconds(45 * 60));
  EXPECT_EQ(parse_idle_timeout("2h"), std::chrono::seconds(7200));
  EXPECT_EQ(parse_idle_timeout("30"), std::chrono::seconds(1800));
  for (const char* bad : {"", "0", "0s", "m", "-5m", "1.5h", "8d", "169h", "10 m", "99999999999"}) {
    EXPECT_FALSE(parse_idle_timeout(bad)) << bad;
  }
}

}  // namespace
