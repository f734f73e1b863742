// Small helpers shared by the scalar quantizers (internal to kernels/quant).
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/quant/float16.h"

namespace ballast {
namespace quant_detail {

// Round to nearest (ties upward), clamped to [lo, hi]. NaN -> lo.
// Branch-free and libm-free (so loops using it vectorise): after clamping,
// value - lo >= 0, so truncating value - lo + 0.5 is floor, i.e. round-half-up.
inline int round_clamped(float value, int lo, int hi) {
  const float low = static_cast<float>(lo), high = static_cast<float>(hi);
  float v = value > low ? value : low;  // NaN compares false -> low
  v = v < high ? v : high;
  return lo + static_cast<int>(v - low + 0.5f);
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
