// SPDX-License-Identifier: Apache-2.0
// Test helper: is a resolver plan executable? Every step the installer would take (the pip requirements
// and index, the toolkit and cuDNN releases, each manifest component and archive) must name something
// the matrix, or NVIDIA's real manifests in ../shared/manifests, know to exist. Issue 14: a plan the
// installer cannot carry out is a resolver bug.
#pragma once

#include <envsetup/core/plan.hpp>
#include <envsetup/core/request.hpp>
#include <envsetup/fetch/manifest.hpp>
#include <envsetup/matrix/model.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace envsetup::testing {

// NVIDIA redistrib manifests on disk: ROOT/cuda/redistrib_X.Y.Z.json and
// ROOT/cudnn/redistrib_X.Y.Z.json. Reads each file once; remembers which manifests were asked for but
// absent, and how many checks used a real manifest, so a test can say what it could not check instead
// of passing it silently.
class ManifestShelf {
public:
  explicit ManifestShelf(std::filesystem::path root);

  // ENVSETUP_SOURCE_DIR/../shared/manifests (may be absent).
  [[nodiscard]] static std::filesystem::path default_root();

  [[nodiscard]] bool present() const;
  [[nodiscard]] const std::filesystem::path& root() const { return m_root; }

  // The parsed manifest `file` (e.g. "redistrib_12.4.1.json") of `product` ("cuda" or "cudnn"); null
  // when the file is absent (recorded in missing()). A file that exists but does not parse sets
  // `error`.
  const fetch::Manifest* find(const std::string& product, const std::string& file, std::string& error) const;

  // "cuda redistrib_12.2.2.json" for each manifest a check needed and the shelf lacks.
  [[nodiscard]] const std::set<std::string>& missing() const { return m_missing; }
  // "cuda redistrib_12.4.1.json" for each manifest a check was made against.
  [[nodiscard]] const std::set<std::string>& used() const { return m_used; }
  // Component archives checked against real manifests.
  [[nodiscard]] int archives_checked() const { return m_archives_checked; }
  void count_archive() const { ++m_archives_checked; }

private:
  std::filesystem::path m_root;
  mutable std::map<std::string, std::unique_ptr<fetch::Manifest>> m_parsed;  // null: absent
  mutable std::map<std::string, std::string> m_errors;
  mutable std::set<std::string> m_missing;
  mutable std::set<std::string> m_used;
  mutable int m_archives_checked = 0;
};

// Each problem starts with its step in brackets, then says what is missing:
//   [wheels]    plan.version is a release's version; plan.variant exists in
//   that release
//               for plan.platform; every requirement of plan.packages is
//               `name[extras]==V` and either the variant's own package at
//               plan.version or a `nvidia-cudnn-cuXX==B` pin naming a
//               cudnn.json build B with a CUDA XX build (inside the variant's
//               cudnn_wheel spec, supporting every GPU the plan covers); an
//               unpinned cudnn_wheel's newest release must support those GPUs;
//               index_url is unset, PyPI, or the variant's own;
//   [toolkit]   a system-toolkit or bare-toolkit plan has toolkit_cuda: an
//   X.Y.Z cuda.json
//               release with a manifest, of plan.cuda's major and not older; a
//               system-toolkit plan (and any plan that sets it) has
//               toolkit_cudnn: an X.Y.Z cudnn.json release with a manifest
//               (layout not `none`) built for toolkit_cuda (major, [min, max]),
//               of plan.cudnn's major and not older, supporting every GPU the
//               plan covers;
//   [archives]  in the real manifests (when the shelf has them): every
//   component that
//               `install --framework` (components `devel`) lays out has an
//               archive for core::nvidia_platform(plan.platform) and, for
//               cuDNN, for toolkit_cuda's major; cuda_cudart, cuda_nvcc,
//               libcublas and cudnn are among them.
// Empty: executable (as far as the shelf allows; see ManifestShelf::missing()).
[[nodiscard]] std::vector<std::string> check_plan(const matrix::Matrix& matrix, const core::Plan& plan,
                                                  const ManifestShelf& shelf);

namespace detail {

// "" when `cudnn` supports every GPU `plan` covers (or the matrix gives no range), else why not.
[[nodiscard]] std::string gpu_support(const matrix::CudnnRelease& cudnn, const core::Plan& plan);

// The [wheels] step of check_plan (plan_executability_wheels.cpp).
void check_wheels(const matrix::Matrix& matrix, const core::Plan& plan, std::vector<std::string>& problems);

}  // namespace detail

}  // namespace envsetup::testing
