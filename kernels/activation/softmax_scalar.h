// Numerically stable softmax, scalar reference: y[i] = exp(x[i] - max) / sum.
// The sum is accumulated in double. -inf inputs (masked positions) give 0; if
// every input is -inf the output is all zeros rather than NaN. y may equal x.
// No allocation.
#pragma once

#include <cstdint>

namespace ballast {

// x [n], y [n] (f32), n >= 1.
using SoftmaxFn = void (*)(const float *x, float *y, int64_t n);
void softmax_scalar(const float *x, float *y, int64_t n);

}  // namespace ballast
