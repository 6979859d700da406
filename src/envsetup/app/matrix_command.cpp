// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/matrix_command.hpp>

namespace envsetup::app {

std::vector<MatrixCount> count_entries(const matrix::Matrix& matrix)
{
  std::vector<MatrixCount> counts = {
    {"CUDA releases", matrix.cuda.size()},
    {"CUDA majors with a compatibility floor", matrix.cuda_majors.size()},
    {"GPU architectures", matrix.architectures.size()},
    {"GPU chips", matrix.chips.size()},
    {"cuDNN releases", matrix.cudnn.size()},
  };
  for (const auto& framework : matrix.frameworks) {
    std::size_t versions = 0;
    std::size_t variants = 0;
    for (const auto& release : framework.releases) {
      versions += release.versions.size();
      variants += release.variants.size();
    }
    counts.push_back({framework.name + " release series", framework.releases.size()});
    counts.push_back({framework.name + " versions", versions});
    counts.push_back({framework.name + " build variants", variants});
  }
  return counts;
}

util::Result<ValidationReport> validate_matrix(const MatrixChoice& choice)
{
  auto files = matrix_files_with_info(choice);
  if (!files) {
    return std::move(files).error();
  }
  ValidationReport report;
  report.origin = describe(files->second);
  const matrix::Matrix parsed = matrix::parse_matrix(files->first, report.problems);
  if (report.problems.empty()) {
    report.counts = count_entries(parsed);
  }
  return report;
}

}  // namespace envsetup::app
