// AVX2 (+F16C) activation converters for the x86 matmul variants: f32 rows to
// Q8_0 blocks and to f16, producing exactly the bytes of the scalar
// converters (quantize_activations_q8_0 in activation_quant_scalar.cpp,
// quantize_row_f16 in kernels/quant/float_rows.cpp). Include it ONLY from an
// ISA translation unit (matmul_q8_avx2.cpp, ...): everything is in an
// anonymous namespace (see matmul_q8_x86_impl.h for why).
//
// Why the bytes match:
//  - max |x| is order-independent, d = max / 127 and 1 / d are the same scalar
//    f32 operations, and q = x * (1 / d) is the same f32 product;
//  - lround (halves away from zero) is done exactly: t = trunc(q), f = q - t
//    (exact for |q| < 2^23), then t + sign(q) where |f| >= 0.5;
//  - f32 -> f16 is vcvtps2ph with round-to-nearest-even, as f32_to_f16
//    (infinities and denormals alike; only a NaN's payload bits may differ).
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/quant/blocks.h"

namespace ballast {
namespace {

// lround(q) for |q| < 2^23, 8 lanes, as int32.
__m256i round_half_away(__m256 q) {
  const __m256 sign_bit = _mm256_set1_ps(-0.0f);
  const __m256 truncated = _mm256_round_ps(q, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m256 fraction = _mm256_andnot_ps(sign_bit, _mm256_sub_ps(q, truncated));  // |q - trunc(q)|, exact
  const __m256 away = _mm256_cmp_ps(fraction, _mm256_set1_ps(0.5f), _CMP_GE_OQ);
  const __m256 step = _mm256_and_ps(away, _mm256_or_ps(_mm256_and_ps(q, sign_bit), _mm256_set1_ps(1.0f)));  // +-1 or 0
  return _mm256_cvttps_epi32(_mm256_add_ps(truncated, step));
}

float horizontal_max(__m256 v) {
  const __m128 max4 = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 max2 = _mm_max_ps(max4, _mm_movehl_ps(max4, max4));
  return _mm_cvtss_f32(_mm_max_ss(max2, _mm_movehdup_ps(max2)));
}

// x [n] f32 -> n / 32 Q8_0 blocks (n a multiple of 32).
void quantize_activations_q8_0_x86(const float *x, void *blocks, int64_t n) {
  uint8_t *dst = static_cast<uint8_t *>(blocks);
  const __m256 sign_bit = _mm256_set1_ps(-0.0f);
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);  // undoes the lane interleaving of the packs
  for (int64_t b = 0; b < n / kQuantBlock; ++b) {
    const float *bx = x + b * kQuantBlock;  // [32]
    __m256 v[4];
    for (int j = 0; j < 4; ++j) v[j] = _mm256_loadu_ps(bx + 8 * j);
    const __m256 max_abs = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(sign_bit, v[0]), _mm256_andnot_ps(sign_bit, v[1])),
                                         _mm256_max_ps(_mm256_andnot_ps(sign_bit, v[2]), _mm256_andnot_ps(sign_bit, v[3])));
    const float d = horizontal_max(max_abs) / 127.0f;
    const float inverse = d != 0.0f ? 1.0f / d : 0.0f;
    const __m256 scale = _mm256_set1_ps(inverse);
    __m256i q[4];  // [4][8] int32 in -127..127
    for (int j = 0; j < 4; ++j) q[j] = round_half_away(_mm256_mul_ps(v[j], scale));
    const __m256i words = _mm256_packs_epi32(q[0], q[1]);   // per 128-bit lane: 4 of q0, 4 of q1
    const __m256i words2 = _mm256_packs_epi32(q[2], q[3]);
    const __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(words, words2), order);
    uint8_t *block = dst + b * static_cast<int64_t>(sizeof(BlockQ8_0));
    const uint16_t d_half = _cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT);
    std::memcpy(block, &d_half, sizeof d_half);
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(block + 2), bytes);
  }
}

// x [n] f32 -> [n] f16, round to nearest even.
void quantize_activations_f16_x86(const float *x, void *out, int64_t n) {
  uint8_t *dst = static_cast<uint8_t *>(out);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i halves = _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT);
    _mm_storeu_si128(reinterpret_cast<__m128i *>(dst + 2 * i), halves);
  }
  for (; i < n; ++i) {
    const uint16_t h = _cvtss_sh(x[i], _MM_FROUND_TO_NEAREST_INT);
    std::memcpy(dst + 2 * i, &h, sizeof h);
  }
}

}  // namespace
}  // namespace ballast
