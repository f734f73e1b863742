// AVX-512 two-group tile of the repacked Q4_0 / Q5_0 / Q8_0 kernels
// (matmul_interleaved_x8_x86_impl.h's `pair_tile` hook): the rows of two
// consecutive 8-row groups in one zmm, group g in the low 256 bits and group
// g + 1 in the high. Per block and activation row that is 8 vpdpbusd on
// zmm instead of 16 on ymm, and half the broadcasts, scale products,
// conversions and FMAs: the same VNNI throughput on cores that split
// 512-bit operations (Zen 4), about half the instructions to issue
// (prefill ~1.3x on the 2-core Zen 4 VM, docs/PERFORMANCE.md "Fifth round").
// Each lane does its row's arithmetic of x8_group_tile exactly (the same
// integer block sums, then fma(float(isum), d_w * d_x, acc) in block
// order), so the results are the same bits as the 256-bit tile and the
// scalar reference.
//
// Include ONLY from the AVX-512 VNNI translation unit, after
// matmul_interleaved_x8_x86_impl.h (internal linkage, like it).
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/matmul/matmul_interleaved_x8_x86_impl.h"

namespace ballast {
namespace {

// fifth_bit_at_4 (matmul_interleaved_x8_x86_impl.h), 512 bits wide.
template <int M>
__m512i fifth_bit_at_4_512(__m512i fifth) {
  if constexpr (M <= 4) {
    return _mm512_slli_epi16(fifth, 4 - M);
  } else {
    return _mm512_srli_epi16(fifth, M - 4);
  }
}

// Q5x8Layout's units 2K (low nibbles) and 2K + 1 (high) of chunk K, 512 bits wide.
template <int K>
void q5x8_pair_chunk_units(__m512i packed, __m512i fifth, __m512i u[8]) {
  const __m512i nibble = _mm512_set1_epi8(0x0f), bit4 = _mm512_set1_epi8(0x10);
  u[2 * K] = _mm512_or_si512(_mm512_and_si512(packed, nibble), _mm512_and_si512(fifth_bit_at_4_512<2 * K>(fifth), bit4));
  u[2 * K + 1] = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(packed, 4), nibble),
                                 _mm512_and_si512(fifth_bit_at_4_512<2 * K + 1>(fifth), bit4));
}

// The 8 u8 vectors of one block of two groups (b0: group g's block, b1:
// group g + 1's), as Layout::load gives them for one group, side by side.
template <typename Layout>
void x8_pair_units(const uint8_t *b0, const uint8_t *b1, __m512i u[8]) {
  auto pair = [&](int64_t offset) {
    const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(b0 + offset));
    const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(b1 + offset));
    return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
  };
  if constexpr (Layout::kOffset == 8) {  // q4_0x8: nibbles
    const __m512i mask = _mm512_set1_epi8(0x0f);
    for (int k = 0; k < 4; ++k) {
      const __m512i packed = pair(16 + 32 * k);
      u[2 * k] = _mm512_and_si512(packed, mask);
      u[2 * k + 1] = _mm512_and_si512(_mm512_srli_epi16(packed, 4), mask);
    }
  } else if constexpr (Layout::kOffset == 16) {  // q5_0x8: nibbles + 16 x fifth bit (as Q5x8Layout::load)
    const __m512i fifth = pair(16);
    q5x8_pair_chunk_units<0>(pair(48), fifth, u);
    q5x8_pair_chunk_units<1>(pair(80), fifth, u);
    q5x8_pair_chunk_units<2>(pair(112), fifth, u);
    q5x8_pair_chunk_units<3>(pair(144), fifth, u);
  } else {  // q8_0x8: bytes
    for (int k = 0; k < 8; ++k) u[k] = pair(16 + 32 * k);
  }
}

// The 16 rows' block integers against one activation block (bx), two
// chains of 4 dots (integer sums: the split changes no bit).
template <typename Layout>
__m512i x8_pair_block_sums(const __m512i u[8], const uint8_t *bx, int16_t x_sum) {
  auto x = [bx](int m) { return _mm512_set1_epi32(load_i32(bx + 2 + Layout::x_offset(m))); };
  __m512i a = _mm512_set1_epi32(-Layout::kOffset * static_cast<int32_t>(x_sum));
  __m512i b = _mm512_dpbusd_epi32(_mm512_setzero_si512(), u[2], x(2));
  a = _mm512_dpbusd_epi32(a, u[0], x(0));
  b = _mm512_dpbusd_epi32(b, u[3], x(3));
  a = _mm512_dpbusd_epi32(a, u[1], x(1));
  b = _mm512_dpbusd_epi32(b, u[6], x(6));
  a = _mm512_dpbusd_epi32(a, u[4], x(4));
  b = _mm512_dpbusd_epi32(b, u[7], x(7));
  a = _mm512_dpbusd_epi32(a, u[5], x(5));
  return _mm512_add_epi32(a, b);
}

// Rows [8g, 8g + 16) against kCount (1..4) activation rows: y[j][0..16).
template <typename Layout, int kCount>
void x8_pair_tile_avx512vnni(const uint8_t *group, int64_t group_bytes, int64_t blocks, const uint8_t *x,
                             int64_t activation_row, float (*y)[16]) {
  __m512 acc[kCount];
  for (int j = 0; j < kCount; ++j) acc[j] = _mm512_setzero_ps();
  const uint8_t *sums = x + blocks * kX8XBlock;  // row 0's int16 block sums
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t *b0 = group + b * Layout::kBlock;
    const uint8_t *b1 = b0 + group_bytes;
    __m512i u[8];
    x8_pair_units<Layout>(b0, b1, u);
    const __m256i scales = _mm256_inserti128_si256(
        _mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i *>(b0))),
        _mm_loadu_si128(reinterpret_cast<const __m128i *>(b1)), 1);
    const __m512 d_w = _mm512_cvtph_ps(scales);
    for (int j = 0; j < kCount; ++j) {
      const uint8_t *bx = x + j * activation_row + b * kX8XBlock;
      uint16_t dx_bits;
      std::memcpy(&dx_bits, bx, sizeof dx_bits);
      const __m512i isum = x8_pair_block_sums<Layout>(u, bx, load_i16(sums + j * activation_row + 2 * b));
      const __m512 scale = _mm512_mul_ps(d_w, _mm512_set1_ps(_cvtsh_ss(dx_bits)));
      acc[j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), scale, acc[j]);
    }
  }
  for (int j = 0; j < kCount; ++j) _mm512_storeu_ps(y[j], acc[j]);
}

}  // namespace
}  // namespace ballast
