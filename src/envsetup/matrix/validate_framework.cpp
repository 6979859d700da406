// SPDX-License-Identifier: Apache-2.0
#include <envsetup/matrix/validate.hpp>

#include <envsetup/matrix/arch_list.hpp>

#include <algorithm>
#include <set>

namespace envsetup::matrix {

namespace {

std::string at(const std::string& pointer, std::size_t index)
{
  return pointer + "/" + std::to_string(index);
}

std::string texts(const std::vector<core::ArchTarget>& targets)
{
  std::string out;
  for (const auto& target : targets) {
    out += (out.empty() ? "" : " ") + target.text();
  }
  return out.empty() ? "nothing" : out;
}

class FrameworkChecker {
public:
  FrameworkChecker(const Matrix& matrix, const Framework& framework, Problems& problems)
    : m_matrix(matrix), m_framework(framework), m_problems(problems)
  {
  }

  void run()
  {
    std::set<std::string> series;
    std::set<std::string> all_versions;
    for (std::size_t i = 0; i < m_framework.releases.size(); ++i) {
      const auto& release = m_framework.releases[i];
      const std::string pointer = at("/releases", i);
      if (!series.insert(release.series.text()).second) {
        report(pointer + "/series", "series " + release.series.text() + " is listed twice");
      }
      check_release(release, pointer, all_versions);
      // A release covers the versions from its series up to the next release's
      // series.
      for (const auto& other : m_framework.releases) {
        for (std::size_t v = 0; v < release.versions.size(); ++v) {
          if (other.series > release.series && release.versions[v] >= other.series) {
            report(at(pointer + "/versions", v),
                   release.versions[v].text() + " belongs to the later release of series " + other.series.text());
          }
        }
      }
    }
    check_gaps();
  }

private:
  void report(std::string pointer, std::string message)
  {
    m_problems.push_back({m_framework.file, std::move(pointer), std::move(message)});
  }

  // pip_versions: each key one of the release's versions, each value that version followed
  // by `.post<N>` (a post-release re-publishes the same code), with a reason for the notes.
  void check_pip_versions(const FrameworkRelease& release, const std::string& pointer)
  {
    for (const auto& entry : release.pip_versions) {
      const std::string at_entry = pointer + "/pip_versions/" + entry.version.text();
      if (std::find(release.versions.begin(), release.versions.end(), entry.version) == release.versions.end()) {
        report(at_entry, entry.version.text() + " is not one of the release's versions");
      }
      if (core::post_release_base(entry.pip) != std::optional<std::string_view>(entry.version.text())) {
        report(at_entry + "/pip", "`" + entry.pip + "` must be " + entry.version.text() + " followed by .post<N> (e.g. " +
                                    entry.version.text() + ".post1)");
      }
      if (entry.why.empty()) {
        report(at_entry + "/why", "say why " + entry.version.text() + " is installed as " + entry.pip);
      }
    }
  }

  void check_release(const FrameworkRelease& release, const std::string& pointer, std::set<std::string>& all_versions)
  {
    if (release.versions.empty()) {
      report(pointer + "/versions", "the release lists no version");
    }
    for (std::size_t v = 0; v < release.versions.size(); ++v) {
      const auto& version = release.versions[v];
      if (version < release.series) {
        report(at(pointer + "/versions", v),
               version.text() + " is older than the release's series " + release.series.text());
      }
      if (!all_versions.insert(version.text()).second) {
        report(at(pointer + "/versions", v), m_framework.name + " " + version.text() + " is listed twice");
      }
    }
    check_pip_versions(release, pointer);
    if (release.python_min > release.python_max) {
      report(pointer + "/python", "min " + release.python_min.text() + " is above max " + release.python_max.text());
    }
    std::set<std::pair<std::string, std::string>> names;  // (platform, name)
    std::set<std::string> defaults;                       // platforms with a pypi_default variant
    for (std::size_t i = 0; i < release.variants.size(); ++i) {
      const auto& variant = release.variants[i];
      const std::string variant_pointer = at(pointer + "/variants", i);
      const std::string platform = core::platform_name(variant.platform);
      if (!names.emplace(platform, variant.name).second) {
        report(variant_pointer + "/name",
               "variant `" + variant.name + "` is listed twice for " + platform + " in this release");
      }
      check_variant(variant, variant_pointer);
      // PyPI serves each platform its own wheel: one default per platform.
      if (variant.pypi_default && !defaults.insert(platform).second) {
        report(pointer + "/variants", "more than one " + platform + " variant is marked `pypi_default`");
      }
    }
  }

