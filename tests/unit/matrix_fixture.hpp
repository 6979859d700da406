// SPDX-License-Identifier: Apache-2.0
// Test helpers: the real (embedded) matrix and the small fixture matrix of
// tests/data.
#pragma once

#include <envsetup/core/host.hpp>
#include <envsetup/core/plan.hpp>
#include <envsetup/core/request.hpp>
#include <envsetup/matrix/load.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace envsetup::testing {

// The matrix compiled into envsetup (the one users get). Loaded once; aborts
// the test on a load failure.
const matrix::Matrix& real_matrix();

// tests/data/matrix-minimal: a hand-made matrix whose numbers the rule tests
// control.
const matrix::Matrix& minimal_matrix();

// The files of tests/data/matrix-minimal, for tests that break them.
std::vector<matrix::SourceFile> minimal_matrix_files();

// The fixture files with `file` changed: `patch` is an RFC 6902 JSON patch
// (text starting with `[{`) or the file's whole new text; `file` + ".missing"
// removes that file.
std::vector<matrix::SourceFile> patched_minimal_files(const std::string& file, const std::string& patch);

// What parse_matrix reports for patched_minimal_files(file, patch).
matrix::Problems problems_after_patch(const std::string& file, const std::string& patch);

// A host from a driver ("" = no driver) and compute capabilities ("8.6").
core::HostFacts host(const std::string& driver, const std::vector<std::string>& gpus);

// A request from "torch==2.5.1"-style text, with optional Python and CUDA pins.
core::Request request(const std::string& framework, const std::string& python = "", const std::string& cuda = "",
                      bool cpu = false);

// The chosen candidate as "torch 2.5.1 cu124" / "CUDA 12.4.1", or "" when there
// is no plan.
std::string chosen_name(const core::Resolution& resolution);

}  // namespace envsetup::testing
