// Small NEON helpers shared by the ARM ISA translation units (matmul_q8_*.cpp,
// attention_neon.cpp): f16 widening and across-vector sums, for aarch64 and
// armv7 (-mfpu=neon-vfpv4). Include it ONLY from a file compiled with ARM ISA
// flags (cmake/BallastIsaSources.cmake): everything sits in an anonymous
// namespace, so each ISA file gets a private copy built with its own flags
// (and [[maybe_unused]]: not every file uses every helper).
#pragma once

#include <arm_neon.h>

#include <cstdint>
#include <cstring>

namespace ballast {
namespace {

[[maybe_unused]] uint16_t neon_load_u16(const uint8_t *p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

#if defined(__aarch64__)

// IEEE f16 bits -> f32 (exact; FCVT).
[[maybe_unused]] float half_to_float(uint16_t h) { return vgetq_lane_f32(vcvt_f32_f16(vreinterpret_f16_u16(vdup_n_u16(h))), 0); }

// 4 f16 at p (any alignment) -> 4 f32.
[[maybe_unused]] float32x4_t load4_f16(const uint8_t *p) { return vcvt_f32_f16(vreinterpret_f16_u8(vld1_u8(p))); }

[[maybe_unused]] float horizontal_sum(float32x4_t v) { return vaddvq_f32(v); }
[[maybe_unused]] int32_t horizontal_sum_i32(int32x4_t v) { return vaddvq_s32(v); }

#else  // armv7 NEON

// IEEE f16 bits -> f32, exact for every value including denormals. (armv7's
// vector conversion needs -mfp16-format=ieee, which the build does not set,
// and armv7 NEON flushes f32 denormals, so no multiply trick either.)
[[maybe_unused]] float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1fu;
  uint32_t mantissa = h & 0x3ffu;
  uint32_t bits;
  if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13);  // inf / NaN
  } else if (exponent != 0) {
    bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    bits = sign;  // +-0
  } else {        // denormal: mantissa * 2^-24, normalised into an f32
    exponent = 127 - 15 + 1;
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      --exponent;
    }
    bits = sign | (exponent << 23) | ((mantissa & 0x3ffu) << 13);
  }
  float v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

[[maybe_unused]] float32x4_t load4_f16(const uint8_t *p) {
  const float v[4] = {half_to_float(neon_load_u16(p)), half_to_float(neon_load_u16(p + 2)),
                      half_to_float(neon_load_u16(p + 4)), half_to_float(neon_load_u16(p + 6))};
  return vld1q_f32(v);
}

[[maybe_unused]] float horizontal_sum(float32x4_t v) {
  const float32x2_t pair = vadd_f32(vget_low_f32(v), vget_high_f32(v));
  return vget_lane_f32(vpadd_f32(pair, pair), 0);
}

[[maybe_unused]] int32_t horizontal_sum_i32(int32x4_t v) {
  const int32x2_t pair = vadd_s32(vget_low_s32(v), vget_high_s32(v));
  return vget_lane_s32(vpadd_s32(pair, pair), 0);
}

#endif

}  // namespace
}  // namespace ballast
