// SPDX-License-Identifier: Apache-2.0
// Installer command lines, installer choice, failure classification, pyvenv.cfg, log tails.
#include <envsetup/pyenv/installer.hpp>
#include <envsetup/pyenv/run_logged.hpp>
#include <envsetup/pyenv/venv.hpp>

#include <gtest/gtest.h>

namespace envsetup::pyenv {
namespace {

using Strings = std::vector<std::string>;

TEST(PyenvCommands, PipInstallUsesTheVenvPythonAndAnExtraIndexOnly)
{
  const auto argv = install_command(Installer::pip, {"/w/.venv", "http://m/whl/cu124", {"torch==2.5.1+cu124"}});
  EXPECT_EQ(argv, (Strings{"/w/.venv/bin/python", "-m", "pip", "install", "--disable-pip-version-check",
                           "--extra-index-url", "http://m/whl/cu124", "torch==2.5.1+cu124"}));
  for (const auto& word : argv) {
    EXPECT_NE(word, "--index-url") << "the default index belongs to pip's configuration";
  }
}

TEST(PyenvCommands, PipInstallWithoutFrameworkIndex)
{
  const auto argv = install_command(Installer::pip, {"/v", std::nullopt, {"jax[cuda12]==0.4.30"}});
  EXPECT_EQ(argv, (Strings{"/v/bin/python", "-m", "pip", "install", "--disable-pip-version-check",
                           "jax[cuda12]==0.4.30"}));
}

TEST(PyenvCommands, UvInstallTargetsTheVenvInterpreter)
{
  const auto argv = install_command(Installer::uv, {"/v", "http://i/cu121", {"torch==2.4.1+cu121", "torchvision==0.19.1+cu121"}},
                                    "/usr/bin/uv");
  EXPECT_EQ(argv, (Strings{"/usr/bin/uv", "pip", "install", "--python", "/v/bin/python", "--extra-index-url",
                           "http://i/cu121", "torch==2.4.1+cu121", "torchvision==0.19.1+cu121"}));
}

TEST(PyenvCommands, InstallerChoice)
{
  const std::optional<std::filesystem::path> uv = "/usr/bin/uv";
  EXPECT_EQ(choose_installer("pip", uv).value(), Installer::pip);
  EXPECT_EQ(choose_installer("auto", uv).value(), Installer::uv);
  EXPECT_EQ(choose_installer("auto", std::nullopt).value(), Installer::pip);
  EXPECT_EQ(choose_installer("uv", uv).value(), Installer::uv);
  const auto missing = choose_installer("uv", std::nullopt);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, util::ErrorKind::usage);
  EXPECT_FALSE(choose_installer("conda", uv));
}

TEST(PyenvCommands, VenvCommandRunsTheChosenInterpreter)
{
  EXPECT_EQ(venv_command("/usr/bin/python3.11", "/w/.venv"), (Strings{"/usr/bin/python3.11", "-m", "venv", "/w/.venv"}));
  EXPECT_EQ(venv_python("/w/.venv"), std::filesystem::path("/w/.venv/bin/python"));
  EXPECT_EQ(install_log_path("/w/.venv"), std::filesystem::path("/w/.venv/.envsetup/install.log"));
  EXPECT_EQ(site_packages("/w/.venv", core::Version::parse("3.12").value()),
            std::filesystem::path("/w/.venv/lib/python3.12/site-packages"));
}

TEST(PyenvCommands, NetworkFailuresAreRecognizedFromPipOutput)
{
  EXPECT_TRUE(output_shows_network_failure(
    "WARNING: Retrying (Retry(total=0, connect=None, read=None, redirect=None, status=None)) after connection "
    "broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPConnection object at 0x7f>: Failed to "
    "establish a new connection: [Errno 111] Connection refused')': /cu124/torch/\n"
    "ERROR: Could not find a version that satisfies the requirement torch==2.5.1+cu124 (from versions: none)\n"));
  EXPECT_TRUE(output_shows_network_failure("Temporary failure in name resolution"));
  EXPECT_FALSE(output_shows_network_failure(
    "ERROR: Could not find a version that satisfies the requirement torch==9.9 (from versions: 2.5.1)\n"
    "ERROR: No matching distribution found for torch==9.9\n"));
}

TEST(PyenvCommands, PyvenvCfgVersion)
{
  EXPECT_EQ(parse_pyvenv_cfg("home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.7\n"),
            core::Version::parse("3.11").value());
  EXPECT_EQ(parse_pyvenv_cfg("home = /x\nversion_info = 3.12.4.final.0\n"), core::Version::parse("3.12").value());
  EXPECT_EQ(parse_pyvenv_cfg("home = /usr/bin\n"), std::nullopt);
  EXPECT_EQ(parse_pyvenv_cfg("version = banana\n"), std::nullopt);
}

TEST(PyenvCommands, LastLinesSkipBlankLines)
{
  EXPECT_EQ(last_lines("a\n\nb\r\nc\n\n", 2), (Strings{"b", "c"}));
  EXPECT_EQ(last_lines("one", 15), (Strings{"one"}));
  EXPECT_TRUE(last_lines("", 3).empty());
}

TEST(PyenvCommands, CommandLineIsShellQuotedForDisplay)
{
  EXPECT_EQ(command_line({"/v/bin/python", "-m", "pip", "install", "jax[cuda12]==0.4.30"}),
            "$ /v/bin/python -m pip install 'jax[cuda12]==0.4.30'");
}

}  // namespace
}  // namespace envsetup::pyenv
