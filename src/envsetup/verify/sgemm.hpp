// SPDX-License-Identifier: Apache-2.0
// The CPU side of the GPU matmul check: test matrices, the reference product and the
// comparison with its error bound (docs/verify.md). Pure: no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace envsetup::verify {

// Row-major fp32 `rows` x `cols` matrix with entries uniform in [-1, 1), the same for the
// same `seed` on every machine (a fixed linear congruential generator, not <random>).
[[nodiscard]] std::vector<float> random_matrix(int rows, int cols, std::uint64_t seed);

// The exact-as-double product of row-major A (m x k) and B (k x n), and for each element of C
// the magnitude sum over i of |a_ri * b_ic| that the error bound is relative to.
struct Reference {
  std::vector<double> product;
  std::vector<double> magnitude;
};
[[nodiscard]] Reference reference_sgemm(const std::vector<float>& a, const std::vector<float>& b,
                                        int m, int n, int k);

// The largest error allowed for an fp32 dot product of length `k` computed with fused
// multiply-adds in any order, relative to sum |a_i * b_i|: k * 2^-23 (= 2k unit roundoffs,
// safely above the classic gamma_k = k*u / (1 - k*u) bound; docs/verify.md).
[[nodiscard]] double error_bound(int k);

struct Comparison {
  double max_relative_error = 0.0;  // max over elements of |c - ref| / magnitude
  std::size_t worst_index = 0;      // where it occurred (row-major)
  std::size_t bad_elements = 0;     // elements above the bound (NaN and inf included)
};

// Compares `c` (the GPU's m x n result) with `reference`. An element whose magnitude is 0
// must be exactly 0; a NaN or infinite element counts as an infinite error.
[[nodiscard]] Comparison compare(const std::vector<float>& c, const Reference& reference,
                                 double bound);

}  // namespace envsetup::verify
