// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/resolve_command.hpp>

#include <envsetup/app/detect_command.hpp>
#include <envsetup/app/python_choice.hpp>
#include <envsetup/detect/detect.hpp>
#include <envsetup/matrix/gpu_names.hpp>
#include <envsetup/resolve/resolver.hpp>
#include <envsetup/util/template.hpp>

#include <algorithm>
#include <chrono>
#include <envsetup/util/strings.hpp>

namespace envsetup::app {

namespace {

// What to write instead, for a version flag.
std::string version_example(const std::string& flag)
{
  return flag == "--driver"   ? "write the whole driver version, e.g. `--driver 580.95.05` (nvidia-smi prints it)"
         : flag == "--glibc"  ? "write glibc's X.Y, e.g. `--glibc 2.28` (`ldd --version` prints it)"
         : flag == "--python" ? "write the interpreter's X.Y, e.g. `--python 3.11`"
         : flag == "--cuda"   ? "write e.g. `--cuda 12`, `--cuda 12.4` or `--cuda 12.4.1`"
                              : "";
}

util::Error as_usage(util::Error error, const std::string& flag)
{
  error.kind = util::ErrorKind::usage;
  error.message = "invalid `" + flag + "` value: " + error.message;
  if (const auto example = version_example(flag); !example.empty() && error.hints.empty()) {
    error.hints.push_back(example);
  }
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
      .with_cause(min_parts == max_parts ? "expected exactly " + std::to_string(min_parts) + " dot-separated numbers"
                                         : "expected " + std::to_string(min_parts) + " to " +
                                             std::to_string(max_parts) + " dot-separated numbers")
      .with_hint(version_example(flag));
  }
  return version;
}

util::Result<core::Platform> parse_platform_flag(const std::string& text)
{
  auto platform = core::parse_platform(util::trim(text));
  if (!platform) {
    return as_usage(std::move(platform).error(), "--platform");
  }
  return platform;
}

util::Status platform_here(const std::string& framework, core::Platform wanted, const std::string& arch)
{
  const auto here = detect::platform_of_arch(arch);
  if (here == wanted) {
    return util::ok_status();
  }
  const std::string name = core::platform_name(wanted);
  const std::string host = here ? core::platform_name(*here) : arch.empty() ? "unknown" : arch;
  return util::make_error(util::ErrorKind::usage,
                          "cannot install " + name + " builds on this " + host + " host")
    .with_cause("`--platform " + name + "` plans for another machine; its wheels cannot run here")
    .with_hint("drop --platform to install the build for this host")
    .with_hint("to set up the " + name + " machine, write a spec for it here: envsetup spec --format pip -f " +
               util::shell_word(framework.empty() ? "torch" : framework) + " --platform " + name +
               " -o requirements.txt, or run envsetup install on that machine");
}

// The platform, C library and Jetson facts: --platform / --glibc, else detected (those of
// this host only when the plan is for this host's platform).
util::Status platform_facts(const ResolveOptions& options, const detect::SystemProbe& probe, core::HostFacts& host,
                            std::vector<FactNote>& facts)
{
  const std::string arch = detect::detect_arch(probe);
  const auto detected = detect::platform_of_arch(arch);
  if (options.platform) {
    auto platform = parse_platform_flag(*options.platform);
    if (!platform) {
      return std::move(platform).error();
    }
    if (options.install_here) {
      ENVSETUP_TRY(platform_here(options.framework, *platform, arch));
    }
    host.platform = *platform;
    facts.push_back({"platform", core::platform_name(*platform), "--platform"});
  } else if (detected) {
    host.platform = *detected;
    facts.push_back({"platform", core::platform_name(*detected), "detected"});
  } else {
    return util::make_error(util::ErrorKind::environment,
                            "this host's CPU architecture `" + arch + "` has no CUDA builds envsetup knows")
      .with_hint("to plan for another machine, name its platform: --platform linux-x86_64 or "
                 "--platform linux-aarch64");
  }
  const bool this_host = detected == host.platform;
  if (options.glibc) {
    auto glibc = parse_flag_version(*options.glibc, "--glibc", 2, 2);
    if (!glibc) {
      return std::move(glibc).error();
    }
    host.glibc = *glibc;
    facts.push_back({"glibc", glibc->text(), "--glibc"});
  } else if (!this_host) {
    facts.push_back({"glibc", "unknown", "not detected: --platform is not this host's; pass --glibc"});
  } else if (const auto library = detect::detect_c_library(probe, arch); library.glibc) {
    host.glibc = library.glibc;
    facts.push_back({"glibc", library.glibc->text(), "detected from " + library.source});
  } else if (library.musl) {
    host.musl = true;
    facts.push_back({"C library", "musl", "detected from the ld-musl loader"});
  } else {
    facts.push_back({"glibc", "unknown",
                     library.source.empty() ? "detected: no libc.so.6 found"
                                            : "detected: the version in " + library.source + " could not be read"});
  }
  if (this_host) {
    if (const auto jetson = detect::detect_jetson(probe); !jetson.empty()) {
      host.jetson = "Jetson (" + jetson + ")";
      facts.push_back({"Jetson", jetson, "detected"});
    }
  }
  return util::ok_status();
}

// Host facts from the flags; whatever the flags leave out comes from detection.
util::Result<core::HostFacts> host_facts(const ResolveOptions& options,
                                         const matrix::Matrix& matrix,
                                         std::vector<FactNote>& facts,
                                         std::optional<HostPythons>& pythons)
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
      auto gpu = matrix::parse_gpu(matrix, field);
      if (!gpu) {
        return std::move(gpu).error();
      }
      host.gpus.push_back({gpu->capability, gpu->name});
      facts.push_back({"GPU", gpu->capability.sm_name() + (gpu->name.empty() ? "" : " " + gpu->name), "--gpu"});
    }
  }
  const bool need_driver = !options.driver && !options.cpu;
  const bool need_gpus = options.gpus.empty() && !options.cpu;
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
  ENVSETUP_TRY(platform_facts(options, *probe, host, facts));
  if (!options.python && !options.python_from_plan) {
    std::error_code error;
    pythons = host_pythons(*probe, std::filesystem::current_path(error));
  }
  return host;
}

