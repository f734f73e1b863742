// NEON RMSNorm over whole rows (see rms_norm_arm.h), aarch64 and armv7.
//
// Sum of squares: 8 partial sums in double, partial j taking the elements
// i = j mod 8 of the 8-wide body (each f32 square is exact in double, so
// every step rounds once, as scalar's), combined as
// ((s0 + s4) + (s2 + s6)) + ((s1 + s5) + (s3 + s7)), then the tail in order.
// aarch64 keeps the partials in four float64x2 lanes (FCVTL + FMLA .2d);
// armv7 NEON has no f64 lanes, so there they are eight VFP doubles. Both give
// the same bits. Scaling: (x * scale) * weight, 4 lanes per step, the same two
// f32 roundings as scalar (armv7 NEON flushes denormal inputs and results to
// zero; scalar VFP does not).
//
// Only POD types and intrinsics here: nothing with vague linkage that
// baseline code could share (cmake/BallastIsaSources.cmake).
#include <arm_neon.h>

#include "kernels/norm/rms_norm_arm.h"

namespace ballast {
namespace {

// sum of x[i]^2 over i < n, in double, in the order described above.
double sum_squares(const float *x, int64_t n) {
  int64_t i = 0;
#if defined(__aarch64__)
  float64x2_t s01 = vdupq_n_f64(0.0), s23 = s01, s45 = s01, s67 = s01;  // partials {s0, s1}, {s2, s3}, ...
  for (; i + 8 <= n; i += 8) {
    const float32x4_t a = vld1q_f32(x + i), b = vld1q_f32(x + i + 4);
    const float64x2_t a01 = vcvt_f64_f32(vget_low_f32(a)), a23 = vcvt_high_f64_f32(a);
    const float64x2_t b45 = vcvt_f64_f32(vget_low_f32(b)), b67 = vcvt_high_f64_f32(b);
    s01 = vfmaq_f64(s01, a01, a01);
    s23 = vfmaq_f64(s23, a23, a23);
    s45 = vfmaq_f64(s45, b45, b45);
    s67 = vfmaq_f64(s67, b67, b67);
  }
  // {(s0 + s4) + (s2 + s6), (s1 + s5) + (s3 + s7)}
  const float64x2_t pair = vaddq_f64(vaddq_f64(s01, s45), vaddq_f64(s23, s67));
  double sum = vgetq_lane_f64(pair, 0) + vgetq_lane_f64(pair, 1);
#else
  double s[8] = {};  // partials s0..s7
  for (; i + 8 <= n; i += 8) {
    for (int j = 0; j < 8; ++j) s[j] += static_cast<double>(x[i + j]) * x[i + j];
  }
  double sum = ((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]));
#endif
  for (; i < n; ++i) sum += static_cast<double>(x[i]) * x[i];
  return sum;
}

// One row: x [n], weight [n], y [n] (y may equal x: x is read whole before
// the first store, and each later store follows its own load).
void rms_norm_row(const float *x, const float *weight, float *y, int64_t n, float eps) {
  const float mean = static_cast<float>(sum_squares(x, n) / static_cast<double>(n));
  const float scale = 1.0f / __builtin_sqrtf(mean + eps);
  const float32x4_t scale4 = vdupq_n_f32(scale);
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    vst1q_f32(y + i, vmulq_f32(vmulq_f32(vld1q_f32(x + i), scale4), vld1q_f32(weight + i)));
  }
  for (; i < n; ++i) y[i] = x[i] * scale * weight[i];
}

}  // namespace

void rms_norm_rows_neon(const float *x, const float *weight, float *y, int64_t rows, int64_t n, float eps) {
  for (int64_t r = 0; r < rows; ++r) rms_norm_row(x + r * n, weight, y + r * n, n, eps);
}

}  // namespace ballast
