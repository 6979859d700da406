// SPDX-License-Identifier: Apache-2.0
#include <envsetup/matrix/validate.hpp>

#include <envsetup/matrix/load.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace envsetup::matrix {

namespace {

std::string at(const std::string& pointer, std::size_t index)
{
  return pointer + "/" + std::to_string(index);
}

class Checker {
public:
  Checker(const Matrix& matrix, Problems& problems) : m_matrix(matrix), m_problems(problems) {}

  void run()
  {
    check_cuda();
    check_gpus();
    check_cudnn();
    std::set<std::string> names;
    for (const auto& framework : m_matrix.frameworks) {
      if (!names.insert(framework.name).second) {
        report(framework.file, "/framework", "framework `" + framework.name +
                                               "` is defined by more than one file");
      }
      check_framework(framework);
    }
  }

private:
  void report(const std::string& file, std::string pointer, std::string message)
  {
    m_problems.push_back({file, std::move(pointer), std::move(message)});
  }

  bool known_capability(core::ComputeCapability capability) const
  {
    return m_matrix.architecture_of(capability) != nullptr;
  }

  void check_targets(const std::string& file, const std::string& pointer,
                     const std::vector<core::ArchTarget>& targets)
  {
    if (targets.empty()) {
      report(file, pointer, "the architecture list is empty");
    }
    std::set<std::string> seen;
    for (std::size_t i = 0; i < targets.size(); ++i) {
      const std::string text = targets[i].text();
      if (!known_capability(targets[i].capability)) {
        report(file, at(pointer, i),
               "`" + text + "` names compute capability " + targets[i].capability.text() +
                 ", which no architecture in gpus.json has");
      }
      if (!seen.insert(text).second) {
        report(file, at(pointer, i), "`" + text + "` is listed twice");
      }
    }
  }

  void check_cuda()
  {
    std::set<int> majors;
    for (std::size_t i = 0; i < m_matrix.cuda_majors.size(); ++i) {
      if (!majors.insert(m_matrix.cuda_majors[i].major).second) {
        report(k_cuda_file, at("/majors", i) + "/major",
               "CUDA major " + std::to_string(m_matrix.cuda_majors[i].major) + " is listed twice");
      }
    }
    std::set<std::string> versions;
    for (std::size_t i = 0; i < m_matrix.cuda.size(); ++i) {
      const auto& release = m_matrix.cuda[i];
      const std::string pointer = at("/releases", i);
      if (release.version.parts().size() != 3) {
        report(k_cuda_file, pointer + "/version",
               "a CUDA release is written X.Y.Z, found `" + release.version.text() + "`");
      }
      if (!versions.insert(release.version.prefix(3).text()).second) {
        report(k_cuda_file, pointer + "/version",
               "CUDA " + release.version.text() + " is listed twice");
      }
      check_targets(k_cuda_file, pointer + "/targets", release.targets);
    }
  }

  void check_gpus()
  {
    std::map<std::string, const Architecture*> by_name;
    std::set<core::ComputeCapability> capabilities;
    for (std::size_t i = 0; i < m_matrix.architectures.size(); ++i) {
      const auto& architecture = m_matrix.architectures[i];
      const std::string pointer = at("/architectures", i);
      if (!by_name.emplace(architecture.name, &architecture).second) {
        report(k_gpus_file, pointer + "/name",
               "architecture `" + architecture.name + "` is listed twice");
      }
      if (architecture.capabilities.empty()) {
        report(k_gpus_file, pointer + "/compute_capabilities", "the list is empty");
      }
      for (std::size_t c = 0; c < architecture.capabilities.size(); ++c) {
        if (!capabilities.insert(architecture.capabilities[c]).second) {
          report(k_gpus_file, at(pointer + "/compute_capabilities", c),
                 "compute capability " + architecture.capabilities[c].text() +
                   " belongs to more than one architecture");
        }
      }
    }
    std::set<std::string> chip_names;
    std::vector<std::pair<std::pair<std::uint16_t, std::uint16_t>, std::string>> ranges;
    for (std::size_t i = 0; i < m_matrix.chips.size(); ++i) {
      const auto& chip = m_matrix.chips[i];
      const std::string pointer = at("/chips", i);
      if (!chip_names.insert(chip.name).second) {
        report(k_gpus_file, pointer + "/name", "chip `" + chip.name + "` is listed twice");
      }
      const auto found = by_name.find(chip.architecture);
      if (found == by_name.end()) {
        report(k_gpus_file, pointer + "/architecture",
               "unknown architecture `" + chip.architecture + "`");
      } else {
        const auto& caps = found->second->capabilities;
        if (std::find(caps.begin(), caps.end(), chip.capability) == caps.end()) {
          report(k_gpus_file, pointer + "/compute_capability",
                 "compute capability " + chip.capability.text() + " is not one of " +
                   chip.architecture + "'s");
        }
      }
      for (std::size_t r = 0; r < chip.pci_device_ids.size(); ++r) {
        const auto& range = chip.pci_device_ids[r];
        for (const auto& [other, other_chip] : ranges) {
          if (range.first <= other.second && other.first <= range.second) {
            report(k_gpus_file, at(pointer + "/pci_device_ids", r),
                   "the range overlaps one of chip `" + other_chip + "`");
          }
        }
        ranges.emplace_back(range, chip.name);
      }
    }
  }