  void check_variant(const Variant& variant, const std::string& pointer)
  {
    if (m_matrix.find_cuda(variant.cuda) == nullptr) {
      report(pointer + "/cuda", "CUDA " + variant.cuda.text() + " is not a release in cuda.json");
    }
    std::vector<core::ArchTarget> sass;
    std::vector<core::ArchTarget> ptx;
    for (const auto& target : variant.targets) {
      (target.kind == core::ArchTarget::Kind::ptx ? ptx : sass).push_back(target);
    }
    detail::check_targets(m_matrix, m_framework.file, pointer + "/sass", sass, m_problems);
    if (!ptx.empty()) {
      detail::check_targets(m_matrix, m_framework.file, pointer + "/ptx", ptx, m_problems);
    }
    check_arch_list(variant, sass, ptx, pointer + "/arch_list/text");
    if (variant.packages.empty()) {
      report(pointer + "/packages", "the variant installs no package");
    }
  }

  // `arch_list.text`, read in its notation, must ask for exactly `sass` and
  // `ptx`.
  void check_arch_list(const Variant& variant, const std::vector<core::ArchTarget>& sass,
                       const std::vector<core::ArchTarget>& ptx, const std::string& pointer)
  {
    const auto& list = variant.arch_list;
    auto parsed = parse_arch_list(list.notation, list.text);
    if (!parsed) {
      const auto& error = parsed.error();
      report(pointer, error.message + (error.causes.empty() ? "" : " (" + error.causes[0] + ")"));
      return;
    }
    std::vector<core::ArchTarget> want_sass;
    std::vector<core::ArchTarget> want_ptx;
    for (const auto& target : *parsed) {
      (target.kind == core::ArchTarget::Kind::ptx ? want_ptx : want_sass).push_back(target);
    }
    auto same = [](std::vector<core::ArchTarget> a, std::vector<core::ArchTarget> b) {
      auto by_text = [](const auto& x, const auto& y) { return x.text() < y.text(); };
      std::sort(a.begin(), a.end(), by_text);
      std::sort(b.begin(), b.end(), by_text);
      return a == b;
    };
    if (!same(sass, want_sass) || !same(ptx, want_ptx)) {
      report(pointer, "`" + list.text + "` in " + notation_name(list.notation) + " notation means SASS " +
                        texts(want_sass) + " and PTX " + texts(want_ptx) + ", but the variant lists SASS " +
                        texts(sass) + " and PTX " + texts(ptx));
    }
  }

  void check_gaps()
  {
    for (std::size_t g = 0; g < m_framework.platform_gaps.size(); ++g) {
      const auto platform = m_framework.platform_gaps[g].platform;
      for (const auto& release : m_framework.releases) {
        const bool built = std::any_of(release.variants.begin(), release.variants.end(),
                                       [&](const Variant& v) { return v.platform == platform; });
        if (built) {
          report(at("/platform_gaps", g) + "/platform", "release " + release.series.text() + " has a variant for " +
                                                          core::platform_name(platform) +
                                                          ", which this gap says is not built");
          break;
        }
      }
    }
  }

  const Matrix& m_matrix;
  const Framework& m_framework;
  Problems& m_problems;
};

}  // namespace

void check_frameworks(const Matrix& matrix, Problems& problems)
{
  std::set<std::string> names;
  for (const auto& framework : matrix.frameworks) {
    if (!names.insert(framework.name).second) {
      problems.push_back(
        {framework.file, "/framework", "framework `" + framework.name + "` is defined by more than one file"});
    }
    FrameworkChecker(matrix, framework, problems).run();
  }
}

}  // namespace envsetup::matrix
