// SPDX-License-Identifier: Apache-2.0
// choose_python: the host's default Python unless another gives a strictly better plan.
#include <envsetup/app/python_choice.hpp>

#include <envsetup/resolve/resolver.hpp>

namespace envsetup::app {

namespace {

struct Tried {
  const PythonCandidate* python = nullptr;
  core::Resolution resolution;
};

util::Result<core::Resolution> resolve_with(const matrix::Matrix& matrix, const core::HostFacts& host,
                                            core::Request request, const PythonCandidate& python)
{
  request.python = python.version;
  return resolve::resolve(matrix, host, request);
}

// A plan with a newer framework version than `than` (which may have none).
bool newer(const core::Resolution& candidate, const core::Resolution* than)
{
  if (!candidate.plan) {
    return false;
  }
  if (than == nullptr || !than->plan) {
    return true;
  }
  const auto& a = candidate.plan->version;
  const auto& b = than->plan->version;
  return a && (!b || *a > *b);
}

std::string framework_of(const core::Plan& plan)
{
  return plan.framework + (plan.version ? " " + plan.version->text() : "");
}

}  // namespace

util::Result<PythonPick> choose_python(const matrix::Matrix& matrix, const core::HostFacts& host, core::Request request,
                                       const HostPythons& pythons)
{
  // The other interpreter with the best plan (others are newest first: ties keep the newest).
  std::optional<Tried> best;
  for (const auto& other : pythons.others) {
    auto resolution = resolve_with(matrix, host, request, other);
    if (!resolution) {
      return std::move(resolution).error();
    }
    if (newer(*resolution, best ? &best->resolution : nullptr)) {
      best = Tried{&other, std::move(resolution).value()};
    }
  }
  if (!pythons.preferred) {
    if (best) {
      return PythonPick{*best->python, std::move(best->resolution), std::nullopt};
    }
    auto resolution = resolve::resolve(matrix, host, request);
    if (!resolution) {
      return std::move(resolution).error();
    }
    return PythonPick{std::nullopt, std::move(resolution).value(), std::nullopt};
  }
  const PythonCandidate& preferred = *pythons.preferred;
  auto mine = resolve_with(matrix, host, request, preferred);
  if (!mine) {
    return std::move(mine).error();
  }
  if (best && !mine->plan) {
    const std::string why =
      best->python->text() + " chosen: with " + preferred.text() + " there is no plan (" + mine->failure + ")";
    return PythonPick{*best->python, std::move(best->resolution), why};
  }
  if (best && !preferred.active_env && newer(best->resolution, &mine.value())) {
    const std::string why = best->python->text() + " chosen: it gets " + framework_of(*best->resolution.plan) + ", " +
                            preferred.text() + " only " + framework_of(*mine->plan);
    return PythonPick{*best->python, std::move(best->resolution), why};
  }
  return PythonPick{preferred, std::move(mine).value(), std::nullopt};
}

}  // namespace envsetup::app
