// 512-bit decode (batch 1) bodies for the legacy blocks (Q4_0, Q5_0, Q8_0,
// Q4_1, Q5_1) and F16 weights, shared by
// the AVX-512 translation units (matmul_q8_avx512.cpp, matmul_q8_avx512vnni.cpp).
// Include it ONLY from such a file, after matmul_q8_x86_impl.h: everything here
// sits in an anonymous namespace (see that header for why).
//
// The including file defines a policy type with
//   static __m512i dot_u8s8(__m512i acc, __m512i u, __m512i s);
//     // acc + 16 x int32 sums of 4 products u[i] (unsigned) * s[i] (signed),
//     // exact for the u values it is used with (VNNI: vpdpbusd, any u;
//     // maddubs + madd: u <= 128 only, so Q8_0 needs VNNI; the 4- and
//     // 5-bit formats (u <= 31) run on both)
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
// Weights enter the dot UNSIGNED: Q4_0 nibbles as 0..15, Q5_0 as 0..31
// (fifth bits or'ed in from a 64-bit mask), Q8_0 bytes as w + 128 (w xor
// 0x80). Each lane starts at -offset * (sum of its 4 activations), taken with
// the same dot against a constant, so every lane sum equals the signed one
// exactly. Q4_1 / Q5_1 quants are unsigned as stored (no offset); their
// m_w * s_x terms are summed in block order apart from the lanes, as in
// row_dot_legacy.
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

// Two consecutive activation blocks' 32-byte quants (Q8_0: 34-byte blocks,
// qs at +2; Q8_1: 36-byte blocks, qs at +4): [64] int8, block 0 low.
template <Legacy kType>
__m512i load_activation_pair(const uint8_t *blocks) {
  constexpr int64_t kQs = legacy_activation_qs_offset<kType>();
  constexpr int64_t kBlock = legacy_activation_block_bytes<kType>();
  const __m256i first = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(blocks + kQs));
  const __m256i second = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(blocks + kBlock + kQs));
  return _mm512_inserti64x4(_mm512_zextsi256_si512(first), second, 1);
}

// The nibbles of two consecutive blocks (16 bytes at `qs` and at `qs` +
// `block_bytes`) -> [b0 low nibbles | b0 high | b1 low | b1 high] as u8 0..15.
__m512i load_nibble_pair(const uint8_t *qs, int64_t block_bytes) {
  const __m128i first = _mm_loadu_si128(reinterpret_cast<const __m128i *>(qs));
  const __m128i second = _mm_loadu_si128(reinterpret_cast<const __m128i *>(qs + block_bytes));
  const __m512i both = _mm512_zextsi256_si512(_mm256_inserti128_si256(_mm256_castsi128_si256(first), second, 1));
  const __m512i twice = _mm512_shuffle_i64x2(both, both, _MM_SHUFFLE(1, 1, 0, 0));  // [b0, b0, b1, b1]
  const __m512i shifted = _mm512_mask_srli_epi16(twice, 0xff00ff00u, twice, 4);      // 128-bit lanes 1, 3
  return _mm512_and_si512(shifted, _mm512_set1_epi8(0x0f));
}

// The weight offset that makes a format's quants unsigned (the dot then
// starts each lane at -offset * its activation sum): Q8_0 bytes + 128 (xor
// 0x80), Q4_0 nibbles as stored (value + 8), Q5_0 nibble | fifth bit << 4
// (value + 16); Q4_1 / Q5_1 quants are unsigned already.
template <Legacy kType>
constexpr int legacy_unsigned_offset() {
  return kType == Legacy::q8_0 ? 128 : kType == Legacy::q4_0 ? 8 : kType == Legacy::q5_0 ? 16 : 0;
}

// Two consecutive weight blocks' quants, unsigned (value + offset), [64] u8, block 0 low.
template <Legacy kType>
__m512i load_unsigned_weight_pair(const uint8_t *blocks) {
  constexpr int64_t kBlock = legacy_weight_block_bytes<kType>();
  if constexpr (kType == Legacy::q8_0) {
    const __m256i first = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(blocks + 2));
    const __m256i second = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(blocks + kBlock + 2));
    return _mm512_xor_si512(_mm512_inserti64x4(_mm512_zextsi256_si512(first), second, 1),
                            _mm512_set1_epi8(static_cast<char>(0x80)));
  } else if constexpr (kType == Legacy::q4_0 || kType == Legacy::q4_1) {
    return load_nibble_pair(blocks + (kType == Legacy::q4_0 ? 2 : 4), kBlock);
  } else {  // Q5_0 (qh at +2, qs at +6), Q5_1 (qh at +4, qs at +8): bit j of qh -> bit 4 of byte j
    constexpr int64_t kQh = kType == Legacy::q5_0 ? 2 : 4;
    uint32_t bits0, bits1;
    std::memcpy(&bits0, blocks + kQh, sizeof bits0);
    std::memcpy(&bits1, blocks + kBlock + kQh, sizeof bits1);
    const __mmask64 fifth = static_cast<__mmask64>(bits0) | static_cast<__mmask64>(bits1) << 32;
    return _mm512_or_si512(load_nibble_pair(blocks + kQh + 4, kBlock), _mm512_maskz_set1_epi8(fifth, 0x10));
  }
}