  void check_cudnn()
  {
    std::set<std::string> versions;
    for (std::size_t i = 0; i < m_matrix.cudnn.size(); ++i) {
      const auto& release = m_matrix.cudnn[i];
      const std::string pointer = at("/releases", i);
      if (!versions.insert(release.version.text()).second) {
        report(k_cudnn_file, pointer + "/version",
               "cuDNN " + release.version.text() + " is listed twice");
      }
      if (release.build && release.build->prefix(3) != release.version) {
        report(k_cudnn_file, pointer + "/build",
               "build " + release.build->text() + " does not belong to " + release.version.text());
      }
      if (release.cuda.empty()) {
        report(k_cudnn_file, pointer + "/cuda", "the release supports no CUDA major");
      }
      for (std::size_t c = 0; c < release.cuda.size(); ++c) {
        const auto& range = release.cuda[c];
        const std::string range_pointer = at(pointer + "/cuda", c);
        if (range.min.major() != range.major || range.max.major() != range.major) {
          report(k_cudnn_file, range_pointer,
                 "min and max must both be CUDA " + std::to_string(range.major) + ".x");
        } else if (range.min > range.max) {
          report(k_cudnn_file, range_pointer, "min " + range.min.text() + " is above max " +
                                                range.max.text());
        }
      }
      if (release.min_capability > release.max_capability) {
        report(k_cudnn_file, pointer + "/compute_capabilities", "min is above max");
      }
      for (const auto capability : {release.min_capability, release.max_capability}) {
        if (!known_capability(capability)) {
          report(k_cudnn_file, pointer + "/compute_capabilities",
                 "compute capability " + capability.text() + " is not in gpus.json");
        }
      }
      const auto& layout = release.manifest_layout;
      if (layout != "cuda_variant" && layout != "flat" && layout != "none") {
        report(k_cudnn_file, pointer + "/manifest_layout",
               "expected `cuda_variant`, `flat` or `none`, found `" + layout + "`");
      }
    }
  }

  void check_release(const Framework& framework, const FrameworkRelease& release,
                     const std::string& pointer, std::set<std::string>& all_versions)
  {
    if (release.versions.empty()) {
      report(framework.file, pointer + "/versions", "the release lists no version");
    }
    for (std::size_t v = 0; v < release.versions.size(); ++v) {
      const auto& version = release.versions[v];
      if (version < release.series) {
        report(framework.file, at(pointer + "/versions", v),
               version.text() + " is older than the release's series " + release.series.text());
      }
      if (!all_versions.insert(version.text()).second) {
        report(framework.file, at(pointer + "/versions", v),
               framework.name + " " + version.text() + " is listed twice");
      }
    }
    if (release.python_min > release.python_max) {
      report(framework.file, pointer + "/python",
             "min " + release.python_min.text() + " is above max " + release.python_max.text());
    }
    std::set<std::string> names;
    int defaults = 0;
    for (std::size_t i = 0; i < release.variants.size(); ++i) {
      const auto& variant = release.variants[i];
      const std::string variant_pointer = at(pointer + "/variants", i);
      if (!names.insert(variant.name).second) {
        report(framework.file, variant_pointer + "/name",
               "variant `" + variant.name + "` is listed twice in this release");
      }
      if (m_matrix.find_cuda(variant.cuda) == nullptr) {
        report(framework.file, variant_pointer + "/cuda",
               "CUDA " + variant.cuda.text() + " is not a release in cuda.json");
      }
      check_targets(framework.file, variant_pointer + "/targets", variant.targets);
      if (variant.packages.empty()) {
        report(framework.file, variant_pointer + "/packages", "the variant installs no package");
      }
      defaults += variant.pypi_default ? 1 : 0;
    }
    if (defaults > 1) {
      report(framework.file, pointer + "/variants",
             "more than one variant is marked `pypi_default`");
    }
  }

  void check_framework(const Framework& framework)
  {
    std::set<std::string> series;
    std::set<std::string> all_versions;
    for (std::size_t i = 0; i < framework.releases.size(); ++i) {
      const auto& release = framework.releases[i];
      const std::string pointer = at("/releases", i);
      if (!series.insert(release.series.text()).second) {
        report(framework.file, pointer + "/series",
               "series " + release.series.text() + " is listed twice");
      }
      check_release(framework, release, pointer, all_versions);
      // A release covers the versions from its series up to the next release's series.
      for (const auto& other : framework.releases) {
        for (std::size_t v = 0; v < release.versions.size(); ++v) {
          if (other.series > release.series && release.versions[v] >= other.series) {
            report(framework.file, at(pointer + "/versions", v),
                   release.versions[v].text() + " belongs to the later release of series " +
                     other.series.text());
          }
        }
      }
    }
  }

  const Matrix& m_matrix;
  Problems& m_problems;
};

}  // namespace

void check_references(const Matrix& matrix, Problems& problems)
{
  Checker(matrix, problems).run();
}

}  // namespace envsetup::matrix
