// SPDX-License-Identifier: Apache-2.0
#include "plan_executability.hpp"

#include <envsetup/fetch/components.hpp>
#include <envsetup/util/fs.hpp>
#include <envsetup/util/strings.hpp>

#include <algorithm>
#include <optional>

namespace envsetup::testing {

namespace fs = std::filesystem;

ManifestShelf::ManifestShelf(fs::path root) : m_root(std::move(root)) {}

fs::path ManifestShelf::default_root()
{
  return fs::path(ENVSETUP_SOURCE_DIR) / ".." / "shared" / "manifests";
}

bool ManifestShelf::present() const
{
  return fs::is_directory(m_root);
}

const fetch::Manifest* ManifestShelf::find(const std::string& product, const std::string& file,
                                           std::string& error) const
{
  const std::string key = product + " " + file;
  if (auto it = m_parsed.find(key); it != m_parsed.end()) {
    error = m_errors[key];
    (it->second ? m_used : m_missing).insert(key);
    return it->second.get();
  }
  auto& slot = m_parsed[key];
  const fs::path path = m_root / product / file;
  if (!fs::is_regular_file(path)) {
    m_missing.insert(key);
    return nullptr;
  }
  auto text = util::read_file(path);
  if (!text) {
    m_errors[key] = error = "cannot read " + path.string() + ": " + text.error().message;
    return nullptr;
  }
  auto parsed = fetch::parse_manifest(*text, product, path.string());
  if (!parsed) {
    m_errors[key] = error = path.string() + " does not parse: " + parsed.error().message;
    return nullptr;
  }
  slot = std::make_unique<fetch::Manifest>(std::move(parsed).value());
  m_used.insert(key);
  return slot.get();
}

namespace {

// The toolkit and cuDNN components `install --framework` lays out (its default `--components devel`, as
// plan_fetch expands it), each with an archive for the plan's platform.
void check_archives(const fetch::Manifest& manifest, const std::string& what, const std::string& platform,
                    int cuda_major, const std::vector<std::string>& required, const ManifestShelf& shelf,
                    std::vector<std::string>& problems)
{
  auto expanded = fetch::expand_components(manifest, "devel", platform);
  if (!expanded) {
    problems.push_back("[archives] " + what + ": " + expanded.error().message);
  }
  const auto ids = expanded ? std::move(expanded).value() : std::vector<std::string>{};
  for (const auto& id : required) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
      problems.push_back("[archives] " + what + " has no `" + id + "` for " + platform);
    }
  }
  for (const auto& id : ids) {
    shelf.count_archive();
    if (auto archive = fetch::select_archive(*manifest.find(id), platform, cuda_major); !archive) {
      problems.push_back("[archives] " + what + ": " + archive.error().message);
    }
  }
}

// A manifest of the shelf, checked when present (absent: recorded by the shelf, not a problem).
void check_manifest(const std::string& product, const std::string& file, const std::string& what,
                    const std::string& platform, int cuda_major, const std::vector<std::string>& required,
                    const ManifestShelf& shelf, std::vector<std::string>& problems)
{
  std::string error;
  const auto* manifest = shelf.find(product, file, error);
  if (!error.empty()) {
    problems.push_back("[archives] " + error);
  } else if (manifest != nullptr) {
    check_archives(*manifest, what, platform, cuda_major, required, shelf, problems);
  }
}

const matrix::CudaRelease* check_toolkit_cuda(const matrix::Matrix& matrix, const core::Plan& plan,
                                              std::vector<std::string>& problems)
{
  const auto& version = *plan.toolkit_cuda;
  const matrix::CudaRelease* release = nullptr;
  for (const auto& candidate : matrix.cuda) {
    release = candidate.version == version ? &candidate : release;
  }
  if (version.parts().size() != 3 || release == nullptr) {
    problems.push_back("[toolkit] CUDA " + version.text() + " is not an X.Y.Z release in cuda.json");
    return nullptr;
  }
  if (release->manifest.empty()) {
    problems.push_back("[toolkit] CUDA " + version.text() + " has no redistributable manifest");
    return nullptr;
  }
  if (plan.cuda && (plan.cuda->major() != version.major() || version < *plan.cuda)) {
    problems.push_back("[toolkit] CUDA " + version.text() + " is not a release of CUDA " + plan.cuda->text() +
                       "'s major at or above it");
  }
  return release;
}

