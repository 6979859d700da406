// SPDX-License-Identifier: Apache-2.0
#include <envsetup/resolve/candidates.hpp>

#include <envsetup/util/strings.hpp>

#include <algorithm>

namespace envsetup::resolve::detail {

namespace {

using Kind = Failure::Kind;

const Candidate* first_where(const std::vector<Candidate>& candidates, bool in_spec,
                             auto predicate)
{
  for (const auto& candidate : candidates) {
    if (candidate.in_spec == in_spec && predicate(candidate)) {
      return &candidate;
    }
  }
  return nullptr;
}

std::optional<std::string> python_hint(const std::string& framework,
                                       const core::Request& request,
                                       const std::vector<Candidate>& candidates)
{
  const auto* fit = first_where(candidates, true, [](const Candidate& c) {
    return c.evaluation.only(Kind::python);
  });
  if (fit == nullptr) {
    return std::nullopt;
  }
  const auto& release = *fit->release;
  const core::Version python =
    *request.python > release.python_max ? release.python_max : release.python_min;
  return "use Python " + python.text() + " (`--python " + python.text() + "`): " +
         fit->name(framework) + " supports Python " + release.python_min.text() + "-" +
         release.python_max.text();
}

std::string describe_driver_change(const std::string& framework, const Candidate& candidate)
{
  const std::string driver = candidate.evaluation.min_driver->text();
  if (candidate.evaluation.has(Kind::no_driver)) {
    return "install an NVIDIA driver >= " + driver + ": it would allow " +
           candidate.name(framework);
  }
  return "a driver >= " + driver + " would allow " + candidate.name(framework) + " (" +
         candidate.evaluation.driver_rule + ")";
}

// The smallest driver upgrade that makes a requested candidate work and, when the most
// preferred such candidate needs more, that one too.
std::vector<std::string> driver_hints(const std::string& framework,
                                      const std::vector<Candidate>& candidates)
{
  const Candidate* smallest = nullptr;
  const Candidate* preferred = nullptr;
  for (const auto& candidate : candidates) {
    if (!candidate.in_spec || !candidate.evaluation.only(Kind::driver, Kind::no_driver)) {
      continue;
    }
    preferred = preferred != nullptr ? preferred : &candidate;
    if (smallest == nullptr || *candidate.evaluation.min_driver < *smallest->evaluation.min_driver) {
      smallest = &candidate;
    }
  }
  std::vector<std::string> hints;
  if (smallest != nullptr) {
    hints.push_back(describe_driver_change(framework, *smallest));
    if (*preferred->evaluation.min_driver != *smallest->evaluation.min_driver) {
      hints.push_back(describe_driver_change(framework, *preferred));
    }
  }
  return hints;
}

// Which builds outside the request cover a GPU that no requested build covers.
std::vector<std::string> gpu_hints(const matrix::Matrix& matrix, const std::string& framework,
                                   const core::HostFacts& host,
                                   const std::vector<Candidate>& candidates)
{
  std::vector<std::string> hints;
  for (const auto& gpu : host.gpus) {
    auto covers = [&](const Candidate& c) {
      return std::none_of(c.evaluation.failures.begin(), c.evaluation.failures.end(),
                          [&](const Failure& f) {
                            return f.kind == Kind::gpu && f.gpu == gpu.capability;
                          });
    };
    if (first_where(candidates, true, covers) != nullptr) {
      continue;
    }
    const Candidate* newest = first_where(candidates, false, covers);
    const Candidate* oldest = nullptr;
    for (auto it = candidates.rbegin(); it != candidates.rend(); ++it) {
      if (!it->in_spec && covers(*it)) {
        oldest = &*it;
        break;
      }
    }
    const std::string what = "GPU " + describe_gpu(matrix, gpu.capability);
    if (newest == nullptr) {
      hints.push_back("no " + framework + " build in the matrix covers " + what);
    } else if (newest == oldest) {
      hints.push_back(what + " is covered by " + newest->name(framework));
    } else {
      hints.push_back(what + " is covered by builds outside the request, newest " +
                      newest->name(framework) + ", oldest " + oldest->name(framework));
    }
  }
  return hints;
}

// "Python 3.12 is supported from torch 2.2.2": the releases outside the request that do.
std::string python_range_hint(const std::string& framework, const core::Request& request,
                              const std::vector<Candidate>& candidates)
{
  const Candidate* newest_in_spec = first_where(candidates, true, [](const Candidate&) {
    return true;
  });
  const Candidate* newest = nullptr;
  const Candidate* oldest = nullptr;
  for (const auto& candidate : candidates) {
    if (!candidate.in_spec && !candidate.evaluation.has(Kind::python)) {
      newest = newest != nullptr ? newest : &candidate;
      oldest = &candidate;
    }
  }
  const std::string python = "Python " + request.python->text();
  if (newest == nullptr) {
    return "no " + framework + " release in the matrix supports " + python;
  }
  if (newest_in_spec != nullptr && oldest->version > newest_in_spec->version) {
    return python + " is supported from " + framework + " " +
           oldest->release->versions.front().text();
  }
  return python + " is supported up to " + framework + " " + newest->version.text();
}

// The host's driver is newer than a GPU's last branch: the branch to install.
std::optional<std::string> driver_branch_hint(const matrix::Matrix& matrix,
                                              const core::HostFacts& host,
                                              const std::vector<Candidate>& candidates)
{
  const bool too_new = std::any_of(candidates.begin(), candidates.end(), [](const Candidate& c) {
    return c.in_spec && c.evaluation.has(Kind::driver_too_new);
  });
  if (!too_new || !host.driver) {
    return std::nullopt;
  }
  std::optional<int> branch;
  std::string gpus;
  for (const auto& gpu : host.gpus) {
    const auto last = matrix.last_driver_branch_for(gpu.capability);
    if (last && host.driver->major() > *last && (!branch || *last < *branch)) {
      branch = last;
      gpus = describe_gpu(matrix, gpu.capability);
    }
  }
  if (!branch) {
    return std::nullopt;
  }
  return "install an R" + std::to_string(*branch) + " driver: R" + std::to_string(*branch) +
         " is the last branch that supports GPU " + gpus;
}

// Builds refused for glibc: the newest one that installs on this glibc, else
// the glibc that would allow the preferred one.
std::optional<std::string> glibc_hint(const std::string& framework, const core::HostFacts& host,
                                      const std::vector<Candidate>& candidates)
{
  const auto* refused =
    first_where(candidates, true, [](const Candidate& c) { return c.evaluation.has(Kind::glibc); });
  if (refused == nullptr || refused->variant == nullptr) {
    return std::nullopt;
  }
  if (host.musl) {
    return std::string(
      "use a glibc-based Linux (or a glibc container): pip's CUDA wheels are "
      "manylinux, built for glibc");
  }
  for (const auto& c : candidates) {
    if (c.evaluation.ok()) {
      return c.name(framework) + " (glibc >= " + c.variant->glibc.text() + ") works with this " +
             "host's glibc " + host.glibc->text() + ": request `" + framework +
             "==" + c.version.text() + "`";
    }
  }
  // The smallest change first: the lowest glibc that would allow some build; then, when the
  // preferred build needs more, what it needs.
  const Candidate* lowest = nullptr;
  for (const auto& c : candidates) {
    if (c.in_spec && c.variant != nullptr && c.evaluation.only(Kind::glibc) &&
        (lowest == nullptr || c.variant->glibc < lowest->variant->glibc)) {
      lowest = &c;
    }
  }
  const auto* preferred = first_where(candidates, true,
                                      [](const Candidate& c) { return c.evaluation.only(Kind::glibc); });
  if (lowest == nullptr) {
    return "a system with glibc >= " + refused->variant->glibc.text() + " would allow " + refused->name(framework) +
           " (if its other problems are solved)";
  }
  std::string hint = "a system with glibc >= " + lowest->variant->glibc.text() + " would allow " +
                     lowest->name(framework);
  if (preferred != lowest && preferred->variant->glibc > lowest->variant->glibc) {
    hint += "; glibc >= " + preferred->variant->glibc.text() + " would allow " + preferred->name(framework);
  }
  return hint;
}

// When no rule above names a change: GPUs that builds cover one at a time but never together
// are split across environments; otherwise the matrix lists what exists.
std::string last_resort_hint(const std::string& framework, const core::HostFacts& host,
                             const std::vector<Candidate>& candidates)
{
  const auto covers = [](const Candidate& c, core::ComputeCapability gpu) {
    return std::none_of(c.evaluation.failures.begin(), c.evaluation.failures.end(),
                        [&](const Failure& f) { return f.kind == Kind::gpu && f.gpu == gpu; });
  };
  bool each_covered = host.gpus.size() > 1;
  std::vector<std::string> names;
  for (const auto& gpu : host.gpus) {
    names.push_back(gpu.capability.sm_name());
    each_covered = each_covered && std::any_of(candidates.begin(), candidates.end(),
                                               [&](const Candidate& c) { return covers(c, gpu.capability); });
  }
  const bool one_covers_all = std::any_of(candidates.begin(), candidates.end(), [&](const Candidate& c) {
    return std::all_of(host.gpus.begin(), host.gpus.end(), [&](const auto& gpu) { return covers(c, gpu.capability); });
  });
  if (each_covered && !one_covers_all) {
    return "no " + framework + " build covers " + util::join(names, " and ") +
           " together: plan one environment per GPU (`--gpu` once each) and pick its GPU with "
           "CUDA_VISIBLE_DEVICES";
  }
  return "no change of Python, CUDA pin or version fixes this alone; `envsetup matrix show --framework " +
         framework + "` lists every build with its GPUs, CUDA and drivers";
}

}  // namespace

std::vector<std::string> hints_for(const matrix::Matrix& matrix, const std::string& framework,
                                   const core::HostFacts& host, const core::Request& request,
                                   const std::vector<Candidate>& candidates)
{
  std::vector<std::string> hints;
  if (request.python) {
    if (auto hint = python_hint(framework, request, candidates)) {
      hints.push_back(std::move(*hint));
    }
  }
  if (request.cuda_pin) {
    if (const auto* fit = first_where(candidates, true, [](const Candidate& c) {
          return c.evaluation.only(Kind::cuda_pin);
        })) {
      hints.push_back("drop `--cuda " + request.cuda_pin->text() + "`: " + fit->name(framework) +
                      " works on this host");
    }
  }
  if (const auto* fit = first_where(candidates, false,
                                    [](const Candidate& c) { return c.evaluation.ok(); })) {
    hints.push_back(fit->name(framework) + " works on this host: request `" + framework +
                    "==" + fit->version.text() + "` instead of `" + framework +
                    request.version.text() + "`");
  }
  if (auto hint = glibc_hint(framework, host, candidates)) {
    hints.push_back(std::move(*hint));
  }
  if (auto hint = driver_branch_hint(matrix, host, candidates)) {
    hints.push_back(std::move(*hint));
  }
  const auto driver = driver_hints(framework, candidates);
  hints.insert(hints.end(), driver.begin(), driver.end());
  // Without any in-spec candidate (no build for this platform) there is nothing to say about GPUs.
  const bool any_in_spec = first_where(candidates, true, [](const Candidate&) { return true; }) != nullptr;
  const bool every_in_spec_fails_gpu =
    any_in_spec &&
    first_where(candidates, true, [](const Candidate& c) { return !c.evaluation.has(Kind::gpu); }) == nullptr;
  if (every_in_spec_fails_gpu) {
    const auto more = gpu_hints(matrix, framework, host, candidates);
    hints.insert(hints.end(), more.begin(), more.end());
  }
  const bool every_in_spec_fails_python =
    request.python && any_in_spec && first_where(candidates, true, [](const Candidate& c) {
      return !c.evaluation.has(Kind::python);
    }) == nullptr;
  if (every_in_spec_fails_python) {
    hints.push_back(python_range_hint(framework, request, candidates));
  }
  if (hints.empty()) {
    hints.push_back(last_resort_hint(framework, host, candidates));
  }
  return hints;
}

}  // namespace envsetup::resolve::detail
