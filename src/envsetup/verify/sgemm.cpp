// SPDX-License-Identifier: Apache-2.0
#include <envsetup/verify/sgemm.hpp>

#include <cmath>
#include <limits>

namespace envsetup::verify {

std::vector<float> random_matrix(int rows, int cols, std::uint64_t seed)
{
  std::vector<float> values(static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols));
  std::uint64_t state = seed * 0x9E3779B97F4A7C15ULL + 1;
  for (auto& value : values) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;  // Knuth's MMIX LCG
    const auto top24 = static_cast<double>(state >> 40);             // 24 random bits
    value = static_cast<float>(top24 / 8388608.0 - 1.0);              // [-1, 1), exact in fp32
  }
  return values;
}

Reference reference_sgemm(const std::vector<float>& a, const std::vector<float>& b, int m, int n,
                          int k)
{
  const auto rows = static_cast<std::size_t>(m);
  const auto cols = static_cast<std::size_t>(n);
  const auto depth = static_cast<std::size_t>(k);
  Reference reference;
  reference.product.assign(rows * cols, 0.0);
  reference.magnitude.assign(rows * cols, 0.0);
  // i-k-j order: the inner loop walks rows of B and C contiguously.
  for (std::size_t i = 0; i < rows; ++i) {
    double* product = &reference.product[i * cols];
    double* magnitude = &reference.magnitude[i * cols];
    for (std::size_t p = 0; p < depth; ++p) {
      const double a_ip = a[i * depth + p];
      const float* b_row = &b[p * cols];
      for (std::size_t j = 0; j < cols; ++j) {
        const double term = a_ip * static_cast<double>(b_row[j]);  // exact: 24 x 24 bits
        product[j] += term;
        magnitude[j] += std::fabs(term);
      }
    }
  }
  return reference;
}

double error_bound(int k)
{
  return static_cast<double>(k) * std::ldexp(1.0, -23);
}

Comparison compare(const std::vector<float>& c, const Reference& reference, double bound)
{
  Comparison comparison;
  for (std::size_t index = 0; index < reference.product.size(); ++index) {
    const double value = index < c.size() ? c[index] : std::numeric_limits<double>::quiet_NaN();
    const double difference = std::fabs(value - reference.product[index]);
    double error = 0.0;
    if (!std::isfinite(value)) {
      error = std::numeric_limits<double>::infinity();
    } else if (reference.magnitude[index] > 0.0) {
      error = difference / reference.magnitude[index];
    } else if (difference > 0.0) {
      error = std::numeric_limits<double>::infinity();
    }
    if (error > bound) {
      ++comparison.bad_elements;
    }
    if (error > comparison.max_relative_error || index == 0) {
      comparison.max_relative_error = error;
      comparison.worst_index = index;
    }
  }
  return comparison;
}

}  // namespace envsetup::verify
