// SPDX-License-Identifier: Apache-2.0
// app's side of the venv registry and gc: install --locked records its venv with the lock's
// files, `envs list` judges health without running Python, and gc keeps what registered
// venvs and --lock files name.
#include <envsetup/app/envs_command.hpp>
#include <envsetup/app/gc_command.hpp>
#include <envsetup/lock/lockfile.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <random>

namespace envsetup::app {
namespace {

namespace fs = std::filesystem;

const std::string k_wheel(64, '1');
const std::string k_archive(64, '2');
const std::string k_other_lock(64, '3');

lock::Lockfile locked(const std::string& wheel_sha256, const std::string& archive_sha256)
{
  lock::Lockfile lock;
  lock.envsetup_version = "0.1.0";
  lock.matrix_source = "embedded";
  lock.matrix_generated = "2025-01-01T00:00:00Z";
  lock.matrix_sha256 = std::string(64, 'a');
  lock.host.python = core::Version::parse("3.11").value();
  lock.host.targets = {core::ArchTarget::parse("sm_90").value()};
  lock.framework = "torch";
  lock.display_name = "PyTorch";
  lock.variant = "cu124";
  lock.version = core::Version::parse("2.5.1").value();
  lock.indexes = {{"pytorch-cu124", "https://download.pytorch.org/whl/cu124/"}};
  lock.wheels = {{"torch", "2.5.1+cu124", "torch-2.5.1+cu124-cp311-cp311-linux_x86_64.whl", "pytorch-cu124",
                  "torch-2.5.1%2Bcu124-cp311-cp311-linux_x86_64.whl", wheel_sha256, 100}};
  lock.archives = {{"cuda", "12.4.1", "cuda_cudart", "linux-x86_64",
                    "cuda_cudart/linux-x86_64/cuda_cudart-linux-x86_64-12.4.127-archive.tar.xz", archive_sha256, 200}};
  return lock;
}

class LivingEnvsApp : public ::testing::Test {
protected:
  void SetUp() override
  {
    m_root = fs::temp_directory_path() / ("envsetup-envs-app-" + std::to_string(std::random_device{}()));
    fs::create_directories(m_root);
    m_venv = m_root / "venv";
    write(m_venv / "pyvenv.cfg", "version = 3.11.9\n");
    write(m_venv / "bin" / "python", "");
    write(m_venv / "lib" / "python3.11" / "site-packages" / "torch-2.5.1+cu124.dist-info" / "METADATA",
          "Metadata-Version: 2.1\nName: torch\nVersion: 2.5.1+cu124\n\n");
  }
  void TearDown() override
  {
    std::error_code ec;
    fs::remove_all(m_root, ec);
  }
  static void write(const fs::path& path, const std::string& text)
  {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }

  fs::path m_root;
  fs::path m_venv;
};

TEST_F(LivingEnvsApp, ALockedInstallIsRecordedWithItsFilesAndGcKeepsThem)
{
  const auto store = m_root / "store";
  ASSERT_TRUE(record_locked_venv(store, m_venv, locked(k_wheel, k_archive), m_root / "gone.lock", std::nullopt));
  const auto envs = list_envs(store);
  ASSERT_EQ(envs.size(), 1u);
  EXPECT_EQ(envs[0].record.source, "locked");
  EXPECT_EQ(envs[0].record.version, "2.5.1+cu124");
  EXPECT_EQ(envs[0].health, EnvStatus::Health::ok) << envs[0].detail;

  // A second lock given with --lock is kept too.
  const auto other = m_root / "other.lock";
  write(other, lock::lockfile_text(locked(k_other_lock, k_other_lock)));
  GcOptions options;
  options.store = store;
  options.locks = {other};
  GcOutcome outcome;
  outcome.store_root = store;
  const auto keep = gc_keep_set(options, outcome).value();
  EXPECT_TRUE(keep.contains(k_wheel));
  EXPECT_TRUE(keep.contains(k_archive));
  EXPECT_TRUE(keep.contains(k_other_lock));
  EXPECT_EQ(outcome.venvs, 1u);
  EXPECT_EQ(outcome.locks, 1u);  // the recorded lock file is gone: only --lock was read

  // A --lock that does not parse is an error, not an empty keep set.
  write(other, "not a lock");
  EXPECT_FALSE(gc_keep_set(options, outcome));
}

TEST_F(LivingEnvsApp, HealthFollowsWhatIsOnDisk)
{
  const auto store = m_root / "store";
  ASSERT_TRUE(record_framework_venv(store, m_venv, "torch", "2.5.1+cu124", "3.11", std::nullopt));
  EXPECT_EQ(list_envs(store).at(0).health, EnvStatus::Health::ok);
  fs::remove_all(m_venv / "lib");
  EXPECT_EQ(list_envs(store).at(0).health, EnvStatus::Health::broken);
  fs::remove(m_venv / "bin" / "python");
  EXPECT_EQ(list_envs(store).at(0).health, EnvStatus::Health::broken);
  fs::remove_all(m_venv);
  EXPECT_EQ(list_envs(store).at(0).health, EnvStatus::Health::missing);
  ASSERT_TRUE(remove_env(m_venv, store, false));
  EXPECT_TRUE(list_envs(store).empty());
}

}  // namespace
}  // namespace envsetup::app
