// SPDX-License-Identifier: Apache-2.0
#include <envsetup/fetch/components.hpp>

#include <envsetup/util/strings.hpp>
#include <envsetup/util/suggest.hpp>

#include <algorithm>
#include <set>

namespace envsetup::fetch {

namespace {

// What frameworks and CUDA programs load at run time (the libraries PyTorch's, TensorFlow's
// and JAX's CUDA wheels pull in), plus cuDNN when the manifest is cuDNN's.
const std::vector<std::string> k_runtime = {
  "cuda_cudart", "cuda_nvrtc",  "cuda_cupti",  "cuda_nvtx",    "libcublas", "libcufft",
  "libcurand",   "libcusolver", "libcusparse", "libnvjitlink", "cudnn",
};

// Additionally needed to compile and link CUDA code (extensions, custom kernels).
const std::vector<std::string> k_devel_extra = {
  "cuda_nvcc",     "cuda_cccl",         "cuda_crt",      "libnvvm",       "cuda_cuobjdump",
  "cuda_nvdisasm", "cuda_nvprune",      "cuda_cuxxfilt", "cuda_profiler_api",
  "cuda_culibos",  "cuda_nvml_dev",
};

// Driver-level packages that a toolkit prefix must never contain.
const std::set<std::string> k_driver_level = {
  "nvidia_driver", "nvidia_fs", "fabricmanager", "libnvidia_nscq", "imex", "nvidia_imex",
};

bool has_platform(const Component& component, const std::string& platform)
{
  return component.platforms.count(platform) != 0 || component.variants.count(platform) != 0;
}

}  // namespace

std::vector<std::string> closest_components(const Manifest& manifest, const std::string& id,
                                            std::size_t count)
{
  std::vector<std::pair<std::size_t, std::string>> ranked;
  for (const auto& [name, component] : manifest.components) {
    ranked.emplace_back(util::edit_distance(id, name), name);
  }
  std::sort(ranked.begin(), ranked.end());
  std::vector<std::string> best;
  for (std::size_t i = 0; i < ranked.size() && i < count; ++i) {
    best.push_back(ranked[i].second);
  }
  return best;
}

util::Result<std::vector<std::string>> expand_components(const Manifest& manifest,
                                                         const std::string& request,
                                                         const std::string& platform)
{
  std::vector<std::string> chosen;
  auto add = [&](const std::string& id) {
    if (std::find(chosen.begin(), chosen.end(), id) == chosen.end()) {
      chosen.push_back(id);
    }
  };
  auto add_set = [&](const std::vector<std::string>& ids) {
    for (const auto& id : ids) {
      if (const auto* component = manifest.find(id); component && has_platform(*component, platform)) {
        add(id);
      }
    }
  };
  for (const auto field : util::split(request, ',')) {
    const std::string item(util::trim(field));
    if (item.empty()) {
      continue;
    }
    if (item == "runtime" || item == "devel") {
      add_set(k_runtime);
      if (item == "devel") {
        add_set(k_devel_extra);
      }
    } else if (item == "all") {
      for (const auto& [id, component] : manifest.components) {
        if (k_driver_level.count(id) == 0 && has_platform(component, platform)) {
          add(id);
        }
      }
    } else if (const auto* component = manifest.find(item)) {
      if (!has_platform(*component, platform)) {
        return util::make_error(util::ErrorKind::usage, "`" + item + "` has no archive for `" +
                                                          platform + "` in " + manifest.product + " " +
                                                          manifest.label);
      }
      add(item);
    } else {
      return util::make_error(util::ErrorKind::usage,
                              "the " + manifest.product + " manifest has no component `" + item + "`")
        .with_hint("did you mean " + util::join(closest_components(manifest, item, 3), ", ") +
                   "? (or a set: runtime, devel, all)");
    }
  }
  if (chosen.empty()) {
    return util::make_error(util::ErrorKind::usage,
                            "`--components " + request + "` selects nothing from " + manifest.product)
      .with_hint("use runtime, devel, all or component ids such as cuda_nvcc,libcublas");
  }
  return chosen;
}

}  // namespace envsetup::fetch
