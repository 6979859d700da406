// SPDX-License-Identifier: Apache-2.0
#include <envsetup/cli/output.hpp>
#include <envsetup/cli/plan_json.hpp>

#include <envsetup/core/platform.hpp>
#include <envsetup/util/strings.hpp>

#include <nlohmann/json.hpp>

namespace envsetup::cli {

namespace {

using nlohmann::json;

json optional_version(const std::optional<core::Version>& version)
{
  return version ? json(version->text()) : json(nullptr);
}

json plan_json(const core::Plan& plan)
{
  json document;
  document["ok"] = true;
  document["framework"] = {{"name", plan.framework},
                           {"display_name", plan.display_name},
                           {"version", optional_version(plan.version)}};
  document["variant"] = plan.variant;
  document["cuda"] = plan.cuda ? json{{"version", plan.cuda->text()}} : json(nullptr);
  document["cudnn"] = plan.cudnn ? json{{"version", plan.cudnn->text()}} : json(nullptr);
  document["python"] = optional_version(plan.python);
  document["index_url"] = plan.index_url ? json(*plan.index_url) : json(nullptr);
  document["packages"] = plan.packages;
  document["pypi_default"] = plan.pypi_default;
  document["system_toolkit"] = plan.system_toolkit;
  document["install_command"] = plan.packages.empty() ? json(nullptr) : json(install_command(plan));
  document["driver"] = {{"min_version", optional_version(plan.min_driver)},
                        {"rule", plan.driver_rule}};
  document["platform"] = core::platform_name(plan.platform);
  document["glibc"] = optional_version(plan.glibc);
  document["toolkit"] = plan.toolkit_cuda ? json{{"cuda", plan.toolkit_cuda->text()},
                                                 {"cudnn", optional_version(plan.toolkit_cudnn)}}
                                          : json(nullptr);
  document["notes"] = plan.notes;
  json coverage = json::array();
  for (const auto& gpu : plan.coverage) {
    coverage.push_back({{"compute_capability", gpu.gpu.text()},
                        {"code", gpu.ptx ? "ptx" : "sass"},
                        {"target", gpu.target}});
  }
  document["gpus"] = coverage;
  return document;
}

json matrix_value(const app::MatrixInfo& info)
{
  return {{"source", info.source},
          {"path", info.path.empty() ? json(nullptr) : json(info.path)},
          {"generated", info.generated.empty() ? json(nullptr) : json(info.generated)},
          {"sha256", info.sha256}};
}

}  // namespace

std::string matrix_info_json(const app::MatrixInfo& info)
{
  return matrix_value(info).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string resolution_json(const app::ResolveOutcome& outcome)
{
  return resolution_json(outcome.resolution, outcome.facts, &outcome.matrix);
}

std::string install_command(const core::Plan& plan)
{
  std::string command = "pip install";
  for (const auto& package : plan.packages) {
    command += package.find_first_of("[<>") != std::string::npos ? " '" + package + "'"
                                                                  : " " + package;
  }
  if (plan.index_url) {
    command += " --index-url " + *plan.index_url;
  }
  return command;
}

std::string resolution_json(const core::Resolution& resolution,
                            const std::vector<app::FactNote>& facts, const app::MatrixInfo* matrix)
{
  json document;
  if (resolution.plan) {
    document = plan_json(*resolution.plan);
  } else {
    // The error object every command prints (cli/output.hpp print_error_json), plus the
    // resolution's own fields below.
    document["ok"] = false;
    auto error = util::make_error(util::ErrorKind::no_solution, resolution.failure);
    error.hints = resolution.hints;
    document["error"] = json::parse(error_object_json(error));
  }
  json rejected = json::array();
  for (const auto& rejection : resolution.rejected) {
    rejected.push_back({{"candidate", rejection.candidate}, {"reason", rejection.reason}});
  }
  document["rejected"] = rejected;
  json host = json::array();
  for (const auto& fact : facts) {
    host.push_back({{"fact", fact.fact}, {"value", fact.value}, {"origin", fact.origin}});
  }
  document["host_facts"] = host;
  if (matrix != nullptr) {
    document["matrix"] = matrix_value(*matrix);
  }
  return document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace envsetup::cli
