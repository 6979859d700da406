// SPDX-License-Identifier: Apache-2.0
// Hostile input from flags, environment variables, manifests and names (issue 13): control
// characters are found and refused or shown escaped, generated scripts and requirement files
// stay one value per line, detection overrides parse as strictly as their flags, and a venv's
// removal deletes only the venv's own parts without following links. Real files, real bash.
#include <envsetup/app/templates.hpp>
#include <envsetup/cli/output.hpp>
#include <envsetup/detect/detect.hpp>
#include <envsetup/pyenv/venv.hpp>
#include <envsetup/specgen/pip_requirements.hpp>
#include <envsetup/util/process.hpp>
#include <envsetup/util/strings.hpp>
#include <envsetup/util/template.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

namespace envsetup::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class HostileInput : public ::testing::Test {
protected:
  void SetUp() override
  {
    m_root = fs::temp_directory_path() / ("envsetup-hostile-" + std::to_string(std::random_device{}()));
    fs::create_directories(m_root);
  }
  void TearDown() override { fs::remove_all(m_root); }

  static void write(const fs::path& path, const std::string& text)
  {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }

  // A venv as `python -m venv` lays it out, lib64 -> lib included (no interpreter needed).
  static void fake_venv(const fs::path& venv)
  {
    write(venv / "pyvenv.cfg", "home = /usr/bin\nversion = 3.12.4\n");
    write(venv / "bin" / "python", "");
    write(venv / "lib" / "python3.12" / "site-packages" / "x.py", "");
    fs::create_directories(venv / "include");
    fs::create_directory_symlink("lib", venv / "lib64");
  }

  fs::path m_root;
};

// C1 controls (U+009B is a one-character CSI to xterm, also as a lone byte on an 8-bit
// terminal) and bidirectional overrides are control sequences too; valid UTF-8 is not.
TEST(HostileInputText, C1ControlsAndBidiOverridesAreEscapedLikeEscape)
{
  EXPECT_EQ(util::escape_control_characters("a\xc2\x9b""31mred"), "a\\u009b31mred");
  EXPECT_EQ(util::escape_control_characters("x\xe2\x80\xae" "evil"), "x\\u202eevil");
  EXPECT_EQ(util::escape_control_characters("lone\x9b"), "lone\\x9b");
  EXPECT_EQ(util::escape_control_characters("caf\xc3\xa9 na\xc3\xafve \xe2\x82\xac"), "caf\xc3\xa9 na\xc3\xafve \xe2\x82\xac");
  EXPECT_EQ(util::find_control_character("/opt/\xc2\x85x"), std::optional<std::size_t>(5));
  EXPECT_EQ(util::find_control_character("/opt/caf\xc3\xa9"), std::nullopt);
}

TEST_F(HostileInput, FindControlCharacterFindsNewlineEscapeAndDelete)
{
  EXPECT_EQ(util::find_control_character("/opt/cuda-12.4"), std::nullopt);
  EXPECT_EQ(util::find_control_character("/opt/cuda\n12"), 9U);
  EXPECT_EQ(util::find_control_character("\x1b[2J"), 0U);
  EXPECT_EQ(util::find_control_character("a\x7f"), 1U);
  EXPECT_EQ(util::find_control_character("caf\xc3\xa9 \t"), 6U);  // UTF-8 is not control
  EXPECT_EQ(util::find_control_character(std::string_view("a\0b", 3)), 1U);
}

TEST_F(HostileInput, EscapeSequenceFromOutsideIsShownEscaped)
{
  EXPECT_EQ(util::escape_control_characters("red\x1b[31mX\r\n\t\x7f\\"), "red\\x1b[31mX\\r\\n\\t\\x7f\\");
  EXPECT_EQ(util::escape_control_characters("plain /path/é"), "plain /path/é");
}

TEST_F(HostileInput, PrefixWithNewlineIsAUsageErrorNamingTheFlag)
{
  const auto status = util::require_no_control_characters("--prefix", "/tmp/p\ntouch /tmp/pwned");
  ASSERT_FALSE(status);
  const auto& error = status.error();
  EXPECT_EQ(error.kind, util::ErrorKind::usage);
  EXPECT_EQ(error.message, "--prefix `/tmp/p\\ntouch /tmp/pwned` contains a control character");
  ASSERT_FALSE(error.causes.empty());
  EXPECT_NE(error.causes.front().find("`\\n` at byte 6"), std::string::npos) << error.causes.front();
  ASSERT_FALSE(error.hints.empty());
  EXPECT_NE(error.hints.front().find("--prefix"), std::string::npos);
  const auto variable = util::require_no_control_characters("ENVSETUP_STORE", "/s\x1b]0;pwned\x07");
  ASSERT_FALSE(variable);
  EXPECT_NE(variable.error().hints.front().find("unset"), std::string::npos);
  EXPECT_TRUE(util::require_no_control_characters("--prefix", "/opt/my cuda/é"));
}

