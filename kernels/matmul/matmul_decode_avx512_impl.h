// 512-bit decode (batch 1) bodies for Q4_0, Q8_0 and F16 weights, shared by
// the AVX-512 translation units (matmul_q8_avx512.cpp, matmul_q8_avx512vnni.cpp).
// Include it ONLY from such a file, after matmul_q8_x86_impl.h: everything here
// sits in an anonymous namespace (see that header for why).
//
// The including file defines a policy type with
//   static __m512i dot_u8s8(__m512i acc, __m512i u, __m512i s);
//     // acc + 16 x int32 sums of 4 products u[i] (unsigned) * s[i] (signed),
//     // exact for the u values it is used with (VNNI: vpdpbusd, any u;
//     // maddubs + madd: u <= 128 only, so Q8_0 needs VNNI)
//
// One weight row at a time, two consecutive blocks per zmm (block b in the
// low 256 bits, b + 1 in the high ones). Each half is exactly the ymm that
// the 256-bit row_dot of matmul_q8_x86_impl.h computes for that block (same 8
// int32 lane sums, same f32 scale product), and the f32 accumulation stays
// that row_dot's chain of 256-bit fused multiply-adds, block after block, so
// decode equals row_dot -- and the batched (prefill) kernels built on it --
// bit for bit. The integer work (unpacking, dots, conversion, scale products)
// is what gets wider.
//
// Why one row at a time: passes over 2 or 4 interleaved rows (sharing the
// activation loads) measured 2x SLOWER for Q8_0 and F16 on the Zen 4
// development VM, whatever the prefetching (docs/PERFORMANCE.md).
//
// Weights enter the dot UNSIGNED: Q4_0 nibbles as 0..15, Q8_0 bytes as
// w + 128 (w xor 0x80). Each lane starts at -offset * (sum of its 4
// activations), taken with the same dot against a constant, so every lane
// sum equals the signed one exactly.
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "kernels/matmul/matmul_q8_x86_impl.h"
#include "kernels/quant/blocks.h"

namespace ballast {
namespace {

__m256 high_half(__m512 v) { return _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)); }

// The f16 scales of two consecutive blocks (`block_bytes` apart) -> [s0 x 8 | s1 x 8].
// Two scalar loads: a masked 512-bit load of the same words measured 20%
// slower decode on Zen 4 for memory-bound rows (TinyLlama shape).
__m512 pair_scales(const uint8_t *blocks, int64_t block_bytes) {
  const uint32_t both =
      static_cast<uint32_t>(load_u16(blocks)) | static_cast<uint32_t>(load_u16(blocks + block_bytes)) << 16;
  const __m128 two = _mm_cvtph_ps(_mm_cvtsi32_si128(static_cast<int>(both)));
  const __m512i spread = _mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0);
  return _mm512_permutexvar_ps(spread, _mm512_zextps128_ps512(two));
}

// Two consecutive 34-byte blocks' 32-byte quants: [64] int8, block 0 low.
__m512i load_q8_0_pair(const uint8_t *blocks) {
  const __m256i first = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(blocks + 2));
  const __m256i second = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(blocks + sizeof(BlockQ8_0) + 2));
  return _mm512_inserti64x4(_mm512_zextsi256_si512(first), second, 1);
}

// Two consecutive Q4_0 blocks -> [b0 low nibbles | b0 high | b1 low | b1 high] as u8 0..15.
__m512i load_q4_0_pair(const uint8_t *blocks) {
  const __m128i first = _mm_loadu_si128(reinterpret_cast<const __m128i *>(blocks + 2));
  const __m128i second = _mm_loadu_si128(reinterpret_cast<const __m128i *>(blocks + sizeof(BlockQ4_0) + 2));
  const __m512i both = _mm512_zextsi256_si512(_mm256_inserti128_si256(_mm256_castsi128_si256(first), second, 1));
  const __m512i twice = _mm512_shuffle_i64x2(both, both, _MM_SHUFFLE(1, 1, 0, 0));  // [b0, b0, b1, b1]
  const __m512i shifted = _mm512_mask_srli_epi16(twice, 0xff00ff00u, twice, 4);      // 128-bit lanes 1, 3
  return _mm512_and_si512(shifted, _mm512_set1_epi8(0x0f));
}

// One row of legacy blocks against Q8_0 activations, as row_dot_legacy<Policy, Legacy::q4_0 / q8_0>.
template <typename Policy, typename Policy512, bool kQ4>
float legacy_decode_row(const uint8_t *w, const uint8_t *x, int64_t cols) {
  constexpr int64_t kWeightBlock = kQ4 ? sizeof(BlockQ4_0) : sizeof(BlockQ8_0);
  constexpr int64_t kXBlock = sizeof(BlockQ8_0);
  const __m512i offset = _mm512_set1_epi8(kQ4 ? 8 : static_cast<char>(0x80));
  const int64_t blocks = cols / kQuantBlock;
  __m256 acc = _mm256_setzero_ps();
  int64_t b = 0;
  for (; b + 2 <= blocks; b += 2) {
    const uint8_t *bw = w + b * kWeightBlock;
    const uint8_t *bx = x + b * kXBlock;
    const __m512i xq = load_q8_0_pair(bx);
    const __m512i start = _mm512_sub_epi32(_mm512_setzero_si512(), Policy512::dot_u8s8(_mm512_setzero_si512(), offset, xq));
    const __m512i wq = kQ4 ? load_q4_0_pair(bw) : _mm512_xor_si512(load_q8_0_pair(bw), offset);
    const __m512 sums = _mm512_cvtepi32_ps(Policy512::dot_u8s8(start, wq, xq));
    const __m512 scales = _mm512_mul_ps(pair_scales(bw, kWeightBlock), pair_scales(bx, kXBlock));
    acc = _mm256_fmadd_ps(_mm512_castps512_ps256(sums), _mm512_castps512_ps256(scales), acc);
    acc = _mm256_fmadd_ps(high_half(sums), high_half(scales), acc);
  }
  if (b < blocks) {  // the last odd block: row_dot's 256-bit step
    const uint8_t *bw = w + b * kWeightBlock;
    const uint8_t *bx = x + b * kXBlock;
    const __m256i qw = kQ4 ? _mm256_sub_epi8(unpack_nibbles(bw + 2), _mm256_set1_epi8(8))
                           : _mm256_loadu_si256(reinterpret_cast<const __m256i *>(bw + 2));
    const __m256i qx = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(bx + 2));
    const __m256 scale = _mm256_set1_ps(half_to_float(load_u16(bw)) * half_to_float(load_u16(bx)));
    acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(Policy::dot_s8(qw, qx)), scale, acc);
  }
  return horizontal_sum(acc);
}

