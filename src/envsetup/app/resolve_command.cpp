// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/resolve_command.hpp>

#include <envsetup/resolve/resolver.hpp>
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

util::Result<core::HostFacts> parse_host(const ResolveOptions& options,
                                         std::vector<FactNote>& facts)
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
  if (options.cpu) {
    return host;
  }
  if (!options.driver) {
    return util::make_error(util::ErrorKind::usage, "the NVIDIA driver version is not known")
      .with_cause("host detection is not available yet")
      .with_hint("pass `--driver VERSION` (see `nvidia-smi`), e.g. `--driver 550.54.15`, "
                 "`--driver none` for a host without a driver, or `--cpu` for a CPU-only build");
  }
  if (options.gpus.empty()) {
    return util::make_error(util::ErrorKind::usage, "the GPUs are not known")
      .with_cause("host detection is not available yet")
      .with_hint("pass `--gpu CC` once per GPU, e.g. `--gpu 8.9` (`nvidia-smi "
                 "--query-gpu=compute_cap --format=csv`), or `--cpu` for a CPU-only build");
  }
  return host;
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
  auto host = parse_host(options, outcome.facts);
  if (!host) {
    return std::move(host).error();
  }
  outcome.host = std::move(host).value();
  auto matrix = load_matrix(with_environment(options.matrix));
  if (!matrix) {
    return std::move(matrix).error();
  }
  auto resolution = resolve::resolve(*matrix, outcome.host, outcome.request);
  if (!resolution) {
    return std::move(resolution).error();
  }
  outcome.resolution = std::move(resolution).value();
  return outcome;
}

}  // namespace envsetup::app
