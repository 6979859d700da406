// SPDX-License-Identifier: Apache-2.0
// The matrix's claims about wheels, checked against what an index lists. Pure: the caller
// fetches the pages (app/index_check) and hands them over.
#pragma once

#include <envsetup/matrix/model.hpp>
#include <envsetup/pyindex/wheel_name.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace envsetup::pyindex {

inline constexpr std::string_view k_pypi_root = "https://pypi.org/simple/";
inline constexpr std::string_view k_pytorch_root = "https://download.pytorch.org/whl/";

// The index a variant's wheels come from, ending in `/`: its index_url (PyTorch's), or PyPI.
// `root` (`--index`) replaces https://download.pytorch.org/whl/ in an index_url (as
// --wheel-mirror does) and stands for PyPI itself.
[[nodiscard]] std::string index_of(const matrix::Variant& variant, const std::optional<std::string>& root);

// The normalized distribution of a variant's first package: "tensorflow[and-cuda]=={version}" -> "tensorflow".
[[nodiscard]] std::string project_of(const matrix::Variant& variant);

// INDEX + PROJECT + "/": the PEP 503 project page.
[[nodiscard]] std::string page_url(const std::string& index, const std::string& project);

// The version a wheel of this build carries: the pip spelling (2.15.0.post1) plus, for an
// index_url, its local tag: "2.5.1+cu124".
[[nodiscard]] std::string wheel_version(const matrix::FrameworkRelease& release, const core::Version& version,
                                        const matrix::Variant& variant);

// One project page as read: `found` false when the index has no such project (HTTP 404).
struct Listing {
  bool found = false;
  std::vector<WheelName> wheels;  // the page's wheel files (other files are dropped)
};
using Listings = std::map<std::string, Listing>;  // by page_url

// One claim of the matrix the index contradicts.
struct Contradiction {
  std::string framework;
  std::string version;                  // "2.5.1"
  std::string variant;                  // "cu124"
  std::optional<std::string> python;    // "3.13", for a Python claim
  std::optional<std::string> platform;  // "linux-aarch64", for a platform or glibc claim
  std::string claim;                    // what the matrix says
  std::string found;                    // what the index has
};

struct ClaimReport {
  std::size_t checked = 0;  // builds (release version x variant) looked at
  std::vector<Contradiction> contradictions;
};

// Every page check_claims reads for `framework` (each once, in matrix order).
[[nodiscard]] std::vector<std::string> pages_for(const matrix::Framework& framework,
                                                 const std::optional<std::string>& root);

// For every version x variant of `framework`: a wheel of that version exists; one for the
// variant's platform; one for every CPython from python_min to python_max; and the
// lowest manylinux glibc that serves a Python is no newer than the variant's `glibc`.
// A page missing from `listings` counts as empty.
[[nodiscard]] ClaimReport check_claims(const matrix::Matrix& matrix, const matrix::Framework& framework,
                                       const Listings& listings, const std::optional<std::string>& root);

// Whether `wheels` hold a wheel pip would install for `project`==`version` on CPython
// `python`, `platform`, glibc `glibc` (unset: unknown, not checked). Nullopt when one does;
// else the reason, e.g. "no cp313 wheel for torch 2.5.1+cu124 on the index".
[[nodiscard]] std::optional<std::string> missing_wheel(const std::vector<WheelName>& wheels, const std::string& project,
                                                       const std::string& version, const core::Version& python,
                                                       core::Platform platform,
                                                       const std::optional<core::Version>& glibc);

}  // namespace envsetup::pyindex
