// Small helpers shared by the scalar quantizers (internal to kernels/quant).
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/quant/float16.h"

namespace ballast {
namespace quant_detail {

// Round to nearest (ties away from zero), clamped to [lo, hi]. NaN -> lo.
inline int round_clamped(float value, int lo, int hi) {
  if (!(value > static_cast<float>(lo))) return lo;
  if (value >= static_cast<float>(hi)) return hi;
  return static_cast<int>(std::lround(value));
}

// The element of x[0..count) with the largest magnitude, sign kept (0 if all zero).
inline float signed_absmax(const float *x, int count) {
  float best = 0.0f;
  for (int i = 0; i < count; ++i) {
    if (std::fabs(x[i]) > std::fabs(best)) best = x[i];
  }
  return best;
}

// 1/d, or 0 when d is 0 (then every quant maps to the zero point).
inline float safe_inverse(float d) { return d != 0.0f ? 1.0f / d : 0.0f; }

// A scale as it will be stored: rounded to f16, clamped to the largest finite
// f16 so that huge inputs saturate instead of producing inf * 0 = NaN.
inline uint16_t f16_scale(float d) {
  const float limit = 65504.0f;
  if (d > limit) d = limit;
  if (d < -limit) d = -limit;
  return f32_to_f16(d);
}

}  // namespace quant_detail
}  // namespace ballast
