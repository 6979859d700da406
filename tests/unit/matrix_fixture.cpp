// SPDX-License-Identifier: Apache-2.0
#include "matrix_fixture.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <iostream>

namespace envsetup::testing {

namespace {
matrix::Matrix load_or_die(const std::vector<matrix::SourceFile>& files, const std::string& what)
{
  auto loaded = matrix::load_matrix(files, what);
  if (!loaded) {
    std::cerr << loaded.error().message << '\n';
    for (const auto& cause : loaded.error().causes) {
      std::cerr << "  " << cause << '\n';
    }
    std::abort();
  }
  return std::move(loaded).value();
}
}  // namespace

const matrix::Matrix& real_matrix()
{
  static const matrix::Matrix loaded = load_or_die(matrix::embedded_matrix_files(), "embedded");
  return loaded;
}

std::vector<matrix::SourceFile> minimal_matrix_files()
{
  auto files = matrix::read_matrix_dir(std::string(ENVSETUP_TEST_DATA) + "/matrix-minimal");
  if (!files) {
    std::cerr << files.error().message << '\n';
    std::abort();
  }
  return std::move(files).value();
}

std::vector<matrix::SourceFile> patched_minimal_files(const std::string& file, const std::string& patch)
{
  auto files = minimal_matrix_files();
  for (auto& source : files) {
    if (source.name == file) {
      source.content = patch.starts_with("[{")
                         ? nlohmann::json::parse(source.content).patch(nlohmann::json::parse(patch)).dump()
                         : patch;
    }
  }
  files.erase(std::remove_if(files.begin(), files.end(), [&](const auto& f) { return f.name + ".missing" == file; }),
              files.end());
  return files;
}

matrix::Problems problems_after_patch(const std::string& file, const std::string& patch)
{
  matrix::Problems problems;
  (void)matrix::parse_matrix(patched_minimal_files(file, patch), problems);
  return problems;
}

const matrix::Matrix& minimal_matrix()
{
  static const matrix::Matrix loaded = load_or_die(minimal_matrix_files(), "minimal");
  return loaded;
}

core::HostFacts host(const std::string& driver, const std::vector<std::string>& gpus)
{
  core::HostFacts facts;
  if (!driver.empty()) {
    facts.driver = core::Version::parse(driver).value();
  }
  for (const auto& gpu : gpus) {
    facts.gpus.push_back({core::ComputeCapability::parse(gpu).value(), ""});
  }
  return facts;
}

core::Request request(const std::string& framework, const std::string& python, const std::string& cuda, bool cpu)
{
  auto parsed = core::Request::parse_framework(framework).value();
  if (!python.empty()) {
    parsed.python = core::Version::parse(python).value();
  }
  if (!cuda.empty()) {
    parsed.cuda_pin = core::Version::parse(cuda).value();
  }
  parsed.cpu = cpu;
  return parsed;
}

std::string chosen_name(const core::Resolution& resolution)
{
  if (!resolution.plan) {
    return "";
  }
  const auto& plan = *resolution.plan;
  if (!plan.version) {
    return "CUDA " + plan.cuda->text();
  }
  return plan.framework + " " + plan.version->text() + " " + plan.variant;
}

}  // namespace envsetup::testing