// One row of legacy blocks, as row_dot_legacy<Policy, kType> (same f32
// fused multiply-adds block after block; Q4_1 / Q5_1 offsets summed apart in
// block order and added last).
template <typename Policy, typename Policy512, Legacy kType>
float legacy_decode_row(const uint8_t *w, const uint8_t *x, int64_t cols) {
  constexpr int64_t kWeightBlock = legacy_weight_block_bytes<kType>();
  constexpr int64_t kXBlock = legacy_activation_block_bytes<kType>();
  constexpr int kOffset = legacy_unsigned_offset<kType>();
  const __m512i offset = _mm512_set1_epi8(static_cast<char>(kOffset));
  const int64_t blocks = cols / kQuantBlock;
  __m256 acc = _mm256_setzero_ps();
  float offsets = 0.0f;
  int64_t b = 0;
  for (; b + 2 <= blocks; b += 2) {
    const uint8_t *bw = w + b * kWeightBlock;
    const uint8_t *bx = x + b * kXBlock;
    const __m512i xq = load_activation_pair<kType>(bx);
    __m512i start = _mm512_setzero_si512();
    if constexpr (kOffset != 0) start = _mm512_sub_epi32(start, Policy512::dot_u8s8(_mm512_setzero_si512(), offset, xq));
    const __m512 sums = _mm512_cvtepi32_ps(Policy512::dot_u8s8(start, load_unsigned_weight_pair<kType>(bw), xq));
    const __m512 scales = _mm512_mul_ps(pair_scales(bw, kWeightBlock), pair_scales(bx, kXBlock));
    acc = _mm256_fmadd_ps(_mm512_castps512_ps256(sums), _mm512_castps512_ps256(scales), acc);
    acc = _mm256_fmadd_ps(high_half(sums), high_half(scales), acc);
    if constexpr (legacy_has_min<kType>()) {
      offsets += legacy_offset<kType>(bw, bx);
      offsets += legacy_offset<kType>(bw + kWeightBlock, bx + kXBlock);
    }
  }
  if (b < blocks) {  // the last odd block: row_dot's 256-bit step
    const uint8_t *bw = w + b * kWeightBlock;
    const uint8_t *bx = x + b * kXBlock;
    add_legacy_block<Policy, kType>(load_legacy_quants<kType>(bw), half_to_float(load_u16(bw)), bx, &acc);
    if constexpr (legacy_has_min<kType>()) offsets += legacy_offset<kType>(bw, bx);
  }
  if constexpr (legacy_has_min<kType>()) return horizontal_sum(acc) + offsets;
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

template <typename Policy, typename Policy512, Legacy kType>
float legacy_decode_row_dot(const void *row, const void *x_q, int64_t cols) {
  return legacy_decode_row<Policy, Policy512, kType>(static_cast<const uint8_t *>(row),
                                                      static_cast<const uint8_t *>(x_q), cols);
}

float f16_decode_row_dot(const void *row, const void *x_q, int64_t cols) {
  return f16_decode_row(static_cast<const uint8_t *>(row), static_cast<const uint8_t *>(x_q), cols);
}

// Legacy-block matmul: batch 1 through the 512-bit rows, batches through
// matmul_legacy_rows (bit-identical per output).
template <typename Policy, typename Policy512, Legacy kType>
void matmul_legacy_avx512(const void *weights, const void *x_q, float *y, int64_t rows, int64_t cols, int64_t batch,
                          int64_t row_begin, int64_t row_end) {
  if (batch != 1) return matmul_legacy_rows<Policy, kType>(weights, x_q, y, rows, cols, batch, row_begin, row_end);
  decode_rows<legacy_decode_row_dot<Policy, Policy512, kType>, legacy_weight_block_bytes<kType>(), kQuantBlock>(
      weights, x_q, y, cols, row_begin, row_end);
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
