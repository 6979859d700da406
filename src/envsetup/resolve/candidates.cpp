// SPDX-License-Identifier: Apache-2.0
#include <envsetup/resolve/candidates.hpp>

#include <envsetup/resolve/cudnn_choice.hpp>
#include <envsetup/util/strings.hpp>

#include <algorithm>

namespace envsetup::resolve::detail {

namespace {

// The rules that depend on what `install` lays out: the pip cuDNN a build leaves open, the
// cuDNN a wheel build ships, and the system toolkit of a build that loads CUDA from the
// system (or of any build with --with-toolkit).
void check_installables(const matrix::Matrix& matrix, const matrix::Framework& framework,
                        const core::HostFacts& host, const core::Request& request, Candidate& candidate)
{
  const auto& variant = *candidate.variant;
  // The cuDNN wheel first: a toolkit laid out beside a pinned wheel gets that cuDNN.
  std::optional<core::Version> cudnn = variant.cudnn;
  if (variant.cudnn_wheel) {
    auto pin = cudnn_wheel_pin(matrix, host, variant);
    if (!pin.failure.empty()) {
      candidate.evaluation.failures.push_back(Failure::of(Failure::Kind::cudnn, pin.failure));
    }
    candidate.cudnn_pin = std::move(pin.requirement);
    candidate.pinned_cudnn = pin.release;
    if (pin.release != nullptr) {
      cudnn = pin.release->version;
    }
    if (!pin.note.empty()) {
      candidate.notes.push_back(std::move(pin.note));
    }
  }
  // The cuDNN a wheel build ships must run on every GPU (cuDNN 9.3 of TensorFlow 2.18 has no
  // code for Blackwell).
  if (!variant.system_toolkit && !variant.cudnn_wheel && variant.cudnn) {
    if (auto failure = shipped_cudnn_failure(matrix, *variant.cudnn, host); !failure.empty()) {
      candidate.evaluation.failures.push_back(Failure::of(Failure::Kind::cudnn, std::move(failure)));
    }
  }
  if (variant.system_toolkit || request.with_toolkit) {
    const std::string who = framework.display_name + " " + candidate.release->series.text();
    auto choice = toolkit_for_build(matrix, host, variant.cuda, cudnn, who);
    if (!choice.failure.empty()) {
      candidate.evaluation.failures.push_back(Failure::of(Failure::Kind::toolkit, choice.failure));
    }
    candidate.toolkit_cuda = choice.cuda;
    candidate.toolkit_cudnn = choice.cudnn;
    candidate.notes.insert(candidate.notes.end(), std::make_move_iterator(choice.notes.begin()),
                           std::make_move_iterator(choice.notes.end()));
  }
}

std::string gap_reason(const matrix::Framework& framework, core::Platform platform)
{
  std::string reason = "no GPU build for " + core::platform_name(platform);
  for (const auto& gap : framework.platform_gaps) {
    if (gap.platform == platform && !gap.reason.empty()) {
      reason += ": " + gap.reason;
    }
  }
  return reason;
}

// "CUDA 11.2.2 has no redistributable archives; envsetup installs 11.4.2 and
// later".
std::string no_archives(const matrix::Matrix& matrix, const matrix::CudaRelease& release)
{
  std::string text = "CUDA " + release.version.text() + " has no redistributable archives";
  const auto oldest = std::find_if(matrix.cuda.begin(), matrix.cuda.end(),
                                   [](const auto& r) { return has_archives(r); });
  if (oldest != matrix.cuda.end() && release.version < oldest->version) {
    text += "; envsetup installs " + oldest->version.text() + " and later";
  }
  return text;
}

}  // namespace

std::string Candidate::name(const std::string& framework) const
{
  if (variant == nullptr) {
    return "CUDA " + version.text();
  }
  return framework + " " + version.text() + " " + variant->name;
}

std::vector<Candidate> framework_candidates(const matrix::Matrix& matrix,
                                            const matrix::Framework& framework,
                                            const core::HostFacts& host,
                                            const core::Request& request,
                                            std::vector<PlatformGap>& gaps)
{
  std::vector<Candidate> candidates;
  for (auto release = framework.releases.rbegin(); release != framework.releases.rend();
       ++release) {
    const auto& versions = release->versions;
    auto chosen = std::find_if(versions.rbegin(), versions.rend(), [&](const core::Version& v) {
      return request.version.matches(v);
    });
    const bool in_spec = chosen != versions.rend();
    const core::Version version = in_spec ? *chosen : versions.back();
    const std::size_t first = candidates.size();
    for (const auto& variant : release->variants) {
      if (variant.platform != host.platform) {
        continue;
      }
      Candidate candidate;
      candidate.release = &*release;
      candidate.variant = &variant;
      candidate.cuda = matrix.find_cuda(variant.cuda);
      candidate.version = version;
      candidate.in_spec = in_spec;
      const BuildFacts build{variant.cuda,        candidate.cuda,      &variant.targets, false,
                             release->python_min, release->python_max, variant.glibc};
      candidate.evaluation = evaluate(matrix, host, request, build);
      check_installables(matrix, framework, host, request, candidate);
      const auto python = request.python ? request.python : std::optional(release->python_max);
      if (const auto* excluded = request.exclusion_of(version, variant.name, python)) {
        candidate.evaluation.failures.push_back(Failure::of(Failure::Kind::index, excluded->reason));
      }
      candidates.push_back(std::move(candidate));
    }
    if (first == candidates.size() && in_spec) {
      gaps.push_back({&*release, version, gap_reason(framework, host.platform)});
    }
    // Within one release: SASS for every GPU before PTX, then the newest CUDA.
    std::stable_sort(candidates.begin() + static_cast<std::ptrdiff_t>(first), candidates.end(),
                     [](const Candidate& a, const Candidate& b) {
                       if (a.evaluation.uses_ptx != b.evaluation.uses_ptx) {
                         return !a.evaluation.uses_ptx;
                       }
                       return a.cuda->version > b.cuda->version;
                     });
  }
  return candidates;
}

std::vector<Candidate> toolkit_candidates(const matrix::Matrix& matrix,
                                          const core::HostFacts& host,
                                          const core::Request& request)
{
  std::vector<Candidate> candidates;
  for (auto release = matrix.cuda.rbegin(); release != matrix.cuda.rend(); ++release) {
    if (request.cuda_pin && !matches_pin(release->version, *request.cuda_pin)) {
      continue;
    }
    Candidate candidate;
    candidate.cuda = &*release;
    candidate.version = release->version;
    candidate.listed = std::none_of(candidates.begin(), candidates.end(), [&](const Candidate& c) {
      return c.version.prefix(2) == release->version.prefix(2);
    });
    const BuildFacts build{release->version, &*release, &release->targets, true, std::nullopt,
                           std::nullopt, std::nullopt};
    candidate.evaluation = evaluate(matrix, host, request, build);
    if (has_archives(*release)) {
      candidate.toolkit_cuda = &*release;  // its cuDNN is chosen for the plan only
    } else {
      candidate.evaluation.failures.push_back(
        Failure::of(Failure::Kind::toolkit, no_archives(matrix, *release)));
    }
    candidates.push_back(std::move(candidate));
  }
  return candidates;
}

}  // namespace envsetup::resolve::detail