const matrix::CudnnRelease* check_toolkit_cudnn(const matrix::Matrix& matrix, const core::Plan& plan,
                                                std::vector<std::string>& problems)
{
  const auto& version = *plan.toolkit_cudnn;
  const matrix::CudnnRelease* release = nullptr;
  for (const auto& candidate : matrix.cudnn) {
    release = candidate.version == version ? &candidate : release;
  }
  if (version.parts().size() != 3 || release == nullptr) {
    problems.push_back("[toolkit] cuDNN " + version.text() + " is not an X.Y.Z release in cudnn.json");
    return nullptr;
  }
  if (release->manifest.empty() || release->manifest_layout == "none") {
    problems.push_back("[toolkit] cuDNN " + version.text() + " has no redistributable manifest");
    return nullptr;
  }
  if (plan.toolkit_cuda) {
    const auto cuda = plan.toolkit_cuda->prefix(2);
    if (std::none_of(release->cuda.begin(), release->cuda.end(), [&](const matrix::CudnnCudaRange& range) {
          return range.major == cuda.major() && range.min <= cuda && cuda <= range.max;
        })) {
      problems.push_back("[toolkit] cuDNN " + version.text() + " has no build for CUDA " +
                         plan.toolkit_cuda->text());
    }
  }
  if (plan.cudnn && (plan.cudnn->major() != version.major() || version < plan.cudnn->prefix(3))) {
    problems.push_back("[toolkit] cuDNN " + version.text() + " is not a release of cuDNN " +
                       plan.cudnn->text() + "'s major at or above it");
  }
  if (const auto unsupported = detail::gpu_support(*release, plan); !unsupported.empty()) {
    problems.push_back("[toolkit] " + unsupported);
  }
  return release;
}

void check_toolkit(const matrix::Matrix& matrix, const core::Plan& plan, const ManifestShelf& shelf,
                   std::vector<std::string>& problems)
{
  const bool bare = plan.framework == core::k_bare_toolkit;
  if (!plan.toolkit_cuda) {
    if (plan.system_toolkit || bare) {
      problems.push_back(
        "[toolkit] the plan needs a CUDA toolkit but names "
        "none with archives (toolkit_cuda unset; "
        "the matrix row says CUDA " +
        (plan.cuda ? plan.cuda->text() : "?") + ")");
    }
    if (plan.system_toolkit && !plan.toolkit_cudnn) {
      problems.push_back(
        "[toolkit] the plan needs cuDNN but names none with "
        "archives (toolkit_cudnn unset; the "
        "matrix row says cuDNN " +
        (plan.cudnn ? plan.cudnn->text() : "?") + ")");
    }
    return;
  }
  const std::string platform = core::nvidia_platform(plan.platform);
  const auto* cuda = check_toolkit_cuda(matrix, plan, problems);
  if (cuda != nullptr) {
    check_manifest("cuda", cuda->manifest, "CUDA " + cuda->version.text(), platform, cuda->version.major(),
                   {"cuda_cudart", "cuda_nvcc", "libcublas"}, shelf, problems);
  }
  if (!plan.toolkit_cudnn) {
    if (plan.system_toolkit) {
      problems.push_back(
        "[toolkit] the plan needs cuDNN but names none with "
        "archives (toolkit_cudnn unset; the "
        "matrix row says cuDNN " +
        (plan.cudnn ? plan.cudnn->text() : "?") + ")");
    }
    return;
  }
  const auto* cudnn = check_toolkit_cudnn(matrix, plan, problems);
  if (cudnn != nullptr) {
    check_manifest("cudnn", cudnn->manifest, "cuDNN " + cudnn->version.text(), platform,
                   plan.toolkit_cuda->major(), {"cudnn"}, shelf, problems);
  }
}

}  // namespace

std::vector<std::string> check_plan(const matrix::Matrix& matrix, const core::Plan& plan,
                                    const ManifestShelf& shelf)
{
  std::vector<std::string> problems;
  if (plan.framework != core::k_bare_toolkit) {
    detail::check_wheels(matrix, plan, problems);
  }
  check_toolkit(matrix, plan, shelf, problems);
  return problems;
}

}  // namespace envsetup::testing
