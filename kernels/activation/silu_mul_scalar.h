// SwiGLU feed-forward activation, scalar reference: y = silu(gate) * up,
// silu(g) = g / (1 + exp(-g)). y may equal gate or up. No allocation.
#pragma once

#include <cstdint>

namespace ballast {

// gate [n], up [n], y [n] (f32).
using SiluMulFn = void (*)(const float *gate, const float *up, float *y, int64_t n);
void silu_mul_scalar(const float *gate, const float *up, float *y, int64_t n);

}  // namespace ballast
