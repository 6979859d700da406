// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

namespace envsetup::matrix {

// One defect found in a matrix file: which file, where in it (RFC 6901 JSON
// pointer, e.g.
// `/releases/3/variants/0/cuda`) and what is wrong.
struct Problem {
  std::string file;
  std::string pointer;
  std::string message;
};

using Problems = std::vector<Problem>;

}  // namespace envsetup::matrix
