#include "kernels/activation/softmax_scalar.h"

#include <cmath>

namespace ballast {

void softmax_scalar(const float *x, float *y, int64_t n) {
  float max_value = -INFINITY;
  for (int64_t i = 0; i < n; ++i) max_value = x[i] > max_value ? x[i] : max_value;
  if (max_value == -INFINITY) {  // everything masked
    for (int64_t i = 0; i < n; ++i) y[i] = 0.0f;
    return;
  }
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const float e = std::exp(x[i] - max_value);
    y[i] = e;
    sum += e;
  }
  const float inverse = static_cast<float>(1.0 / sum);  // sum >= 1: the max contributes exp(0)
  for (int64_t i = 0; i < n; ++i) y[i] *= inverse;
}

}  // namespace ballast
