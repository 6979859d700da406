// SPDX-License-Identifier: Apache-2.0
// Venv inspection and removal, and reading installed metadata, on temporary folders.
#include <envsetup/pyenv/metadata.hpp>
#include <envsetup/pyenv/venv.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <random>

namespace envsetup::pyenv {
namespace {

namespace fs = std::filesystem;

class PyenvVenv : public ::testing::Test {
protected:
  void SetUp() override
  {
    m_root = fs::temp_directory_path() / ("envsetup-pyenv-" + std::to_string(std::random_device{}()));
    fs::create_directories(m_root);
  }
  void TearDown() override { fs::remove_all(m_root); }

  static void write(const fs::path& path, const std::string& text)
  {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }

  fs::path m_root;
};

TEST_F(PyenvVenv, AbsentOrEmptyFoldersCanBeCreated)
{
  EXPECT_EQ(inspect_venv(m_root / "nothing").value().kind, VenvState::Kind::absent);
  fs::create_directories(m_root / "empty");
  EXPECT_EQ(inspect_venv(m_root / "empty").value().kind, VenvState::Kind::absent);
}

TEST_F(PyenvVenv, AVenvIsRecognizedWithItsPython)
{
  const fs::path venv = m_root / "venv";
  write(venv / "pyvenv.cfg", "home = /usr/bin\nversion = 3.12.4\n");
  write(venv / "bin" / "python", "");
  const auto state = inspect_venv(venv).value();
  EXPECT_EQ(state.kind, VenvState::Kind::venv);
  EXPECT_EQ(state.python, core::Version::parse("3.12").value());
  EXPECT_TRUE(remove_venv(venv));
  EXPECT_FALSE(fs::exists(venv));
}

TEST_F(PyenvVenv, AnythingElseIsNeverRemoved)
{
  const fs::path folder = m_root / "project";
  write(folder / "pyvenv.cfg", "version = 3.12.4\n");  // no bin/python: not a venv
  EXPECT_EQ(inspect_venv(folder).value().kind, VenvState::Kind::other);
  const auto removed = remove_venv(folder);
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().kind, util::ErrorKind::usage);
  EXPECT_TRUE(fs::exists(folder / "pyvenv.cfg"));
}

TEST_F(PyenvVenv, ReadsInstalledDistributions)
{
  const fs::path site = m_root / "site-packages";
  write(site / "torch-2.5.1+cu124.dist-info" / "METADATA", "Metadata-Version: 2.1\nName: torch\nVersion: 2.5.1+cu124\n");
  write(site / "jax_cuda12_plugin-0.4.30.dist-info" / "METADATA", "Name: jax_cuda12_plugin\nVersion: 0.4.30\n");
  write(site / "torch" / "__init__.py", "");
  const auto installed = read_installed(site, "torch").value();
  EXPECT_EQ(installed.names, (std::set<std::string>{"torch", "jax-cuda12-plugin"}));
  ASSERT_TRUE(installed.framework);
  EXPECT_EQ(installed.framework->version, "2.5.1+cu124");
  EXPECT_FALSE(read_installed(site, "tensorflow").value().framework);
}

}  // namespace
}  // namespace envsetup::pyenv
