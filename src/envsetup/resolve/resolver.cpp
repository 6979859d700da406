// SPDX-License-Identifier: Apache-2.0
#include <envsetup/resolve/resolver.hpp>

#include <envsetup/resolve/candidates.hpp>
#include <envsetup/resolve/cpu_plan.hpp>
#include <envsetup/resolve/cudnn_choice.hpp>
#include <envsetup/util/strings.hpp>
#include <envsetup/util/suggest.hpp>

#include <algorithm>

namespace envsetup::resolve {

namespace {

using detail::Candidate;

util::Error usage(std::string message)
{
  return util::make_error(util::ErrorKind::usage, std::move(message));
}

util::Status check_request(const matrix::Matrix& matrix, const core::HostFacts& host, const core::Request& request)
{
  for (const auto& gpu : host.gpus) {
    if (matrix.architecture_of(gpu.capability) == nullptr) {
      std::vector<std::string> known;
      for (const auto capability : matrix.known_capabilities()) {
        known.push_back(capability.text());
      }
      return usage("unknown GPU compute capability " + gpu.capability.text())
        .with_cause("the matrix knows " + util::join(known, ", "))
        .with_hint("check the value given to `--gpu`");
    }
  }
  if (request.cuda_pin && std::none_of(matrix.cuda.begin(), matrix.cuda.end(), [&](const auto& r) {
        return detail::matches_pin(r.version, *request.cuda_pin);
      })) {
    return usage("`--cuda " + request.cuda_pin->text() + "` names no CUDA release in the matrix")
      .with_hint("run `envsetup matrix show --domain cuda` for the known releases");
  }
  if (request.framework == core::k_bare_toolkit) {
    return util::ok_status();
  }
  if (matrix.find_framework(request.framework) == nullptr) {
    std::vector<std::string> known;
    for (const auto& framework : matrix.frameworks) {
      known.push_back(framework.name);
    }
    known.emplace_back(core::k_bare_toolkit);
    auto error = usage("unknown framework `" + request.framework + "`");
    if (const auto match = util::closest_match(request.framework, known)) {
      error = std::move(error).with_hint("did you mean `--framework " + *match + "`?");
    }
    return std::move(error).with_hint("choose one of " + util::join(known, ", "));
  }
  if (request.post_release) {
    const auto* framework = matrix.find_framework(request.framework);
    const bool known = std::any_of(framework->releases.begin(), framework->releases.end(), [&](const auto& release) {
      return std::any_of(release.pip_versions.begin(), release.pip_versions.end(),
                         [&](const auto& pip) { return pip.pip == *request.post_release; });
    });
    if (!known) {
      return usage("`" + request.framework + "==" + *request.post_release + "` is not a release the matrix knows")
        .with_hint("pin the release without `.postN` (`" + request.framework + request.version.text() +
                   "`): envsetup installs the post release the matrix names for it");
    }
  }
  return util::ok_status();
}

void set_toolkit(core::Plan& plan, const Candidate& chosen)
{
  if (chosen.toolkit_cuda != nullptr) {
    plan.toolkit_cuda = chosen.toolkit_cuda->version;
  }
  if (chosen.toolkit_cudnn != nullptr) {
    plan.toolkit_cudnn = chosen.toolkit_cudnn->version;
  }
}

core::Plan plan_from(const Candidate& chosen, const matrix::Framework& framework, const core::HostFacts& host,
                     const core::Request& request)
{
  const auto& release = *chosen.release;
  const auto& variant = *chosen.variant;
  core::Plan plan;
  plan.framework = framework.name;
  plan.display_name = framework.display_name;
  plan.version = chosen.version;
  plan.variant = variant.name;
  plan.cuda = variant.cuda;
  plan.cudnn = variant.cudnn;
  if (const auto* pinned = chosen.pinned_cudnn) {
    plan.cudnn = pinned->full_version();
  }
  plan.python = request.python ? *request.python : release.python_max;
  plan.index_url = variant.index_url;
  // The pip spelling of the version when the matrix names one (TensorFlow 2.15.0 installs
  // as 2.15.0.post1); plan.version stays the version asked for.
  const auto* pip = release.pip_version(chosen.version);
  for (const auto& package : variant.packages) {
    plan.packages.push_back(util::replace_all(package, "version", pip ? pip->pip : chosen.version.text()));
  }
  if (chosen.cudnn_pin) {
    plan.packages.push_back(*chosen.cudnn_pin);
  }
  plan.companions = release.companions;
  plan.pypi_default = variant.pypi_default;
  plan.system_toolkit = variant.system_toolkit;
  plan.min_driver = chosen.evaluation.min_driver;
  plan.driver_rule = chosen.evaluation.driver_rule;
  plan.coverage = chosen.evaluation.coverage;
  plan.platform = host.platform;
  if (!variant.glibc.empty()) {
    plan.glibc = variant.glibc;
  }
  set_toolkit(plan, chosen);
  plan.notes = chosen.notes;
  if (pip != nullptr) {
    plan.notes.push_back("installs " + pip->pip + ": " + pip->why);
  }
  if (plan.glibc && !host.glibc && !host.musl) {
    plan.notes.push_back(
      "this host's glibc version is unknown, so glibc was not checked: the "
      "wheels need glibc >= " +
      plan.glibc->text());
  }
  return plan;
}

// Picks the first in-spec candidate that works and lists as rejected every listed in-spec
// candidate ranked above it, the other candidates of its group (framework release, or CUDA
// X.Y for a bare toolkit) ranked above it, and the alternatives of its framework release.
const Candidate* choose(const std::vector<Candidate>& candidates, const std::string& framework,
                        core::Resolution& resolution)
{
  const auto chosen_it = std::find_if(candidates.begin(), candidates.end(),
                                      [](const Candidate& c) { return c.in_spec && c.evaluation.ok(); });
  const Candidate* chosen = chosen_it == candidates.end() ? nullptr : &*chosen_it;
  auto same_group = [&](const Candidate& c) {
    return chosen != nullptr && (chosen->release != nullptr ? c.release == chosen->release
                                                            : c.version.prefix(2) == chosen->version.prefix(2));
  };
  for (auto it = candidates.begin(); it != candidates.end(); ++it) {
    const bool before = it < chosen_it;
    const bool alternative =
      !before && it != chosen_it && chosen != nullptr && chosen->release != nullptr && same_group(*it);
    if (!it->in_spec || !(before || alternative) || !(it->listed || same_group(*it))) {
      continue;
    }
    std::string reason =
      it->evaluation.ok()
        ? "works too, but " + chosen->name(framework) + " is preferred (" +
            (chosen->evaluation.uses_ptx == it->evaluation.uses_ptx ? "newer CUDA" : "SASS instead of PTX JIT") + ")"
        : it->evaluation.reason();
    resolution.rejected.push_back({it->name(framework), std::move(reason)});
  }
  return chosen;
}

core::Resolution refuse(std::string failure, std::vector<std::string> hints)
{
  core::Resolution resolution;
  resolution.failure = std::move(failure);
  resolution.hints = std::move(hints);
  return resolution;
}

core::Resolution resolve_toolkit(const matrix::Matrix& matrix, const core::HostFacts& host,
                                 const core::Request& request)
{
  core::Resolution resolution;
  const auto candidates = detail::toolkit_candidates(matrix, host, request);
  const Candidate* chosen = choose(candidates, "CUDA", resolution);
  if (chosen == nullptr) {
    resolution.failure = "no CUDA toolkit in the matrix works on this host";
    resolution.hints = detail::hints_for(matrix, "CUDA", host, request, candidates);
    return resolution;
  }
  core::Plan plan;
  plan.framework = std::string(core::k_bare_toolkit);
  plan.display_name = "CUDA toolkit";
  plan.variant = "toolkit";
  plan.cuda = chosen->cuda->version;
  set_toolkit(plan, *chosen);
  if (const auto* cudnn = detail::best_cudnn(matrix, chosen->cuda->version, host, true)) {
    plan.cudnn = cudnn->full_version();
    plan.toolkit_cudnn = cudnn->version;
  }
  plan.platform = host.platform;
  plan.python = request.python;
  plan.min_driver = chosen->evaluation.min_driver;
  plan.driver_rule = chosen->evaluation.driver_rule;
  plan.coverage = chosen->evaluation.coverage;
  resolution.plan = std::move(plan);
  return resolution;
}

}  // namespace

util::Result<core::Resolution> resolve(const matrix::Matrix& matrix, const core::HostFacts& host,
                                       const core::Request& request)
{
  // Before the request's checks: a Jetson's integrated GPU (8.7, 11.0) need not be in
  // the matrix, and no framework build of it would be right.
  if (host.jetson && !request.cpu) {
    return refuse("this is an NVIDIA Jetson (" + *host.jetson +
                    "): integrated GPUs use JetPack/L4T, which envsetup does not manage",
                  {"install JetPack (https://developer.nvidia.com/embedded/jetpack) and NVIDIA's "
                   "Jetson-specific framework wheels (https://docs.nvidia.com/deeplearning/"
                   "frameworks/install-pytorch-jetson-platform/)",
                   request.framework == core::k_bare_toolkit
                     ? "a bare CUDA toolkit has no CPU-only form: on a Jetson, JetPack brings CUDA"
                     : "or pass `--cpu` to plan a CPU-only build"});
  }
  ENVSETUP_TRY(check_request(matrix, host, request));
  const bool toolkit = request.framework == core::k_bare_toolkit;
  if (request.cpu && toolkit) {
    return usage("`--cpu` cannot be combined with `--framework none`")
      .with_hint("a bare CUDA toolkit is planned for the host's GPUs; drop `--cpu`");
  }
  if (!request.cpu && host.gpus.empty()) {
    return refuse("no NVIDIA GPU is known on this host, and no CPU-only build was asked for",
                  {"pass the GPUs' compute capabilities with `--gpu` (e.g. `--gpu 8.9`)",
                   "or pass `--cpu` to plan a CPU-only build on purpose"});
  }
  if (toolkit) {
    return resolve_toolkit(matrix, host, request);
  }
  const auto& framework = *matrix.find_framework(request.framework);
  if (request.cpu) {
    return detail::resolve_cpu(framework, host, request);
  }
  std::vector<detail::PlatformGap> gaps;
  const auto candidates = detail::framework_candidates(matrix, framework, host, request, gaps);
  if (gaps.empty() &&
      std::none_of(candidates.begin(), candidates.end(), [](const Candidate& c) { return c.in_spec; })) {
    const auto& releases = framework.releases;
    return refuse("no " + framework.name + " release in the matrix matches `" + request.version.text() + "`",
                  {"the matrix knows " + framework.name + " " + releases.front().versions.front().text() + " to " +
                   releases.back().versions.back().text()});
  }
  core::Resolution resolution;
  const Candidate* chosen = choose(candidates, framework.name, resolution);
  for (const auto& gap : gaps) {
    if (chosen == nullptr || chosen->release->series < gap.release->series) {
      resolution.rejected.push_back({framework.name + " " + gap.version.text(), gap.reason});
    }
  }
  if (chosen == nullptr) {
    resolution.failure = "no " + framework.name + request.version.text() + " build works on this host";
    if (!gaps.empty()) {
      resolution.hints.push_back(framework.display_name + " " + gaps.front().version.text() + ": " +
                                 gaps.front().reason);
    }
    const auto more = detail::hints_for(matrix, framework.name, host, request, candidates);
    resolution.hints.insert(resolution.hints.end(), more.begin(), more.end());
    if (std::any_of(candidates.begin(), candidates.end(),
                    [](const Candidate& c) { return c.in_spec && c.evaluation.has(detail::Failure::Kind::index); })) {
      resolution.hints.push_back("the package index has no wheel for some builds the matrix lists: `envsetup matrix "
                                 "check-index --framework " +
                                 framework.name + "` shows which; a mirror may be incomplete");
    }
    return resolution;
  }
  resolution.plan = plan_from(*chosen, framework, host, request);
  return resolution;
}

}  // namespace envsetup::resolve
