// Scalar, bit-exact conversions between f32 and the two 16-bit float formats
// GGUF uses: IEEE binary16 ("f16", ggml_half) and bfloat16 ("bf16").
// f32 -> 16 bit rounds to nearest, ties to even; overflow gives inf;
// denormals are produced and read exactly; NaN stays NaN (payload kept where
// it fits, otherwise a quiet NaN). 16 bit -> f32 is always exact.
#pragma once

#include <cstdint>
#include <cstring>

namespace ballast {

inline uint32_t f32_bits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

inline float f32_from_bits(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

inline float f16_to_f32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1fu;
  uint32_t mantissa = h & 0x3ffu;
  if (exponent == 0x1f) return f32_from_bits(sign | 0x7f800000u | (mantissa << 13));  // inf / NaN
  if (exponent == 0) {
    if (mantissa == 0) return f32_from_bits(sign);  // +-0
    // Denormal: value = mantissa * 2^-24; normalise into an f32.
    uint32_t f32_exponent = 127 - 15 + 1;
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      --f32_exponent;
    }
    return f32_from_bits(sign | (f32_exponent << 23) | ((mantissa & 0x3ffu) << 13));
  }
  return f32_from_bits(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
}

inline uint16_t f32_to_f16(float value) {
  const uint32_t bits = f32_bits(value);
  const uint32_t sign = (bits >> 16) & 0x8000u;
  const uint32_t magnitude = bits & 0x7fffffffu;
  if (magnitude > 0x7f800000u) {  // NaN: keep the top payload bits, stay a NaN
    const uint32_t payload = (magnitude >> 13) & 0x3ffu;
    return static_cast<uint16_t>(sign | 0x7c00u | (payload != 0 ? payload : 0x200u));
  }
  // 65520 = halfway between 65504 (largest f16) and 65536: ties go to even = inf.
  if (magnitude >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);
  if (magnitude < 0x38800000u) {  // below 2^-14: f16 denormal (or zero)
    const uint32_t f32_exponent = magnitude >> 23;
    if (f32_exponent < 102) return static_cast<uint16_t>(sign);  // < 2^-25: rounds to zero
    // value = significand * 2^(e-150); in units of 2^-24 that is significand >> (126 - e).
    const uint32_t significand = (magnitude & 0x7fffffu) | 0x800000u;
    const uint32_t shift = 126 - f32_exponent;  // 1..24
    uint32_t result = significand >> shift;
    const uint32_t remainder = significand & ((1u << shift) - 1);
    const uint32_t half = 1u << (shift - 1);
    if (remainder > half || (remainder == half && (result & 1u))) ++result;  // may carry into the smallest normal: still right
    return static_cast<uint16_t>(sign | result);
  }
  uint32_t result = (magnitude >> 13) - ((127u - 15u) << 23 >> 13);
  const uint32_t remainder = magnitude & 0x1fffu;
  if (remainder > 0x1000u || (remainder == 0x1000u && (result & 1u))) ++result;  // carry into exponent is correct
  return static_cast<uint16_t>(sign | result);
}

inline float bf16_to_f32(uint16_t h) { return f32_from_bits(static_cast<uint32_t>(h) << 16); }

inline uint16_t f32_to_bf16(float value) {
  const uint32_t bits = f32_bits(value);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x40u);  // quiet NaN
  const uint32_t rounding = 0x7fffu + ((bits >> 16) & 1u);  // ties to even
  return static_cast<uint16_t>((bits + rounding) >> 16);
}

}  // namespace ballast
