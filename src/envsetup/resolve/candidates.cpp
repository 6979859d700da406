// SPDX-License-Identifier: Apache-2.0
#include <envsetup/resolve/candidates.hpp>

#include <algorithm>

namespace envsetup::resolve::detail {

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
                                            const core::Request& request)
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
      Candidate candidate;
      candidate.release = &*release;
      candidate.variant = &variant;
      candidate.cuda = matrix.find_cuda(variant.cuda);
      candidate.version = version;
      candidate.in_spec = in_spec;
      const BuildFacts build{variant.cuda, candidate.cuda, &variant.targets, false,
                             release->python_min, release->python_max};
      candidate.evaluation = evaluate(matrix, host, request, build);
      candidates.push_back(std::move(candidate));
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
                           std::nullopt};
    candidate.evaluation = evaluate(matrix, host, request, build);
    candidates.push_back(std::move(candidate));
  }
  return candidates;
}

}  // namespace envsetup::resolve::detail
