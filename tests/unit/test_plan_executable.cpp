// SPDX-License-Identifier: Apache-2.0
// The plan-executability property (issue 14) over the whole shipped matrix: for every framework release
// x variant x supported Python (on the variant's platform), and for every CUDA release as a bare
// toolkit on each platform, a host the build should suit is resolved; the plan must be executable
// (check_plan: wheels, toolkit, each archive in NVIDIA's real manifests), or the candidate must be
// rejected with a reason. The sweep runs once and reports every problem.
#include "matrix_fixture.hpp"
#include "plan_executability.hpp"

#include <envsetup/resolve/resolver.hpp>

#include <gtest/gtest.h>

#include <cctype>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace envsetup::testing {
namespace {

// One problem of one case: `subject` names the candidate and host, `python` the Python of the case (""
// for a bare toolkit), `text` the step and what is missing ("[toolkit] ...").
struct Found {
  std::string subject;
  std::string python;
  std::string text;
};

struct Sweep {
  ManifestShelf shelf{ManifestShelf::default_root()};
  int cases = 0;
  int plans = 0;
  int rejected = 0;
  std::vector<Found> problems;
  std::map<std::string, std::pair<int, std::string>> rejection_groups;  // shape -> count, example
};

// A reason with its numbers blanked, so that rejections group by rule.
std::string shape(const std::string& reason)
{
  std::string out;
  for (const char c : reason) {
    if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
      if (out.empty() || out.back() != '#') {
        out += '#';
      }
    } else if (c != '.' || out.empty() || out.back() != '#') {
      out += c;
    }
  }
  return out;
}

// The newest Table 3 driver that a GPU whose last branch is `last_branch` can run.
core::Version high_driver(const matrix::Matrix& matrix, std::optional<int> last_branch)
{
  core::Version best;
  for (const auto& release : matrix.cuda) {
    if ((!last_branch || release.min_driver.major() <= *last_branch) && release.min_driver > best) {
      best = release.min_driver;
    }
  }
  return best;
}

// The lowest (or, with `highest`, the highest) capability `targets` build SASS for (PTX when
// there is no SASS), among those the matrix knows and whose driver branch can still run CUDA
// `cuda`; nullopt when none. Both ends are swept: old GPUs meet cuDNN's lower limits, new ones
// its upper limits and the capability floors.
std::optional<core::ComputeCapability> lowest_gpu(const matrix::Matrix& matrix,
                                                  const std::vector<core::ArchTarget>& targets,
                                                  const core::Version& cuda, bool highest = false)
{
  const auto* release = matrix.find_cuda(cuda);
  const int branch = release != nullptr ? release->min_driver.major() : 0;
  for (const auto kind : {core::ArchTarget::Kind::sass, core::ArchTarget::Kind::ptx}) {
    std::optional<core::ComputeCapability> best;
    for (const auto& target : targets) {
      const auto last = matrix.last_driver_branch_for(target.capability);
      if (target.kind == kind && matrix.architecture_of(target.capability) != nullptr &&
          (!last || *last >= branch) &&
          (!best || (highest ? *best < target.capability : target.capability < *best))) {
        best = target.capability;
      }
    }
    if (best) {
      return best;
    }
  }
  return std::nullopt;
}

core::HostFacts host_for(const matrix::Matrix& matrix, core::Platform platform, const core::Version& glibc,
                         core::ComputeCapability gpu)
{
  core::HostFacts host;
  host.platform = platform;
  if (!glibc.empty()) {
    host.glibc = glibc;
  }
  host.gpus.push_back({gpu, ""});
  host.driver = high_driver(matrix, matrix.last_driver_branch_for(gpu));
  return host;
}

std::string describe(const core::HostFacts& host)
{
  return "(" + core::platform_name(host.platform) + ", GPU " + host.gpus.at(0).capability.text() +
         ", driver " + host.driver->text() + ")";
}

