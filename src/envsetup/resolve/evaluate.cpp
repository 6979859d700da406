// SPDX-License-Identifier: Apache-2.0
#include <envsetup/resolve/evaluate.hpp>

#include <envsetup/core/binary_compat.hpp>

#include <envsetup/util/strings.hpp>

#include <algorithm>

namespace envsetup::resolve::detail {

namespace {

using Kind = Failure::Kind;

// The entry of `targets` that runs `gpu`: for a framework build, what the driver would load
// (core::best_match: the newest SASS, then the newest PTX); for a toolkit, the newest plain SASS
// that runs on the GPU, else portable PTX for the newest target at or below it (nvcc can
// compile any of its targets to PTX).
std::optional<core::GpuCoverage> cover(core::ComputeCapability gpu, const BuildFacts& build)
{
  const auto& targets = *build.targets;
  if (!build.toolkit) {
    std::vector<core::CodeTarget> code;
    code.reserve(targets.size());
    for (const auto& target : targets) {
      code.push_back(core::CodeTarget{target, std::nullopt});
    }
    const auto match = core::best_match(code, gpu);
    if (!match) {
      return std::nullopt;
    }
    return core::GpuCoverage{gpu, match->jit, match->target.text()};
  }
  const core::ArchTarget* best_sass = nullptr;
  const core::ArchTarget* best_ptx = nullptr;
  for (const auto& target : targets) {
    if (target.kind != core::ArchTarget::Kind::sass) {
      continue;
    }
    if (target.suffix == '\0' && target.runs_on(gpu) &&
        (best_sass == nullptr || best_sass->capability < target.capability)) {
      best_sass = &target;
    }
    if (target.capability <= gpu && (best_ptx == nullptr || best_ptx->capability < target.capability)) {
      best_ptx = &target;
    }
  }
  if (best_sass != nullptr) {
    return core::GpuCoverage{gpu, false, best_sass->text()};
  }
  if (best_ptx == nullptr) {
    return std::nullopt;
  }
  core::ArchTarget ptx = *best_ptx;
  ptx.kind = core::ArchTarget::Kind::ptx;
  ptx.suffix = '\0';
  return core::GpuCoverage{gpu, true, ptx.text()};
}

void add_driver_requirement(Evaluation& evaluation, const core::Version& driver, std::string rule)
{
  if (!evaluation.min_driver || *evaluation.min_driver < driver) {
    evaluation.min_driver = driver;
    evaluation.driver_rule = std::move(rule);
  }
}

void add_unique(Evaluation& evaluation, Failure failure)
{
  const bool known = std::any_of(evaluation.failures.begin(), evaluation.failures.end(),
                                 [&](const Failure& f) { return f.text == failure.text; });
  if (!known) {
    evaluation.failures.push_back(std::move(failure));
  }
}

std::string architecture_name(const matrix::Matrix& matrix, core::ComputeCapability gpu)
{
  const auto* architecture = matrix.architecture_of(gpu);
  return architecture != nullptr ? architecture->name : gpu.sm_name();
}

// "compute capability 8.6 (Ampere) needs driver >= 455.23 (first supported by
// CUDA 11.1)"; the CUDA release is named when the matrix's oldest release with
// SASS for it has that driver.
std::string capability_rule(const matrix::Matrix& matrix, core::ComputeCapability gpu,
                            const core::Version& floor)
{
  std::string rule = "compute capability " + gpu.text() + " (" + architecture_name(matrix, gpu) +
                     ") needs driver >= " + floor.text();
  for (const auto& release : matrix.cuda) {
    const bool knows = std::any_of(
      release.targets.begin(), release.targets.end(),
      [&](const auto& t) {
        return t.kind == core::ArchTarget::Kind::sass && t.suffix == '\0' && t.capability == gpu;
      });
    if (knows) {
      if (release.min_driver == floor) {
        rule += " (first supported by CUDA " + release.version.prefix(2).text() + ")";
      }
      break;
    }
  }
  return rule;
}

// The host's driver is newer than the last branch of some GPU's architecture.
void check_driver_branch(const matrix::Matrix& matrix, const core::HostFacts& host,
                         Evaluation& evaluation)
{
  if (!host.driver) {
    return;
  }
  for (const auto& gpu : host.gpus) {
    const auto branch = matrix.last_driver_branch_for(gpu.capability);
    if (branch && host.driver->major() > *branch) {
      add_unique(evaluation,
                 Failure::of(Kind::driver_too_new,
                             "driver " + host.driver->text() + " is newer than the R" +
                               std::to_string(*branch) + " branch, the last that supports " +
                               architecture_name(matrix, gpu.capability) + " (GPU " +
                               gpu.capability.sm_name() + ")"));
    }
  }
}

// manylinux wheels need glibc at or above their floor; a musl host runs none.
void check_glibc(const core::HostFacts& host, const BuildFacts& build, Evaluation& evaluation)
{
  if (!build.glibc || build.glibc->empty()) {
    return;
  }
  if (host.musl) {
    evaluation.failures.push_back(
      Failure::of(Kind::glibc, "its wheels are manylinux (glibc); this host uses musl"));
  } else if (host.glibc && *host.glibc < *build.glibc) {
    const std::string floor = build.glibc->text();
    evaluation.failures.push_back(Failure::of(
      Kind::glibc,
      "its wheels need glibc >= " + floor + " (manylinux_" + std::to_string(build.glibc->major()) +
        "_" + std::to_string(build.glibc->minor()) + "); this host has " + host.glibc->text()));
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
    if (const auto floor = matrix.min_driver_for(gpu.capability)) {
      if (!evaluation.min_driver || *evaluation.min_driver < *floor) {
        add_driver_requirement(evaluation, *floor, capability_rule(matrix, gpu.capability, *floor));
      }
    }
  }
  for (const auto& gpu : host.gpus) {
    const auto branch = matrix.last_driver_branch_for(gpu.capability);
    if (branch && evaluation.min_driver->major() > *branch) {
      add_unique(
        evaluation,
        Failure::of(Kind::driver_branch,
                    architecture_name(matrix, gpu.capability) + " GPUs are supported up to the R" +
                      std::to_string(*branch) + " driver branch; this build needs driver >= " +
                      evaluation.min_driver->text()));
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
  check_glibc(host, build, evaluation);
  if (all_covered) {
    check_driver(matrix, host, build, evaluation);
  }
  check_driver_branch(matrix, host, evaluation);
  return evaluation;
}

}  // namespace envsetup::resolve::detail
