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

}  // namespace

namespace detail {

void check_targets(const Matrix& matrix, const std::string& file, const std::string& pointer,
                   const std::vector<core::ArchTarget>& targets, Problems& problems)
{
  if (targets.empty()) {
    problems.push_back({file, pointer, "the architecture list is empty"});
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const std::string text = targets[i].text();
    if (matrix.architecture_of(targets[i].capability) == nullptr) {
      problems.push_back({file, at(pointer, i),
                          "`" + text + "` names compute capability " + targets[i].capability.text() +
                            ", which no architecture in gpus.json has"});
    }
    if (!seen.insert(text).second) {
      problems.push_back({file, at(pointer, i), "`" + text + "` is listed twice"});
    }
  }
}

}  // namespace detail

namespace {

class Checker {
public:
  Checker(const Matrix& matrix, Problems& problems) : m_matrix(matrix), m_problems(problems) {}

  void run()
  {
    check_cuda();
    check_gpus();
    check_cudnn();
    check_frameworks(m_matrix, m_problems);
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

  void check_targets(const std::string& file, const std::string& pointer, const std::vector<core::ArchTarget>& targets)
  {
    detail::check_targets(m_matrix, file, pointer, targets, m_problems);
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
    const CudaRelease* last_isa = nullptr;  // the newest release so far that has a ptx_isa
    for (std::size_t i = 0; i < m_matrix.cuda.size(); ++i) {
      const auto& release = m_matrix.cuda[i];
      const std::string pointer = at("/releases", i);
      if (release.version.parts().size() != 3) {
        report(k_cuda_file, pointer + "/version",
               "a CUDA release is written X.Y.Z, found `" + release.version.text() + "`");
      }
      if (!versions.insert(release.version.prefix(3).text()).second) {
        report(k_cuda_file, pointer + "/version", "CUDA " + release.version.text() + " is listed twice");
      }
      check_targets(k_cuda_file, pointer + "/targets", release.targets);
      if (release.ptx_isa) {  // `cuda` is sorted by version: the ISA must not go down
        if (release.ptx_isa->parts().size() != 2) {
          report(k_cuda_file, pointer + "/ptx_isa",
                 "a PTX ISA version is written X.Y, found `" + release.ptx_isa->text() + "`");
        }
        if (last_isa != nullptr && *release.ptx_isa < *last_isa->ptx_isa) {
          report(k_cuda_file, pointer + "/ptx_isa",
                 "CUDA " + release.version.text() + " has PTX ISA " + release.ptx_isa->text() +
                   ", older than CUDA " + last_isa->version.text() + "'s " + last_isa->ptx_isa->text());
        }
        last_isa = &release;
      }
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
        report(k_gpus_file, pointer + "/name", "architecture `" + architecture.name + "` is listed twice");
      }
      if (architecture.capabilities.empty()) {
        report(k_gpus_file, pointer + "/compute_capabilities", "the list is empty");
      }
      const auto& floors = architecture.floors;
      for (std::size_t c = 0; c < floors.size(); ++c) {
        const std::string entry = at(pointer + "/compute_capabilities", c);
        if (!capabilities.insert(floors[c].capability).second) {
          report(k_gpus_file, entry + "/capability",
                 "compute capability " + floors[c].capability.text() + " belongs to more than one architecture");
        }
        if (c > 0 && floors[c].capability <= floors[c - 1].capability) {
          report(k_gpus_file, entry + "/capability",
                 "compute capabilities are listed in ascending order: " + floors[c].capability.text() + " follows " +
                   floors[c - 1].capability.text());
        }
        if (c > 0 && floors[c].min_driver < floors[0].min_driver) {
          report(k_gpus_file, entry + "/min_driver",
                 "the driver floor of " + floors[c].capability.text() + " (" + floors[c].min_driver.text() +
                   ") is below that of " + architecture.name + "'s first capability " + floors[0].capability.text() +
                   " (" + floors[0].min_driver.text() + ")");
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
        report(k_gpus_file, pointer + "/architecture", "unknown architecture `" + chip.architecture + "`");
      } else {
        const auto& caps = found->second->capabilities;
        if (std::find(caps.begin(), caps.end(), chip.capability) == caps.end()) {
          report(k_gpus_file, pointer + "/compute_capability",
                 "compute capability " + chip.capability.text() + " is not one of " + chip.architecture + "'s");
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
        report(k_cudnn_file, pointer + "/version", "cuDNN " + release.version.text() + " is listed twice");
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
          report(k_cudnn_file, range_pointer, "min and max must both be CUDA " + std::to_string(range.major) + ".x");
        } else if (range.min > range.max) {
          report(k_cudnn_file, range_pointer, "min " + range.min.text() + " is above max " + range.max.text());
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

  const Matrix& m_matrix;
  Problems& m_problems;
};

}  // namespace

void check_references(const Matrix& matrix, Problems& problems)
{
  Checker(matrix, problems).run();
}

}  // namespace envsetup::matrix