// One case: resolve, then check the plan or the rejection of `candidate`.
void run_case(Sweep& sweep, const core::HostFacts& host, const core::Request& request,
              const std::string& candidate, const std::string& subject)
{
  const std::string python = request.python ? request.python->text() : "";
  auto add = [&](std::string text) { sweep.problems.push_back({subject, python, std::move(text)}); };
  const std::string label = subject + (python.empty() ? "" : " Python " + python);
  ++sweep.cases;
  auto resolution = resolve::resolve(real_matrix(), host, request);
  if (!resolution) {
    add("[resolve] error: " + resolution.error().message);
    return;
  }
  const auto listed = [&]() -> const core::Rejection* {
    for (const auto& rejection : resolution->rejected) {
      if (rejection.candidate.find(candidate) == 0) {
        return &rejection;
      }
    }
    return nullptr;
  }();
  if (resolution->plan) {
    ++sweep.plans;
    const auto& plan = *resolution->plan;
    if (plan.platform != host.platform) {
      add("[platform] the plan is for " + core::platform_name(plan.platform));
    }
    const std::string chosen = chosen_name(*resolution);
    if (chosen.find(candidate) != 0 && (listed == nullptr || listed->reason.empty())) {
      add("[resolve] chose " + chosen + "; the candidate is not listed as rejected");
    }
    if (request.with_toolkit && (!plan.toolkit_cuda || (plan.cudnn && !plan.toolkit_cudnn))) {
      add("[toolkit] --with-toolkit was asked for but the plan names no installable toolkit");
    }
    for (const auto& problem : check_plan(real_matrix(), plan, sweep.shelf)) {
      add(chosen.find(candidate) == 0 ? problem : "(chose " + chosen + ") " + problem);
    }
    return;
  }
  if (listed == nullptr || listed->reason.empty()) {
    add("[resolve] no plan (" + resolution->failure + ") and the candidate is not rejected with a reason");
    return;
  }
  ++sweep.rejected;
  auto& group = sweep.rejection_groups[shape(listed->reason)];
  group.second = group.first++ == 0 ? label + ": " + listed->reason : group.second;
}

void sweep_frameworks(Sweep& sweep)
{
  const auto& matrix = real_matrix();
  for (const auto& framework : matrix.frameworks) {
    for (const auto& release : framework.releases) {
      const auto& newest = release.versions.back();
      for (const auto& variant : release.variants) {
        const std::string candidate = framework.name + " " + newest.text() + " " + variant.name;
        const auto low = lowest_gpu(matrix, variant.targets, variant.cuda);
        if (!low) {
          sweep.problems.push_back({candidate, "", "[sweep] no known GPU runs this variant"});
          continue;
        }
        const auto high = lowest_gpu(matrix, variant.targets, variant.cuda, true);
        std::vector<core::ComputeCapability> gpus{*low};
        if (high && *high != *low) {
          gpus.push_back(*high);
        }
        for (const auto gpu : gpus) {
          const auto host = host_for(matrix, variant.platform, variant.glibc, gpu);
          for (int minor = release.python_min.minor(); minor <= release.python_max.minor(); ++minor) {
            const auto python =
              core::Version::parse(std::to_string(release.python_min.major()) + "." + std::to_string(minor))
                .value();
            auto request = core::Request::parse_framework(framework.name + "==" + newest.text()).value();
            request.python = python;
            request.cuda_pin = variant.cuda;
            run_case(sweep, host, request, candidate, candidate + " " + describe(host));
            // `install --framework --with-toolkit`: the toolkit a wheel build is given must exist too.
            request.with_toolkit = true;
            run_case(sweep, host, request, candidate, candidate + " --with-toolkit " + describe(host));
          }
        }
      }
    }
  }
}

void sweep_toolkits(Sweep& sweep)
{
  const auto& matrix = real_matrix();
  for (const auto& release : matrix.cuda) {
    const std::string candidate = "CUDA " + release.version.text();
    const auto gpu = lowest_gpu(matrix, release.targets, release.version);
    if (!gpu) {
      sweep.problems.push_back({candidate, "", "[sweep] no known GPU runs this toolkit"});
      continue;
    }
    for (const auto platform : {core::Platform::linux_x86_64, core::Platform::linux_aarch64}) {
      const auto host = host_for(matrix, platform, core::Version(), *gpu);
      auto request = core::Request::parse_framework(std::string(core::k_bare_toolkit)).value();
      request.cuda_pin = release.version;
      run_case(sweep, host, request, candidate, candidate + " bare toolkit " + describe(host));
    }
  }
}

const Sweep& sweep()
{
  static const Sweep done = [] {
    Sweep result;
    sweep_frameworks(result);
    sweep_toolkits(result);
    return result;
  }();
  return done;
}

