// SPDX-License-Identifier: Apache-2.0
#include <envsetup/resolve/evaluate.hpp>

#include <envsetup/util/strings.hpp>

#include <algorithm>

namespace envsetup::resolve::detail {

namespace {

using Kind = Failure::Kind;

// The entry of `targets` that runs `gpu`, SASS first; for a toolkit, any target at or below
// the GPU can be compiled to PTX.
std::optional<core::GpuCoverage> cover(core::ComputeCapability gpu, const BuildFacts& build)
{
  const auto& targets = *build.targets;
  // The runtime loads the newest SASS that runs on the GPU; report that one.
  const core::ArchTarget* best_sass = nullptr;
  for (const auto& target : targets) {
    if (target.kind == core::ArchTarget::Kind::sass && target.runs_on(gpu) &&
        (best_sass == nullptr || best_sass->capability < target.capability)) {
      best_sass = &target;
    }
  }
  if (best_sass != nullptr) {
    return core::GpuCoverage{gpu, false, best_sass->text()};
  }
  const core::ArchTarget* best_ptx = nullptr;
  for (const auto& target : targets) {
    const bool usable = build.toolkit ? target.kind != core::ArchTarget::Kind::ptx &&
                                          target.capability <= gpu
                                      : target.kind == core::ArchTarget::Kind::ptx &&
                                          target.runs_on(gpu);
    if (usable && (best_ptx == nullptr || best_ptx->capability < target.capability)) {
      best_ptx = &target;
    }
  }
  if (best_ptx == nullptr) {
    return std::nullopt;
  }
  core::ArchTarget ptx = *best_ptx;
  ptx.kind = core::ArchTarget::Kind::ptx;
  return core::GpuCoverage{gpu, true, ptx.text()};
}

void add_driver_requirement(Evaluation& evaluation, const core::Version& driver, std::string rule)
{
  if (!evaluation.min_driver || *evaluation.min_driver < driver) {
    evaluation.min_driver = driver;
    evaluation.driver_rule = std::move(rule);
  }
}

void check_driver(const matrix::Matrix& matrix, const core::HostFacts& host,
                  const BuildFacts& build, Evaluation& evaluation)
{
  const auto& cuda = *build.cuda;
  const auto* major = matrix.find_cuda_major(cuda.version.major());
  if (evaluation.uses_ptx || build.toolkit || major == nullptr) {
    const std::string why = evaluation.uses_ptx ? "PTX JIT of CUDA " : "CUDA ";
    const std::string release = build.cuda_written == cuda.version
                                  ? cuda.version.text()
                                  : build.cuda_written.text() + " (" + cuda.version.text() + ")";
    add_driver_requirement(evaluation, cuda.min_driver,
                           why + release + " needs driver >= " + cuda.min_driver.text() +
                             " (Table 3)");
  } else {
    add_driver_requirement(evaluation, major->min_driver,
                           "CUDA " + std::to_string(major->major) +
                             ".x minor-version compatibility needs driver >= " +
                             major->min_driver.text() + " (Table 2)");
  }
  for (const auto& gpu : host.gpus) {
    if (const auto* architecture = matrix.architecture_of(gpu.capability)) {
      add_driver_requirement(evaluation, architecture->min_driver,
                             architecture->name + " GPUs need driver >= " +
                               architecture->min_driver.text());
    }
  }
  if (!host.driver) {
    auto failure = Failure::of(Kind::no_driver, "no NVIDIA driver is installed; this build needs >= " +
                                                  evaluation.min_driver->text());
    failure.needed_driver = evaluation.min_driver;
    evaluation.failures.push_back(std::move(failure));
  } else if (*host.driver < *evaluation.min_driver) {
    auto failure = Failure::of(
      Kind::driver, "driver " + host.driver->text() + " is too old: " + evaluation.driver_rule);
    failure.needed_driver = evaluation.min_driver;
    evaluation.failures.push_back(std::move(failure));
  }
}

}  // namespace

bool Evaluation::only(Kind a, Kind b) const
{
  return !failures.empty() && std::all_of(failures.begin(), failures.end(), [&](const Failure& f) {
    return f.kind == a || f.kind == b;
  });
}

bool Evaluation::has(Kind kind) const
{
  return std::any_of(failures.begin(), failures.end(),
                     [&](const Failure& f) { return f.kind == kind; });
}

std::string Evaluation::reason() const
{
  std::vector<std::string> texts;
  for (const auto& failure : failures) {
    texts.push_back(failure.text);
  }
  return util::join(texts, "; ");
}

bool matches_pin(const core::Version& cuda, const core::Version& pin)
{
  const std::size_t n = std::min(cuda.parts().size(), pin.parts().size());
  return cuda.prefix(n) == pin.prefix(n);
}

std::string describe_targets(const std::vector<core::ArchTarget>& targets)
{
  std::vector<std::string> texts;
  for (const auto& target : targets) {
    texts.push_back(target.text());
  }
  return util::join(texts, ", ");
}

std::string describe_gpu(const matrix::Matrix& matrix, core::ComputeCapability gpu)
{
  const auto* architecture = matrix.architecture_of(gpu);
  return gpu.sm_name() + (architecture != nullptr ? " (" + architecture->name + ")" : "");
}

Evaluation evaluate(const matrix::Matrix& matrix, const core::HostFacts& host,
                    const core::Request& request, const BuildFacts& build)
{
  Evaluation evaluation;
  const auto& cuda = build.cuda_written;
  if (request.cuda_pin && !matches_pin(cuda, *request.cuda_pin)) {
    evaluation.failures.push_back(Failure::of(
      Kind::cuda_pin, "CUDA " + cuda.text() + " does not match --cuda " + request.cuda_pin->text()));
  }
  if (request.python && build.python_min && build.python_max &&
      (*request.python < *build.python_min || *request.python > *build.python_max)) {
    evaluation.failures.push_back(
      Failure::of(Kind::python, "Python " + request.python->text() + " is outside the supported " +
                                  build.python_min->text() + "-" + build.python_max->text()));
  }
  bool all_covered = true;
  for (const auto& gpu : host.gpus) {
    auto coverage = cover(gpu.capability, build);
    if (!coverage) {
      all_covered = false;
      auto failure = Failure::of(Kind::gpu, "GPU " + describe_gpu(matrix, gpu.capability) +
                                              " is not covered: the build has " +
                                              describe_targets(*build.targets));
      failure.gpu = gpu.capability;
      evaluation.failures.push_back(std::move(failure));
      continue;
    }
    evaluation.uses_ptx = evaluation.uses_ptx || coverage->ptx;
    evaluation.coverage.push_back(std::move(*coverage));
  }
  if (all_covered) {
    check_driver(matrix, host, build, evaluation);
  }
  return evaluation;
}

}  // namespace envsetup::resolve::detail
