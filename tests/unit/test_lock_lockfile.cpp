// SPDX-License-Identifier: Apache-2.0
// The lockfile's text: stable bytes, a round trip, and strict refusals of hostile files.
#include <envsetup/lock/lockfile.hpp>

#include <gtest/gtest.h>

#include <string>

namespace envsetup::lock {
namespace {

core::Version v(const char* text)
{
  return core::Version::parse(text).value();
}

const std::string hash_a(64, 'a');
const std::string hash_b(64, 'b');

Lockfile sample()
{
  Lockfile lock;
  lock.envsetup_version = "0.1.0";
  lock.matrix_source = "embedded";
  lock.matrix_generated = "2025-01-01T00:00:00Z";
  lock.matrix_sha256 = hash_a;
  lock.host.platform = core::Platform::linux_x86_64;
  lock.host.python = v("3.11");
  lock.host.glibc = v("2.28");
  lock.host.min_driver = v("550.54.14");
  lock.host.driver_rule = "CUDA 12.4 needs 550.54.14";
  lock.host.targets = {core::ArchTarget::parse("sm_80").value(), core::ArchTarget::parse("sm_90").value(),
                       core::ArchTarget::parse("compute_90").value()};
  lock.framework = "torch";
  lock.display_name = "PyTorch";
  lock.variant = "cu124";
  lock.version = v("2.5.1");
  lock.cuda = v("12.4");
  lock.cudnn = v("9.1");
  lock.requirements = {"torch==2.5.1+cu124", "say \"hi\"\\"};
  lock.indexes = {{"pypi", "https://pypi.org/simple/"}, {"pytorch-cu124", "https://download.pytorch.org/whl/cu124/"}};
  // out of order on purpose: the text sorts them
  lock.wheels = {
    {"typing_extensions", "4.12.2", "typing_extensions-4.12.2-py3-none-any.whl", "pypi",
     "https://files.example.org/ab/typing_extensions-4.12.2-py3-none-any.whl", hash_b, 37438},
    {"torch", "2.5.1+cu124", "torch-2.5.1+cu124-cp311-cp311-linux_x86_64.whl", "pytorch-cu124",
     "torch-2.5.1%2Bcu124-cp311-cp311-linux_x86_64.whl", hash_a, 908000000},
  };
  lock.archives = {
    {"cudnn", "9.1.0", "cudnn", "linux-x86_64", "cudnn/linux-x86_64/cudnn-linux-x86_64-9.1.0.70_cuda12-archive.tar.xz",
     hash_b, 100},
    {"cuda", "12.4.1", "cuda_cudart", "linux-x86_64",
     "cuda_cudart/linux-x86_64/cuda_cudart-linux-x86_64-12.4.127-archive.tar.xz", hash_a, 200},
  };
  return lock;
}

TEST(LockfileText, RoundTripsAndIsStable)
{
  const std::string text = lockfile_text(sample());
  auto parsed = parse_lockfile(text);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(lockfile_text(*parsed), text);
  ASSERT_EQ(parsed->wheels.size(), 2U);
  EXPECT_EQ(parsed->wheels[0].name, "torch");
  EXPECT_EQ(parsed->wheels[0].size, 908000000U);
  EXPECT_EQ(parsed->archives[0].product, "cuda");
  EXPECT_EQ(parsed->requirements[1], "say \"hi\"\\");
  EXPECT_EQ(parsed->host.min_driver->text(), "550.54.14");
  EXPECT_EQ(parsed->host.targets.size(), 3U);
  EXPECT_FALSE(parsed->toolkit_cuda);
  EXPECT_NE(text.find("[[wheel]]\nname = \"torch\""), std::string::npos) << text;
}

TEST(LockfileText, EmptyListsAndNoOptionalKeys)
{
  Lockfile lock = sample();
  lock.host.glibc.reset();
  lock.host.min_driver.reset();
  lock.host.targets.clear();
  lock.cuda.reset();
  lock.cudnn.reset();
  lock.wheels.clear();
  lock.archives.clear();
  auto parsed = parse_lockfile(lockfile_text(lock));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_FALSE(parsed->host.glibc);
  EXPECT_TRUE(parsed->wheels.empty());
}

// Replaces the first `from` in the sample's text by `to` and expects an input error naming `says`.
void expect_refused(const std::string& from, const std::string& to, const std::string& says)
{
  std::string text = lockfile_text(sample());
  const auto at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
  auto parsed = parse_lockfile(text);
  ASSERT_FALSE(parsed) << "accepted: " << to;
  EXPECT_EQ(parsed.error().kind, util::ErrorKind::input);
  EXPECT_NE(parsed.error().message.find(says), std::string::npos) << parsed.error().message;
}

TEST(LockfileParse, RefusesHostileOrBrokenFiles)
{
  expect_refused("schema_version = 1", "schema_version = 2", "schema_version 2");
  expect_refused("schema_version = 1", "schema_version = \"1\"", "schema_version");
  expect_refused("[matrix]\n", "[matrix]\nextra = 1\n", "unknown key `extra`");
  expect_refused("size = 908000000", "size = 908000000\nurl2 = \"x\"", "unknown key `url2`");
  expect_refused("size = 908000000", "size = -1", "non-negative");
  expect_refused("sha256 = \"" + hash_a + "\"\nsize = 908000000",
                 "sha256 = \"" + hash_a.substr(1) + "\"\nsize = 908000000", "sha256");
  expect_refused("url = \"torch-2.5.1%2Bcu124", "url = \"../torch-2.5.1%2Bcu124", "`..`");
  expect_refused("url = \"torch-2.5.1%2Bcu124", "url = \"%2e%2e/torch-2.5.1%2Bcu124", "`..`");
  expect_refused("url = \"torch-2.5.1%2Bcu124", "url = \"/torch-2.5.1%2Bcu124", "absolute");
  expect_refused("url = \"torch-2.5.1%2Bcu124", "url = \"a\\\\b/torch-2.5.1%2Bcu124", "character");
  expect_refused("https://files.example.org/", "ftp://files.example.org/", "url");
  expect_refused("https://files.example.org/", "https://user:pw@files.example.org/", "credentials");
  expect_refused("cuda_cudart/linux-x86_64/", "/etc/", "absolute");
  expect_refused("cuda_cudart/linux-x86_64/", "cuda_cudart/../../", "`..`");
  expect_refused("filename = \"torch-2.5.1", "filename = \"evil-2.5.1", "not of project");
  expect_refused("filename = \"torch-2.5.1+cu124-cp311-cp311-linux_x86_64.whl\"",
                 "filename = \"torch-2.5.1+cu124-cp311-cp311-linux_x86_64.zip\"", "not a wheel file name");
  expect_refused("filename = \"torch-2.5.1+cu124", "filename = \"torch-2.4.0+cu124", "not version");
  expect_refused("filename = \"torch-2.5.1+cu124-cp311-cp311-linux_x86_64.whl\"",
                 "filename = \"../torch-2.5.1+cu124-cp311-cp311-linux_x86_64.whl\"", "not");
  expect_refused("name = \"torch\"", "name = \"torch; rm -rf\"", "not a project name");
  expect_refused("index = \"pytorch-cu124\"", "index = \"elsewhere\"", "not an [[index]] key");
  expect_refused("product = \"cuda\"", "product = \"nccl\"", "not cuda or cudnn");
  expect_refused("platform = \"linux-x86_64\"", "platform = \"windows\"", "platform");
  expect_refused("python = \"3.11\"", "python = \"3.11.2\"", "Python X.Y");
  expect_refused("\"sm_80\"", "\"sm_8\"", "not an architecture");
  expect_refused("[plan]", "[plan2]", "[plan]");
  expect_refused("framework = \"torch\"", "framework = \"torch\u0001\"", "line");
  expect_refused("[[index]]\nkey = \"pypi\"", "[[index]]\nkey = \"pytorch-cu124\"", "listed twice");
  expect_refused("name = \"typing_extensions\"", "name = \"Torch\"", "not of project");
}

TEST(LockfileParse, RefusesTwoWheelsOfOneProjectAndSyntaxErrors)
{
  Lockfile lock = sample();
  lock.wheels.push_back(lock.wheels[1]);
  lock.wheels.back().filename = "torch-2.5.1+cu124-cp311-cp311-manylinux_2_28_x86_64.whl";
  auto parsed = parse_lockfile(lockfile_text(lock));
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("a second wheel of project `torch`"), std::string::npos)
    << parsed.error().message;
  EXPECT_FALSE(parse_lockfile("schema_version = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["));
  EXPECT_FALSE(parse_lockfile(std::string(1000, '[')));
  EXPECT_FALSE(parse_lockfile(""));
  EXPECT_FALSE(parse_lockfile(std::string("schema_version = 1\n\0", 20)));
}

TEST(LockHost, MismatchesNameEachReason)
{
  const Lockfile lock = sample();
  core::HostFacts host;
  host.platform = core::Platform::linux_x86_64;
  host.glibc = v("2.36");
  host.driver = v("560.35.03");
  host.gpus = {{{8, 0}, "A100"}, {{9, 0}, "H100"}, {{12, 0}, "RTX 5090"}};
  EXPECT_TRUE(host_mismatches(lock, host, v("3.11.7")).empty());  // PTX compute_90 covers 12.0

  Lockfile sass_only = lock;
  sass_only.host.targets.pop_back();
  auto reasons = host_mismatches(sass_only, host, v("3.11"));
  ASSERT_EQ(reasons.size(), 1U);
  EXPECT_NE(reasons[0].find("gpu 2 (RTX 5090): compute capability 12.0"), std::string::npos) << reasons[0];

  host.platform = core::Platform::linux_aarch64;
  host.glibc = v("2.17");
  host.driver = v("535.104.05");
  reasons = host_mismatches(lock, host, v("3.12"));
  ASSERT_EQ(reasons.size(), 4U);
  EXPECT_NE(reasons[0].find("platform"), std::string::npos);
  EXPECT_NE(reasons[1].find("Python 3.11, this interpreter is 3.12"), std::string::npos) << reasons[1];
  EXPECT_NE(reasons[2].find("glibc >= 2.28, this host has 2.17"), std::string::npos) << reasons[2];
  EXPECT_NE(reasons[3].find("550.54.14"), std::string::npos) << reasons[3];

  host = {};
  host.gpus = {{{7, 5}, ""}};
  reasons = host_mismatches(lock, host, v("3.11"));
  ASSERT_EQ(reasons.size(), 2U);
  EXPECT_NE(reasons[0].find("none is installed"), std::string::npos);
  EXPECT_NE(reasons[1].find("gpu 0: compute capability 7.5"), std::string::npos) << reasons[1];
}

}  // namespace
}  // namespace envsetup::lock
