// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/core/plan.hpp>
#include <envsetup/util/error.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace envsetup::specgen {

// The root of PyTorch's wheel indexes; a wheel mirror replaces it.
inline constexpr std::string_view k_pytorch_wheel_root = "https://download.pytorch.org/whl/";

struct PipOptions {
  std::vector<std::string> with;            // companions to add, e.g. "torchvision", "torchaudio"
  std::optional<std::string> wheel_mirror;  // replaces k_pytorch_wheel_root (a trailing / is added)
};

// What pip must be told to install a plan, independent of how it is written down (a
// requirements file, a pip command line, a conda `pip:` section).
//
// A framework that ships its own index (PyTorch) is added with `--extra-index-url`, never
// `--index-url`: the default index stays what pip's configuration says. Its packages are
// pinned with the index's local version tag (`torch==2.5.1+cu124`), so a default index that
// offers a CPU build of the same version cannot win.
struct PipRequirements {
  std::optional<std::string> extra_index_url;  // the framework's own index, mirrored
  std::vector<std::string> requirements;       // "torch==2.5.1+cu124", in install order
  std::string framework_package;               // the distribution checked after install: "torch"
  std::string expected_version;                // its version as installed: "2.5.1+cu124"
};

// Errors (usage): a plan without packages (the bare toolkit), a `with` entry that is not a
// companion of the framework release, a wheel mirror that is not an http(s) URL.
[[nodiscard]] util::Result<PipRequirements> pip_requirements(const core::Plan& plan, const PipOptions& options);

// The numpy requirement to install next to `plan`'s framework: "numpy<2" for builds compiled
// against the NumPy 1.x ABI (torch < 2.4, tensorflow < 2.18, jax < 0.4.30; sources in
// docs/specs.md), "numpy" otherwise; empty for a plan without a framework.
[[nodiscard]] std::string numpy_requirement(const core::Plan& plan);

// `name==version` split at the first comparison operator: "torch==2.5.1" -> "torch";
// extras are kept out: "jax[cuda12]==0.4.30" -> "jax".
[[nodiscard]] std::string distribution_name(std::string_view requirement);

}  // namespace envsetup::specgen
