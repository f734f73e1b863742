// Elementwise adds, scalar reference. No allocation.
#pragma once

#include <cstdint>

namespace ballast {

// Residual add: y[i] = a[i] + b[i]; a [n], b [n], y [n]. y may equal a or b.
using AddFn = void (*)(const float *a, const float *b, float *y, int64_t n);
void add_scalar(const float *a, const float *b, float *y, int64_t n);

// Bias add (qwen2 q/k/v), in place over a batch: x[r][i] += bias[i];
// x [rows][n], bias [n].
using AddBiasFn = void (*)(float *x, const float *bias, int64_t rows, int64_t n);
void add_bias_scalar(float *x, const float *bias, int64_t rows, int64_t n);

}  // namespace ballast