// The activation scripts, rendered for a prefix whose name is code after a newline and
// sourced by a real bash: the code never runs and CUDA_HOME is the prefix, byte for byte.
TEST_F(HostileInput, PrefixWithNewlineRunsNoCodeWhenActivateIsSourced)
{
  const fs::path marker = m_root / "pwned";
  const std::string prefix = (m_root / "p").string() + "\ntouch " + marker.string() + "\n#";
  const auto text = app::template_text("activate.sh.tmpl");
  ASSERT_TRUE(text) << text.error().message;
  const auto rendered = util::render_template(*text,
                                              {{"description", "cuda-12.4.1"},
                                               {"prefix_sh", util::shell_double_quoted(prefix)}},
                                              "activate.sh.tmpl");
  ASSERT_TRUE(rendered) << rendered.error().message;
  write(m_root / "activate", *rendered);
  const auto run = util::run_process("/bin/bash",
                                     {"-c", "source \"$1\" && printf %s \"$CUDA_HOME\"", "bash",
                                      (m_root / "activate").string()},
                                     30s);
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->exit_code, 0) << run->err;
  EXPECT_EQ(run->out, prefix);
  EXPECT_FALSE(fs::exists(marker)) << *rendered;

  const auto fish_text = app::template_text("activate.fish.tmpl");
  ASSERT_TRUE(fish_text);
  const auto fish = util::render_template(*fish_text,
                                          {{"description", "cuda-12.4.1"},
                                           {"prefix_fish", util::fish_double_quoted(prefix)}},
                                          "activate.fish.tmpl");
  ASSERT_TRUE(fish) << fish.error().message;
  // No fish here to source it: every occurrence of the prefix opens a double-quoted value.
  std::size_t occurrences = 0;
  for (auto at = fish->find(prefix); at != std::string::npos; at = fish->find(prefix, at + 1)) {
    ++occurrences;
    EXPECT_TRUE(at > 0 && (*fish)[at - 1] == '"') << "the prefix is not quoted at byte " << at << ":\n" << *fish;
  }
  EXPECT_EQ(occurrences, 6U);
}

TEST_F(HostileInput, ControlBytesFromOutsideNeverReachTheTerminalRaw)
{
  std::ostringstream out;
  std::ostringstream err;
  auto* const old_out = std::cout.rdbuf(out.rdbuf());
  auto* const old_err = std::cerr.rdbuf(err.rdbuf());
  {
    const cli::ControlCharacterFilter filter;
    std::cout << "component \x1b]0;owned\x07 cuda\rX\tY\x7f\n";
    cli::print_error(std::cerr, util::make_error(util::ErrorKind::input, "bad \x1b[2J name")
                                  .with_cause("line one\nline two")
                                  .with_hint("hint\x1b[31m"));
    cli::Table table({"name", "size"});
    table.add({"evil\x1b[1A\nname", "1 B"});
    table.print(std::cout);
    cli::raw_stderr() << "\x1b[1A";  // the progress renderer's own sequence passes
  }
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  EXPECT_EQ(out.str(), "component \\x1b]0;owned\\x07 cuda\\rX\\tY\x7f\n"
                       "name               size\n"
                       "evil\\x1b[1A\\nname  1 B\n");
  EXPECT_EQ(err.str(), "envsetup: error: bad \\x1b[2J name\n"
                       "  caused by: line one\\nline two\n"
                       "  hint: hint\\x1b[31m\n"
                       "\x1b[1A");
}

TEST_F(HostileInput, InvalidUtf8InAnErrorStillPrintsAsJson)
{
  std::ostringstream out;
  cli::print_error_json(out, util::make_error(util::ErrorKind::integrity, "bad entry \xff\xfe\x1b"));
  EXPECT_NE(out.str().find("bad entry \xef\xbf\xbd\xef\xbf\xbd\\u001b"), std::string::npos) << out.str();
}

core::Plan torch_plan()
{
  core::Plan plan;
  plan.framework = "torch";
  plan.version = core::Version::parse("2.5.1").value();
  plan.variant = "cu124";
  plan.index_url = "https://download.pytorch.org/whl/cu124";
  plan.packages = {"torch==2.5.1"};
  return plan;
}

TEST_F(HostileInput, WheelMirrorWithNewlineDoesNotInjectRequirementLines)
{
  for (const std::string mirror : {"http://m.lab/whl\n--index-url http://evil/", "http://m.lab/whl --trusted-host evil",
                                   "ftp://m.lab/whl", "http:///whl", "file://relative/whl", "m.lab/whl"}) {
    const auto requirements = specgen::pip_requirements(torch_plan(), {{}, mirror});
    ASSERT_FALSE(requirements) << mirror;
    EXPECT_EQ(requirements.error().kind, util::ErrorKind::usage);
    EXPECT_EQ(requirements.error().message.find('\n'), std::string::npos);
  }
  for (const std::string mirror : {"http://m.lab/whl", "https://m.lab:8443/whl/", "file:///srv/whl"}) {
    const auto requirements = specgen::pip_requirements(torch_plan(), {{}, mirror});
    ASSERT_TRUE(requirements) << mirror << ": " << requirements.error().message;
  }
  auto hostile = torch_plan();
  hostile.packages = {"torch==2.5.1\n--extra-index-url http://evil/"};
  const auto from_matrix = specgen::pip_requirements(hostile, {});
  ASSERT_FALSE(from_matrix);
  EXPECT_EQ(from_matrix.error().kind, util::ErrorKind::input);
}