// One F16 row against f16 activations, as row_dot_float<load8_f16, ...>: its
// accumulators 0 and 1 are the halves of one zmm over 16 contiguous columns,
// 2 and 3 the halves of another.
float f16_decode_row(const uint8_t *w, const uint8_t *x, int64_t cols) {
  __m512 acc01 = _mm512_setzero_ps(), acc23 = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + 32 <= cols; i += 32) {
    const __m512 w01 = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(w + 2 * i)));
    const __m512 x01 = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(x + 2 * i)));
    const __m512 w23 = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(w + 2 * i + 32)));
    const __m512 x23 = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(x + 2 * i + 32)));
    acc01 = _mm512_fmadd_ps(w01, x01, acc01);
    acc23 = _mm512_fmadd_ps(w23, x23, acc23);
  }
  __m256 acc0 = _mm512_castps512_ps256(acc01);
  for (; i + 8 <= cols; i += 8) acc0 = _mm256_fmadd_ps(load8_f16(w + 2 * i), load8_f16(x + 2 * i), acc0);
  const __m256 sum01 = _mm256_add_ps(acc0, high_half(acc01));
  const __m256 sum23 = _mm256_add_ps(_mm512_castps512_ps256(acc23), high_half(acc23));
  return add_float_tail<load1_f16, 2>(w, x, i, cols, horizontal_sum(_mm256_add_ps(sum01, sum23)));
}

// ---- drivers ------------------------------------------------------------------------

template <QuantizedRowDotFn kRow, int64_t kWeightBlockBytes, int64_t kBlockElements>
void decode_rows(const void *weights, const void *x_q, float *y, int64_t cols, int64_t row_begin, int64_t row_end) {
  const uint8_t *w = static_cast<const uint8_t *>(weights);
  const int64_t row_bytes = cols / kBlockElements * kWeightBlockBytes;
  for (int64_t r = row_begin; r < row_end; ++r) y[r] = kRow(w + r * row_bytes, x_q, cols);
}

template <typename Policy, typename Policy512, bool kQ4>
float legacy_decode_row_dot(const void *row, const void *x_q, int64_t cols) {
  return legacy_decode_row<Policy, Policy512, kQ4>(static_cast<const uint8_t *>(row), static_cast<const uint8_t *>(x_q),
                                                   cols);
}

float f16_decode_row_dot(const void *row, const void *x_q, int64_t cols) {
  return f16_decode_row(static_cast<const uint8_t *>(row), static_cast<const uint8_t *>(x_q), cols);
}

template <typename Policy, typename Policy512>
void matmul_q4_0_avx512(const void *weights, const void *x_q, float *y, int64_t rows, int64_t cols, int64_t batch,
                        int64_t row_begin, int64_t row_end) {
  if (batch != 1) return matmul_legacy_rows<Policy, Legacy::q4_0>(weights, x_q, y, rows, cols, batch, row_begin, row_end);
  decode_rows<legacy_decode_row_dot<Policy, Policy512, true>, sizeof(BlockQ4_0), kQuantBlock>(weights, x_q, y, cols,
                                                                                             row_begin, row_end);
}

template <typename Policy, typename Policy512>
void matmul_q8_0_avx512(const void *weights, const void *x_q, float *y, int64_t rows, int64_t cols, int64_t batch,
                        int64_t row_begin, int64_t row_end) {
  if (batch != 1) return matmul_legacy_rows<Policy, Legacy::q8_0>(weights, x_q, y, rows, cols, batch, row_begin, row_end);
  decode_rows<legacy_decode_row_dot<Policy, Policy512, false>, sizeof(BlockQ8_0), kQuantBlock>(weights, x_q, y, cols,
                                                                                              row_begin, row_end);
}

void matmul_f16_avx512(const void *weights, const void *x_q, float *y, int64_t rows, int64_t cols, int64_t batch,
                       int64_t row_begin, int64_t row_end) {
  if (batch != 1) {
    return matmul_rows<row_dot_float<load8_f16, load1_f16, 2>, 1, 2, 2>(weights, x_q, y, rows, cols, batch, row_begin,
                                                                       row_end);
  }
  decode_rows<f16_decode_row_dot, 2, 1>(weights, x_q, y, cols, row_begin, row_end);
}

}  // namespace
}  // namespace ballast
