#include "kernels/norm/rms_norm_scalar.h"

#include <cmath>

namespace ballast {

void rms_norm_scalar(const float *x, const float *weight, float *y, int64_t n, float eps) {
  double sum_squares = 0.0;
  for (int64_t i = 0; i < n; ++i) sum_squares += static_cast<double>(x[i]) * x[i];
  const float mean = static_cast<float>(sum_squares / static_cast<double>(n));
  const float scale = 1.0f / std::sqrt(mean + eps);
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] * scale * weight[i];
}

void rms_norm_rows_scalar(const float *x, const float *weight, float *y, int64_t rows, int64_t n, float eps) {
  for (int64_t r = 0; r < rows; ++r) rms_norm_scalar(x + r * n, weight, y + r * n, n, eps);
}

}  // namespace ballast