// The problems whose step is `step` ("[archives]"), or of every other step when `others`: a tally by
// kind (numbers blanked), then each problem once with the Pythons it holds for.
std::string report(const Sweep& s, const std::string& step, bool others, int& count)
{
  std::map<std::string, int> tally;
  std::vector<std::pair<std::string, std::string>> order;  // subject, text
  std::map<std::pair<std::string, std::string>, std::string> pythons;
  count = 0;
  for (const auto& found : s.problems) {
    if ((found.text.find(step) == 0) == others) {
      continue;
    }
    ++count;
    ++tally[shape(found.text)];
    const std::pair key{found.subject, found.text};
    if (pythons.count(key) == 0) {
      order.push_back(key);
    }
    auto& list = pythons[key];
    list += found.python.empty() ? "" : (list.empty() ? " Python " : ", ") + found.python;
  }
  std::string text = "\nby kind:";
  for (const auto& [kind, n] : tally) {
    text += "\n  " + std::to_string(n) + "x " + kind;
  }
  text += "\neach:";
  for (const auto& key : order) {
    text += "\n  " + key.first + pythons[key] + ": " + key.second;
  }
  return text;
}

// The sweep resolves every shipped candidate (about 20 s under ASan, under a second in Release):
// pure resolver code that the other ASan tests run too, so it runs in the Release build and skips
// visibly under the sanitizers (CI time).
#if defined(__SANITIZE_ADDRESS__)
#define ENVSETUP_SKIP_SWEEP_UNDER_ASAN() GTEST_SKIP() << "the full matrix sweep runs in the Release build only"
#else
#define ENVSETUP_SKIP_SWEEP_UNDER_ASAN() static_cast<void>(0)
#endif

TEST(PlanExecutable, EveryShippedCandidatePlansKnownWheelsAndToolkitsOrIsRejected)
{
  ENVSETUP_SKIP_SWEEP_UNDER_ASAN();
  const auto& s = sweep();
  std::cout << "[ sweep    ] " << s.cases << " cases: " << s.plans << " plans, " << s.rejected
            << " rejected with a reason\n";
  for (const auto& [reason, group] : s.rejection_groups) {
    std::cout << "[ rejected ] " << group.first << "x " << reason << "\n             e.g. " << group.second
              << '\n';
  }
  EXPECT_GT(s.cases, 100) << "the sweep did not reach the shipped matrix";
  // A resolver that rejected everything would leave no problems: most shipped candidates must
  // plan, and a rejection must be one of the rules that legitimately apply to this sweep.
  EXPECT_GE(s.plans, s.cases * 9 / 10) << "most shipped candidates must plan";
  const std::set<std::string> allowed = {
    "CUDA # has no redistributable archives; envsetup installs # and later",
    "no CUDA #x release with redistributable archives",
    "no cuDNN #x release with archives for CUDA # that supports sm_#"};
  for (const auto& [reason, group] : s.rejection_groups) {
    EXPECT_TRUE(allowed.contains(reason)) << "unexpected rejection: " << reason << "\n  e.g. " << group.second;
  }
  int count = 0;
  const auto text = report(s, "[archives]", true, count);
  EXPECT_EQ(count, 0) << count << " problem(s):" << text;
}

TEST(PlanExecutable, EveryPlannedArchiveIsInNvidiasManifests)
{
  ENVSETUP_SKIP_SWEEP_UNDER_ASAN();
  const auto& s = sweep();
  if (!s.shelf.present()) {
    GTEST_SKIP() << "../shared/manifests is not beside the checkout (" << s.shelf.root().string()
                 << "): no archive could be checked";
  }
  std::cout << "[ archives ] " << s.shelf.archives_checked() << " component archives checked against "
            << s.shelf.used().size() << " real manifest(s):";
  for (const auto& used : s.shelf.used()) {
    std::cout << ' ' << used;
  }
  std::cout << "\n[ archives ] not checkable here (" << s.shelf.missing().size() << " manifest(s) not in "
            << s.shelf.root().string() << "):";
  for (const auto& missing : s.shelf.missing()) {
    std::cout << ' ' << missing;
  }
  std::cout << '\n';
  EXPECT_FALSE(s.shelf.used().empty()) << "no plan named a toolkit whose manifest is in the shelf";
  int count = 0;
  const auto text = report(s, "[archives]", false, count);
  EXPECT_EQ(count, 0) << count << " problem(s):" << text;
}

}  // namespace
}  // namespace envsetup::testing
