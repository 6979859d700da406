// SPDX-License-Identifier: Apache-2.0
// Which Python a plan is for: --python forms, the default order (VIRTUAL_ENV, conda,
// .python-version, python3 on PATH) and a better interpreter from elsewhere.
#include "fake_host.hpp"
#include "matrix_fixture.hpp"

#include <envsetup/app/python_choice.hpp>

#include <gtest/gtest.h>

#include <unistd.h>
#include <fstream>

namespace envsetup::testing {
namespace {

namespace fs = std::filesystem;

// /usr/bin/python3 -> python3.<system_minor>, a pyenv 3.12 and a venv of 3.9 at /work/.venv.
FakeHost& pythons_host(FakeHost& host, const std::string& system_minor)
{
  host.script("/usr/bin/python3." + system_minor, "")
    .link("/usr/bin/python3", "python3." + system_minor)
    .script("/home/u/.pyenv/versions/3.12.7/bin/python3.12", "")
    .link("/home/u/.pyenv/versions/3.12.7/bin/python3", "python3.12")
    .script("/opt/py39/bin/python3.9", "")
    .file("/work/.venv/pyvenv.cfg", "home = /opt/py39/bin\nversion = 3.9.18\n")
    .link("/work/.venv/bin/python", "/opt/py39/bin/python3.9");
  return host;
}

detect::SystemProbe::Environment environment(bool venv)
{
  detect::SystemProbe::Environment env{{"PATH", "/usr/bin"}, {"HOME", "/home/u"}};
  if (venv) {
    env["VIRTUAL_ENV"] = "/work/.venv";
  }
  return env;
}

// A folder without .python-version anywhere above it (the test's own temporary folder).
fs::path no_python_version_dir()
{
  return fs::path("/");
}

TEST(PythonChoice, DefaultOrder)
{
  FakeHost host;
  pythons_host(host, "13");
  const auto path_only = app::host_pythons(host.probe(environment(false)), no_python_version_dir());
  ASSERT_TRUE(path_only.preferred);
  EXPECT_EQ(path_only.preferred->version.text(), "3.13");
  EXPECT_EQ(path_only.preferred->origin, "python3 on PATH");
  EXPECT_FALSE(path_only.preferred->active_env);
  ASSERT_EQ(path_only.others.size(), 1U);  // the pyenv 3.12; the venv is not active and not on PATH
  EXPECT_EQ(path_only.others[0].version.text(), "3.12");
  EXPECT_EQ(path_only.others[0].origin, "pyenv");

  // uv's managed interpreters are found too (newest first among the others).
  const std::string uv = "/home/u/.local/share/uv/python/cpython-3.14.0-linux-x86_64-gnu/bin/";
  host.script(uv + "python3.14", "").link(uv + "python3", "python3.14");
  const auto with_uv = app::host_pythons(host.probe(environment(false)), no_python_version_dir());
  ASSERT_EQ(with_uv.others.size(), 2U);
  EXPECT_EQ(with_uv.others[0].version.text(), "3.14");
  EXPECT_EQ(with_uv.others[0].origin, "uv");
  EXPECT_EQ(with_uv.others[0].path, uv + "python3");

  // pyenv's shims first on PATH: python3 is pyenv's global version; `system` falls through.
  host.script("/home/u/.pyenv/shims/python3", "shim").file("/home/u/.pyenv/version", "3.12.7\n");
  auto env = environment(false);
  env["PATH"] = "/home/u/.pyenv/shims:/usr/bin";
  const auto shim = app::host_pythons(host.probe(env), no_python_version_dir());
  ASSERT_TRUE(shim.preferred);
  EXPECT_EQ(shim.preferred->version.text(), "3.12");
  EXPECT_EQ(shim.preferred->detail, "/home/u/.pyenv/versions/3.12.7/bin/python3 (pyenv 3.12.7)");
  host.file("/home/u/.pyenv/version", "system\n");
  EXPECT_EQ(app::host_pythons(host.probe(env), no_python_version_dir()).preferred->version.text(), "3.13");

  const auto venv = app::host_pythons(host.probe(environment(true)), no_python_version_dir());
  ASSERT_TRUE(venv.preferred);
  EXPECT_EQ(venv.preferred->version.text(), "3.9");
  EXPECT_EQ(venv.preferred->origin, "VIRTUAL_ENV");
  EXPECT_TRUE(venv.preferred->active_env);
}

TEST(PythonChoice, PythonVersionFileInAParentFolder)
{
  FakeHost host;
  pythons_host(host, "13");
  const fs::path project = host.root() / "project";
  fs::create_directories(project / "src" / "deep");
  std::ofstream(project / ".python-version") << "# pinned\n3.12.7\n";
  const auto pythons = app::host_pythons(host.probe(environment(false)), project / "src" / "deep");
  ASSERT_TRUE(pythons.preferred);
  EXPECT_EQ(pythons.preferred->version.text(), "3.12");
  EXPECT_EQ(pythons.preferred->origin, ".python-version");
  EXPECT_EQ(pythons.preferred->path, "/home/u/.pyenv/versions/3.12.7/bin/python3");  // pyenv's 3.12.7
  EXPECT_EQ(pythons.preferred->detail, (project / ".python-version").string());

  // `system` means python3 on PATH; a link is never followed.
  std::ofstream(project / ".python-version", std::ios::trunc) << "system\n";
  EXPECT_EQ(app::host_pythons(host.probe(environment(false)), project).preferred->origin, "python3 on PATH");
  fs::remove(project / ".python-version");
  fs::create_symlink(host.root() / "elsewhere", project / ".python-version");
  std::ofstream(host.root() / "elsewhere") << "3.12\n";
  EXPECT_EQ(app::host_pythons(host.probe(environment(false)), project).preferred->origin, "python3 on PATH");
}

TEST(PythonChoice, AnotherInterpreterOnlyForAStrictlyBetterPlan)
{
  const auto gpu_host = testing::host("580.65.06", {"8.9"});
  FakeHost host;
  pythons_host(host, "15");  // no torch release supports 3.15
  auto pythons = app::host_pythons(host.probe(environment(false)), no_python_version_dir());
  auto pick = app::choose_python(real_matrix(), gpu_host, request("torch"), pythons);
  ASSERT_TRUE(pick) << pick.error().message;
  ASSERT_TRUE(pick->python);
  EXPECT_EQ(pick->python->version.text(), "3.12");
  ASSERT_TRUE(pick->why);
  EXPECT_NE(pick->why->find("Python 3.12 (pyenv /home/u/.pyenv/versions/3.12.7/bin/python3) chosen: with "
                            "Python 3.15 (python3 on PATH /usr/bin/python3) there is no plan"),
            std::string::npos)
    << *pick->why;

  // A default that gives a plan is kept when the other gives the same framework version.
  pick = app::choose_python(real_matrix(), gpu_host, request("torch==2.5.1"), pythons);
  FakeHost host312;
  pythons_host(host312, "11");
  pythons = app::host_pythons(host312.probe(environment(false)), no_python_version_dir());
  pick = app::choose_python(real_matrix(), gpu_host, request("torch==2.5.1"), pythons);
  ASSERT_TRUE(pick);
  ASSERT_TRUE(pick->python);
  EXPECT_EQ(pick->python->version.text(), "3.11");
  EXPECT_FALSE(pick->why);

  // An active venv (3.9) is kept even though 3.12 gets a newer torch; python3 3.9 is not.
  FakeHost host39;
  pythons_host(host39, "9");
  pythons = app::host_pythons(host39.probe(environment(true)), no_python_version_dir());
  pick = app::choose_python(real_matrix(), gpu_host, request("torch"), pythons);
  ASSERT_TRUE(pick && pick->python);
  EXPECT_EQ(pick->python->origin, "VIRTUAL_ENV");
  EXPECT_FALSE(pick->why);
  pythons = app::host_pythons(host39.probe(environment(false)), no_python_version_dir());
  pick = app::choose_python(real_matrix(), gpu_host, request("torch"), pythons);
  ASSERT_TRUE(pick && pick->python);
  EXPECT_EQ(pick->python->version.text(), "3.12");
  ASSERT_TRUE(pick->why);
  EXPECT_NE(pick->why->find("chosen: it gets torch "), std::string::npos) << *pick->why;
}

TEST(PythonChoice, FlagForms)
{
  auto version = app::python_from_flag("3.11.7");
  ASSERT_TRUE(version);
  EXPECT_EQ(version->version.text(), "3.11");
  EXPECT_EQ(app::python_from_flag(" 3.10")->version.text(), "3.10");
  for (const char* bad : {"3", "python3", "3.x", "", "3.11.7.1"}) {
    auto error = app::python_from_flag(bad);
    ASSERT_FALSE(error) << bad;
    EXPECT_EQ(error.error().kind, util::ErrorKind::usage);
  }
  FakeHost host;
  host.file("/bin/fakepython", "#!/bin/sh\necho 3.12.4\n")
    .file("/bin/notpython", "#!/bin/sh\necho hello\nexit 3\n")
    .file("/bin/notexecutable", "x");
  fs::permissions(host.root() / "bin/fakepython", fs::perms::owner_all);
  fs::permissions(host.root() / "bin/notpython", fs::perms::owner_all);
  auto path = app::python_from_flag((host.root() / "bin/fakepython").string());
  ASSERT_TRUE(path) << path.error().message;
  EXPECT_EQ(path->version.text(), "3.12");
  EXPECT_EQ(path->path, (host.root() / "bin/fakepython").string());
  EXPECT_NE(path->detail.find("(3.12.4)"), std::string::npos);
  for (const char* bad : {"bin/notpython", "bin/notexecutable", "bin/missing", "bin"}) {
    auto error = app::python_from_flag((host.root() / bad).string());
    ASSERT_FALSE(error) << bad;
    EXPECT_EQ(error.error().kind, util::ErrorKind::usage) << bad;
  }
}

}  // namespace
}  // namespace envsetup::testing