void add_stale_note(ResolveOutcome& outcome, const MatrixChoice& choice)
{
  if (!outcome.resolution.plan) {
    return;
  }
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  const int max_age = with_environment(choice).max_age_days.value_or(k_stale_matrix_days);
  if (auto note = stale_matrix_note(outcome.matrix, now.count(), max_age)) {
    outcome.resolution.plan->notes.push_back(std::move(*note));
  }
}

}  // namespace

util::Status check_platform_here(const ResolveOptions& options)
{
  if (!options.platform) {
    return util::ok_status();
  }
  auto platform = parse_platform_flag(*options.platform);
  if (!platform) {
    return std::move(platform).error();
  }
  auto probe = make_probe(options.sysroot);
  if (!probe) {
    return std::move(probe).error();
  }
  return platform_here(options.framework, *platform, detect::detect_arch(*probe));
}

util::Result<core::Request> parse_request(const ResolveOptions& options)
{
  std::optional<PythonCandidate> python;
  return parse_request(options, python);
}

util::Result<core::Request> parse_request(const ResolveOptions& options, std::optional<PythonCandidate>& python)
{
  auto request = core::Request::parse_framework(options.framework);
  if (!request) {
    return std::move(request).error();
  }
  if (options.python) {
    auto flag = python_from_flag(*options.python);
    if (!flag) {
      return std::move(flag).error();
    }
    request->python = flag->version;
    python = std::move(flag).value();
  }
  if (options.cuda) {
    auto cuda = parse_flag_version(*options.cuda, "--cuda", 1, 3);
    if (!cuda) {
      return std::move(cuda).error();
    }
    request->cuda_pin = *cuda;
  }
  request->cpu = options.cpu;
  request->with_toolkit = options.with_toolkit;
  return request;
}

util::Result<ResolveOutcome> run_resolve(const ResolveOptions& options)
{
  ResolveOutcome outcome;
  std::optional<PythonCandidate> flag_python;
  auto request = parse_request(options, flag_python);
  if (!request) {
    return std::move(request).error();
  }
  outcome.request = std::move(request).value();
  auto loaded = load_matrix_for_with_info(with_environment(options.matrix), outcome.request.framework);
  if (!loaded) {
    return std::move(loaded).error();
  }
  outcome.matrix = std::move(loaded->info);
  const matrix::Matrix* matrix = &loaded->matrix;
  std::optional<HostPythons> pythons;
  auto host = host_facts(options, *matrix, outcome.facts, pythons);
  if (!host) {
    return std::move(host).error();
  }
  outcome.host = std::move(host).value();
  if (flag_python) {
    outcome.python_path = flag_python->path;
    outcome.facts.push_back({"Python", flag_python->version.text(),
                             "--python" + (flag_python->detail.empty() ? "" : " " + flag_python->detail)});
  }
  const bool framework = outcome.request.framework != core::k_bare_toolkit;
  if (framework && pythons) {
    auto pick = choose_python(*matrix, outcome.host, outcome.request, *pythons);
    if (!pick) {
      return std::move(pick).error();
    }
    outcome.resolution = std::move(pick->resolution);
    if (pick->python) {
      outcome.request.python = pick->python->version;
      outcome.python_path = pick->python->path;
      const std::string where = pick->python->origin + (pick->python->detail.empty() ? "" : " " + pick->python->detail);
      outcome.facts.push_back({"Python", pick->python->version.text(),
                               pick->why ? where + "; a better plan than " + pythons->preferred->text() : where});
    }
    if (pick->why && outcome.resolution.plan) {
      outcome.resolution.plan->notes.push_back(*pick->why);
    }
    add_stale_note(outcome, options.matrix);
    return outcome;
  }
  auto resolution = resolve::resolve(*matrix, outcome.host, outcome.request);
  if (!resolution) {
    return std::move(resolution).error();
  }
  outcome.resolution = std::move(resolution).value();
  if (framework && !options.python && outcome.resolution.plan && outcome.resolution.plan->python) {
    outcome.facts.push_back({"Python", outcome.resolution.plan->python->text(),
                             "the newest the plan supports; the spec is for another machine, --python chooses"});
  }
  add_stale_note(outcome, options.matrix);
  return outcome;
}

}  // namespace envsetup::app
