// SPDX-License-Identifier: Apache-2.0
#include <envsetup/specgen/pip_requirements.hpp>

#include <array>

namespace envsetup::specgen {

namespace {

// The first release of each framework built against NumPy 2.0 (so it runs with NumPy 1 and 2):
// torch 2.3.0 was validated with numpy 2.0.0rc1 (pytorch/pytorch#107302) but users still hit
// the NumPy 1.x ABI error with 2.3.x (same thread, meta-pytorch/botorch#3310), so 2.4;
// TensorFlow 2.18 (its release notes: "TensorFlow now supports NumPy 2.0"); jaxlib 0.4.30, the
// first release after jax-ml/jax#21922 "Use NumPy 2.0.0 ... in builds".
struct NumpyTwoFrom {
  std::string_view framework;
  std::string_view version;
};
constexpr std::array k_numpy_two_from{
  NumpyTwoFrom{"torch", "2.4"},
  NumpyTwoFrom{"tensorflow", "2.18"},
  NumpyTwoFrom{"jax", "0.4.30"},
};

}  // namespace

std::string numpy_requirement(const core::Plan& plan)
{
  if (!plan.version) {
    return "";
  }
  for (const auto& entry : k_numpy_two_from) {
    if (entry.framework == plan.framework) {
      const auto first = core::Version::parse(entry.version);
      if (first && *plan.version < *first) {
        return "numpy<2";
      }
    }
  }
  return "numpy";
}

}  // namespace envsetup::specgen
