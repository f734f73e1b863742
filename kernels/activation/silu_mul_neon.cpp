// NEON SiLU * up (see silu_mul_arm.h), aarch64 and armv7:
// silu(g) = g / (1 + exp(-g)), 4 lanes per vector, two vectors per step
// (independent chains for the in-order A53 / A7), then one vector, then the
// last 1..3 elements through a padded lane buffer.
//
// exp: exp_clamped_neon (kernels/activation/exp_neon.h, as exp_avx2.h).
// Division: FDIV on aarch64 (correctly rounded, as AVX2's). armv7 NEON has
// no vector divide: the reciprocal estimate (8 bits) and two Newton steps
// give r ~ 1/d within a few ulp, q = g * r, then one FMA correction
// q + (g - q d) r brings q to within ~1 ulp of g / d. For d above ~8.5e37
// (g below ~ -87, where scalar gives |silu| < 1e-36) 1/d is an f32 denormal,
// which armv7 NEON flushes: the result is 0.
//
// Only POD types and intrinsics here: nothing with vague linkage that
// baseline code could share (cmake/BallastIsaSources.cmake).
#include <arm_neon.h>

#include "kernels/activation/exp_neon.h"
#include "kernels/activation/silu_mul_arm.h"

#if !defined(__aarch64__) && !defined(__ARM_FEATURE_FMA)
#error "silu_mul_neon.cpp needs NEON with FMA (armv7: -mfpu=neon-vfpv4, the neon flags of cmake/BallastIsaSources.cmake)"
#endif

namespace ballast {
namespace {

// a / b, for b >= 1.
float32x4_t divide(float32x4_t a, float32x4_t b) {
#if defined(__aarch64__)
  return vdivq_f32(a, b);
#else
  float32x4_t r = vrecpeq_f32(b);
  r = vmulq_f32(r, vrecpsq_f32(b, r));  // r (2 - b r)
  r = vmulq_f32(r, vrecpsq_f32(b, r));
  const float32x4_t q = vmulq_f32(a, r);
  return vfmaq_f32(q, vfmsq_f32(a, q, b), r);  // q + (a - q b) r
#endif
}

float32x4_t silu_mul4(float32x4_t g, float32x4_t up) {
  // 0 - g, not vnegq_f32: GCC lowers armv7's vnegq_f32 (a plain vector
  // negation) lane by lane through the stack.
  const float32x4_t e = exp_clamped_neon(vsubq_f32(vdupq_n_f32(0.0f), g));
  return vmulq_f32(divide(g, vaddq_f32(vdupq_n_f32(1.0f), e)), up);
}

}  // namespace

void silu_mul_neon(const float *gate, const float *up, float *y, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const float32x4_t a = silu_mul4(vld1q_f32(gate + i), vld1q_f32(up + i));
    const float32x4_t b = silu_mul4(vld1q_f32(gate + i + 4), vld1q_f32(up + i + 4));
    vst1q_f32(y + i, a);
    vst1q_f32(y + i + 4, b);
  }
  if (i + 4 <= n) {
    vst1q_f32(y + i, silu_mul4(vld1q_f32(gate + i), vld1q_f32(up + i)));
    i += 4;
  }
  if (i < n) {  // 1..3 left: through a padded lane buffer (gate and y may alias)
    float g[4] = {}, u[4] = {}, out[4];  // [lane]
    for (int64_t j = 0; j < n - i; ++j) {
      g[j] = gate[i + j];
      u[j] = up[i + j];
    }
    vst1q_f32(out, silu_mul4(vld1q_f32(g), vld1q_f32(u)));
    for (int64_t j = 0; j < n - i; ++j) y[i + j] = out[j];
  }
}

}  // namespace ballast
