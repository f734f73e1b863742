// exp() over 4 floats for NEON translation units (attention_neon.cpp), aarch64
// and armv7 (-mfpu=neon-vfpv4). Include ONLY from files compiled with ARM ISA
// flags; the function has internal linkage (anonymous namespace), so no
// baseline code can end up calling a NEON copy (cmake/BallastIsaSources.cmake).
//
// The same method and constants as exp_avx2.h: exp(x) for x clamped to
// [-87, 88] is 2^n * e^r, n = round(x / ln2), r = x - n ln2 in
// [-ln2/2, ln2/2] (ln2 in two parts so r is exact), e^r by its degree-6
// Taylor polynomial (relative error ~2e-7). The clamp keeps 2^n a normal
// float: inputs below -87 give ~1.6e-38 instead of a denormal or zero (armv7
// NEON flushes denormals anyway), inputs above 88 give ~1.7e38 instead of
// infinity.
#pragma once

#include <arm_neon.h>

namespace ballast {
namespace {

[[maybe_unused]] inline float32x4_t exp_clamped_neon(float32x4_t x) {
  x = vminq_f32(vmaxq_f32(x, vdupq_n_f32(-87.0f)), vdupq_n_f32(88.0f));
  const float32x4_t t = vmulq_f32(x, vdupq_n_f32(1.44269504088896341f));
#if defined(__aarch64__)
  const float32x4_t n = vrndnq_f32(t);  // round to nearest, ties to even (FRINTN)
#else
  // armv7 has no vector round: adding and subtracting 1.5 * 2^23 rounds
  // |t| < 2^22 to the nearest integer (ties to even), as FRINTN does.
  const float32x4_t magic = vdupq_n_f32(12582912.0f);
  const float32x4_t n = vsubq_f32(vaddq_f32(t, magic), magic);
#endif
  float32x4_t r = vfmsq_f32(x, n, vdupq_n_f32(0.693359375f));  // x - n * ln2_hi
  r = vfmsq_f32(r, n, vdupq_n_f32(-2.12194440e-4f));            //   - n * ln2_lo
  float32x4_t p = vdupq_n_f32(1.0f / 720.0f);
  p = vfmaq_f32(vdupq_n_f32(1.0f / 120.0f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.0f / 24.0f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.0f / 6.0f), p, r);
  p = vfmaq_f32(vdupq_n_f32(0.5f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.0f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.0f), p, r);
  // n is an exact integer in [-126, 127]: 2^n from its biased exponent.
  const int32x4_t two_n = vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(n), vdupq_n_s32(127)), 23);
  return vmulq_f32(p, vreinterpretq_f32_s32(two_n));
}

}  // namespace
}  // namespace ballast
