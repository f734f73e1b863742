#include "kernels/elementwise/add_scalar.h"

namespace ballast {

void add_scalar(const float *a, const float *b, float *y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = a[i] + b[i];
}

void add_bias_scalar(float *x, const float *bias, int64_t rows, int64_t n) {
  for (int64_t r = 0; r < rows; ++r) {
    float *row = x + r * n;
    for (int64_t i = 0; i < n; ++i) row[i] += bias[i];
  }
}

}  // namespace ballast
