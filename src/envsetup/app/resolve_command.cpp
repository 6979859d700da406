// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/resolve_command.hpp>

#include <envsetup/app/detect_command.hpp>
#include <envsetup/detect/detect.hpp>
#include <envsetup/resolve/resolver.hpp>

#include <algorithm>
#include <envsetup/util/strings.hpp>

namespace envsetup::app {

namespace {

util::Error as_usage(util::Error error, const std::string& flag)
{
  error.kind = util::ErrorKind::usage;
  error.message = "invalid `" + flag + "` value: " + error.message;
  return error;
}

util::Result<core::Version> parse_flag_version(const std::string& text, const std::string& flag,
                                               std::size_t min_parts, std::size_t max_parts)
{
  auto version = core::Version::parse(util::trim(text));
  if (!version) {
    return as_usage(std::move(version).error(), flag);
  }
  const std::size_t parts = version->parts().size();
  if (parts < min_parts || parts > max_parts) {
    return util::make_error(util::ErrorKind::usage,
                            "invalid `" + flag + "` value `" + text + "`")
      .with_cause("expected " + std::to_string(min_parts) + " to " + std::to_string(max_parts) +
                  " dot-separated numbers");
  }
  return version;
}

// Host facts from the flags; whatever the flags leave out comes from detection.
util::Result<core::HostFacts> host_facts(const ResolveOptions& options,
                                         const matrix::Matrix& matrix,
                                         std::vector<FactNote>& facts,
                                         std::vector<core::Version>& detected_pythons)
{
  core::HostFacts host;
  if (options.driver && util::trim(*options.driver) == "none") {
    facts.push_back({"driver", "none", "--driver"});
  } else if (options.driver) {
    auto driver = parse_flag_version(*options.driver, "--driver", 2, 4);
    if (!driver) {
      return std::move(driver).error();
    }
    host.driver = *driver;
    facts.push_back({"driver", driver->text(), "--driver"});
  }
  for (const auto& text : options.gpus) {
    for (const auto field : util::split(text, ',')) {
      auto capability = core::ComputeCapability::parse(field);
      if (!capability) {
        return as_usage(std::move(capability).error(), "--gpu");
      }
      host.gpus.push_back({*capability, ""});
      facts.push_back({"GPU", capability->sm_name(), "--gpu"});
    }
  }
  const bool need_driver = !options.driver && !options.cpu;
  const bool need_gpus = options.gpus.empty() && !options.cpu;
  if (!need_driver && !need_gpus && options.python) {
    return host;
  }
  auto probe = make_probe(options.sysroot);
  if (!probe) {
    return std::move(probe).error();
  }
  detect::HostReport report;
  if (need_driver || need_gpus) {
    detect::detect_driver_and_gpus(*probe, matrix, report);
  }
  if (need_driver) {
    host.driver = report.driver ? std::optional(report.driver->version) : std::nullopt;
    facts.push_back({"driver", report.driver ? report.driver->version.text() : "none",
                     report.driver ? "detected (" + report.driver->source + ")" : "detected"});
  }
  if (need_gpus) {
    for (const auto& gpu : report.gpus) {
      if (!gpu.compute_capability) {
        return util::make_error(util::ErrorKind::environment,
                                "the compute capability of GPU " + std::to_string(gpu.index) +
                                  " (" + gpu.name + ") is unknown")
          .with_hint("pass every GPU's compute capability with `--gpu`, e.g. `--gpu 8.9`");
      }
      host.gpus.push_back({*gpu.compute_capability, gpu.name});
      facts.push_back({"GPU", gpu.compute_capability->sm_name() +
                                (gpu.name.empty() ? "" : " " + gpu.name),
                       "detected (" + gpu.source + ")"});
    }
  }
  if (!options.python) {
    for (const auto& python : detect::detect_pythons(*probe)) {
      if (python.version && std::find(detected_pythons.begin(), detected_pythons.end(),
                                      *python.version) == detected_pythons.end()) {
        detected_pythons.push_back(*python.version);
      }
    }
    std::sort(detected_pythons.rbegin(), detected_pythons.rend());
  }
  return host;
}

// Among the host's Pythons, the one that gives the best plan: the newest framework
// version, then the newest Python. Nullopt when none gives a plan.
std::optional<std::pair<core::Version, core::Resolution>> best_with_host_python(
  const matrix::Matrix& matrix, const core::HostFacts& host, core::Request request,
  const std::vector<core::Version>& pythons)
{
  std::optional<std::pair<core::Version, core::Resolution>> best;
  for (const auto& python : pythons) {
    request.python = python;
    auto resolution = resolve::resolve(matrix, host, request);
    if (!resolution || !resolution->plan) {
      continue;
    }
    const auto& version = resolution->plan->version;
    if (!best || (version && *version > *best->second.plan->version)) {
      best.emplace(python, std::move(resolution).value());
    }
  }
  return best;
}

}  // namespace

util::Result<core::Request> parse_request(const ResolveOptions& options)
{
  auto request = core::Request::parse_framework(options.framework);
  if (!request) {
    return std::move(request).error();
  }
  if (options.python) {
    auto python = parse_flag_version(*options.python, "--python", 2, 2);
    if (!python) {
      return std::move(python).error();
    }
    request->python = *python;
  }
  if (options.cuda) {
    auto cuda = parse_flag_version(*options.cuda, "--cuda", 1, 3);
    if (!cuda) {
      return std::move(cuda).error();
    }
    request->cuda_pin = *cuda;
  }
  request->cpu = options.cpu;
  return request;
}

util::Result<ResolveOutcome> run_resolve(const ResolveOptions& options)
{
  ResolveOutcome outcome;
  auto request = parse_request(options);
  if (!request) {
    return std::move(request).error();
  }
  outcome.request = std::move(request).value();
  auto matrix = load_matrix(with_environment(options.matrix));
  if (!matrix) {
    return std::move(matrix).error();
  }
  std::vector<core::Version> host_pythons;
  auto host = host_facts(options, *matrix, outcome.facts, host_pythons);
  if (!host) {
    return std::move(host).error();
  }
  outcome.host = std::move(host).value();
  const bool framework = outcome.request.framework != core::k_bare_toolkit;
  if (framework && !host_pythons.empty()) {
    auto best = best_with_host_python(*matrix, outcome.host, outcome.request, host_pythons);
    if (best) {
      outcome.request.python = best->first;
      outcome.facts.push_back({"Python", best->first.text(), "detected"});
      outcome.resolution = std::move(best->second);
      return outcome;
    }
  }
  auto resolution = resolve::resolve(*matrix, outcome.host, outcome.request);
  if (!resolution) {
    return std::move(resolution).error();
  }
  outcome.resolution = std::move(resolution).value();
  return outcome;
}

}  // namespace envsetup::app