TEST_F(HostileInput, GarbageDriverVersionOverrideIsRefusedLikeTheFlag)
{
  EXPECT_EQ(detect::parse_driver_override("550.54.15").value()->text(), "550.54.15");
  EXPECT_EQ(detect::parse_driver_override("none").value(), std::nullopt);
  for (const std::string garbage : {"banana", "550", "1.2.3.4.5", "550.54.15\x1b[2J", "-550.1"}) {
    const auto parsed = detect::parse_driver_override(garbage);
    ASSERT_FALSE(parsed) << garbage;
    EXPECT_EQ(parsed.error().kind, util::ErrorKind::usage);
    EXPECT_TRUE(parsed.error().message.starts_with("ENVSETUP_DRIVER_VERSION=`")) << parsed.error().message;
    EXPECT_FALSE(util::find_control_character(parsed.error().message)) << parsed.error().message;
    EXPECT_FALSE(parsed.error().hints.empty());
  }
}

TEST_F(HostileInput, GarbageGpusOverrideIsRefusedLikeTheFlag)
{
  const auto gpus = detect::parse_gpus_override("8.6,sm_89,90");
  ASSERT_TRUE(gpus);
  ASSERT_EQ(gpus->size(), 3U);
  EXPECT_EQ((*gpus)[1].text(), "8.9");
  EXPECT_TRUE(detect::parse_gpus_override("none").value().empty());
  for (const std::string garbage : {"8.6,bogus", "8.6,,8.9", "eight", "8.6\x1b[2J"}) {
    const auto parsed = detect::parse_gpus_override(garbage);
    ASSERT_FALSE(parsed) << garbage;
    EXPECT_EQ(parsed.error().kind, util::ErrorKind::usage);
    EXPECT_TRUE(parsed.error().message.starts_with("ENVSETUP_GPUS=`")) << parsed.error().message;
  }
}

TEST_F(HostileInput, ForceDoesNotDeleteAProjectFolderHoldingAVenv)
{
  const fs::path project = m_root / "project";
  fake_venv(project);
  write(project / "train.py", "print('mine')\n");
  write(project / "data" / "set.csv", "1,2\n");
  const auto parts = pyenv::venv_parts(project);
  ASSERT_FALSE(parts);
  EXPECT_EQ(parts.error().kind, util::ErrorKind::usage);
  EXPECT_NE(parts.error().causes.front().find("data, train.py"), std::string::npos) << parts.error().causes.front();
  const auto removed = pyenv::remove_venv(project);
  ASSERT_FALSE(removed);
  EXPECT_TRUE(fs::exists(project / "train.py"));
  EXPECT_TRUE(fs::exists(project / "bin" / "python"));
  EXPECT_TRUE(fs::exists(project / "pyvenv.cfg"));
}

TEST_F(HostileInput, VenvRemovalUnlinksALinkOutsideWithoutFollowingIt)
{
  const fs::path outside = m_root / "outside";
  write(outside / "precious.txt", "keep");
  const fs::path venv = m_root / "venv";
  fake_venv(venv);
  fs::create_directory_symlink(outside, venv / "share");            // a whole part is a link out
  fs::create_directory_symlink(outside, venv / "lib" / "python3.12" / "evil");  // and one inside
  ASSERT_TRUE(pyenv::remove_venv(venv));
  EXPECT_FALSE(fs::exists(fs::symlink_status(venv)));
  EXPECT_TRUE(fs::exists(outside / "precious.txt"));
}

TEST_F(HostileInput, VenvFolderThatIsASymlinkIsRefused)
{
  const fs::path real = m_root / "real";
  fake_venv(real);
  fs::create_directory_symlink(real, m_root / "link");
  const auto removed = pyenv::remove_venv(m_root / "link");
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().kind, util::ErrorKind::usage);
  EXPECT_TRUE(fs::exists(real / "bin" / "python"));
}

// create_venv's cleanup after a failed `-m venv` deletes only venv parts: an interpreter that
// fails after writing into the folder must not take a user's file with it.
TEST_F(HostileInput, FailedVenvCreationCleansOnlyTheVenvParts)
{
  const fs::path folder = m_root / "target";
  const fs::path fake_python = m_root / "python3";
  write(fake_python, "#!/bin/sh\nmkdir -p \"$3/bin\" \"$3/lib\"; echo cfg > \"$3/pyvenv.cfg\"; "
                     "echo mine > \"$3/notes.txt\"; echo 'no ensurepip' >&2; exit 1\n");
  fs::permissions(fake_python, fs::perms::owner_all);
  const auto created = pyenv::create_venv(fake_python, folder, 30s);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().kind, util::ErrorKind::environment);
  EXPECT_TRUE(fs::exists(folder / "notes.txt"));
  EXPECT_FALSE(fs::exists(folder / "bin"));
  EXPECT_FALSE(fs::exists(folder / "pyvenv.cfg"));
}

}  // namespace
}  // namespace envsetup::testing
