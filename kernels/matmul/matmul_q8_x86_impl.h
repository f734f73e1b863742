// x86 SIMD bodies of the matmul_q8_scalar.h kernels, shared by the per-ISA
// translation units (matmul_q8_avx2.cpp, matmul_q8_avx512.cpp,
// matmul_q8_avx512vnni.cpp). Include it ONLY from such a file: everything here
// sits in an anonymous namespace, so each ISA file compiles its own private
// copy with its own flags (no inline function with external linkage can leak
// an AVX-512 body into baseline code).
//
// The including file defines, before the include, a policy type with
//   static __m256i dot_s8(__m256i w, __m256i x);   // 8 x int32 partial sums of
//                                                  // w[i] * x[i], 32 int8 pairs
// (AVX2: maddubs + madd; VNNI: dpbusd) and instantiates x86_q8_kernels<Policy>.
//
// Arithmetic matches the scalar reference: every block's integer dot is the
// same integer (exact int8 x int8 sums, no saturation for quants in
// [-127, 127]); only the order of the f32 accumulation across blocks and
// lanes differs. Activation conversion to Q8_0 and f16 is SIMD
// (activation_quant_x86_impl.h) and writes the scalar converters' bytes
// exactly; the other formats use the scalar entry's converter.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/matmul/activation_quant_x86_impl.h"
#include "kernels/matmul/matmul_q8_scalar.h"
#include "kernels/quant/blocks.h"

namespace ballast {
namespace {

float half_to_float(uint16_t h) { return _cvtsh_ss(h); }

uint16_t load_u16(const uint8_t *p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

float load_f32(const uint8_t *p) {
  float v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

float horizontal_sum(__m256 v) {
  const __m128 sum4 = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 sum2 = _mm_add_ps(sum4, _mm_movehl_ps(sum4, sum4));
  const __m128 sum1 = _mm_add_ss(sum2, _mm_movehdup_ps(sum2));
  return _mm_cvtss_f32(sum1);
}

int32_t horizontal_sum_i32(__m256i v) {
  const __m128i sum4 = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  const __m128i sum2 = _mm_add_epi32(sum4, _mm_shuffle_epi32(sum4, 0x4e));
  const __m128i sum1 = _mm_add_epi32(sum2, _mm_shuffle_epi32(sum2, 0xb1));
  return _mm_cvtsi128_si32(sum1);
}

// 16 bytes of packed nibbles -> 32 bytes: low nibbles first, then high nibbles.
__m256i unpack_nibbles(const uint8_t *qs /* [16] */) {
  const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i *>(qs));
  const __m128i mask = _mm_set1_epi8(0x0f);
  const __m128i low = _mm_and_si128(packed, mask);
  const __m128i high = _mm_and_si128(_mm_srli_epi16(packed, 4), mask);
  return _mm256_set_m128i(high, low);
}

// Unsigned u8 (0..63) x signed s8, 16 int16 pair sums (exact: 2*63*127 < 32767).
__m256i dot_u8_pairs(__m256i u, __m256i s) { return _mm256_maddubs_epi16(u, s); }

// ---- legacy 32-element blocks against Q8_0 / Q8_1 ----------------------------

// The legacy weight formats. Q8_0, Q4_0 and Q5_0 dot against Q8_0
// activations (block value isum * d_w * d_x); Q4_1 and Q5_1 against Q8_1,
// whose s = d_x * sum(x_q) gives the offset term m_w * s_x of each block.
enum class Legacy { q8_0, q4_0, q5_0, q4_1, q5_1 };

template <Legacy kType>
constexpr bool legacy_has_min() {
  return kType == Legacy::q4_1 || kType == Legacy::q5_1;
}

template <Legacy kType>
constexpr int64_t legacy_weight_block_bytes() {
  switch (kType) {
    case Legacy::q8_0: return sizeof(BlockQ8_0);
    case Legacy::q4_0: return sizeof(BlockQ4_0);
    case Legacy::q5_0: return sizeof(BlockQ5_0);
    case Legacy::q4_1: return sizeof(BlockQ4_1);
    case Legacy::q5_1: return sizeof(BlockQ5_1);
  }
  return 0;
}

// Activation block: Q8_0 {d, qs[32]} or Q8_1 {d, s, qs[32]}.
template <Legacy kType>
constexpr int64_t legacy_activation_block_bytes() {
  return legacy_has_min<kType>() ? sizeof(BlockQ8_1) : sizeof(BlockQ8_0);
}
template <Legacy kType>
constexpr int64_t legacy_activation_qs_offset() {
  return legacy_has_min<kType>() ? 4 : 2;
}

// The 32 fifth bits of a Q5 block (little-endian u32 at `qh`) -> 32 bytes,
// byte j = 0xff where bit j is set, else 0.
__m256i expand_fifth_bits(const uint8_t *qh /* [4] */) {
  uint32_t bits;
  std::memcpy(&bits, qh, sizeof bits);
  // byte j of the result holds byte j / 8 of `bits` ...
  const __m256i spread = _mm256_shuffle_epi8(_mm256_set1_epi32(static_cast<int>(bits)),
                                             _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202,
                                                               0x0101010101010101, 0x0000000000000000));
  // ... and is tested against bit j % 8.
  const __m256i bit_of_byte = _mm256_set1_epi64x(static_cast<int64_t>(0x8040201008040201ull));
  return _mm256_cmpeq_epi8(_mm256_and_si256(spread, bit_of_byte), bit_of_byte);
}

// One weight block's 32 quants as int8, element order: Q8_0 as stored;
// Q4_0 nibbles - 8; Q5_0 (nibble | fifth bit << 4) - 16, which is the nibble
// with 0xf0 or'ed in where the fifth bit is clear; Q4_1 / Q5_1 unsigned
// (0..15 / 0..31).
template <Legacy kType>
__m256i load_legacy_quants(const uint8_t *block) {
  if constexpr (kType == Legacy::q8_0) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i *>(block + 2));
  } else if constexpr (kType == Legacy::q4_0) {
    return _mm256_sub_epi8(unpack_nibbles(block + 2), _mm256_set1_epi8(8));
  } else if constexpr (kType == Legacy::q5_0) {  // d, qh[4], qs[16]
    const __m256i high_clear = _mm256_andnot_si256(expand_fifth_bits(block + 2), _mm256_set1_epi8(static_cast<char>(0xf0)));
    return _mm256_or_si256(unpack_nibbles(block + 6), high_clear);
  } else if constexpr (kType == Legacy::q4_1) {  // d, m, qs[16]
    return unpack_nibbles(block + 4);
  } else {  // Q5_1: d, m, qh[4], qs[16]
    return _mm256_or_si256(unpack_nibbles(block + 8), _mm256_and_si256(expand_fifth_bits(block + 4), _mm256_set1_epi8(0x10)));
  }
}

// acc += isum * (d_w * d_x) for one block; the offset term m_w * s_x of
// Q4_1 / Q5_1 goes to a separate f32 sum, added after the lanes are summed.
template <typename Policy, Legacy kType>
void add_legacy_block(__m256i qw, float dw, const uint8_t *bx, __m256 *acc) {
  const __m256i qx = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(bx + legacy_activation_qs_offset<kType>()));
  const __m256 scale = _mm256_set1_ps(dw * half_to_float(load_u16(bx)));
  *acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(Policy::dot_s8(qw, qx)), scale, *acc);
}

template <Legacy kType>
float legacy_offset(const uint8_t *bw, const uint8_t *bx) {
  return half_to_float(load_u16(bw + 2)) * half_to_float(load_u16(bx + 2));
}

template <typename Policy, Legacy kType>
float row_dot_legacy(const void *row, const void *x_q, int64_t cols) {
  constexpr int64_t kWeightBlock = legacy_weight_block_bytes<kType>();
  constexpr int64_t kXBlock = legacy_activation_block_bytes<kType>();
  const uint8_t *w = static_cast<const uint8_t *>(row);
  const uint8_t *x = static_cast<const uint8_t *>(x_q);
  const int64_t blocks = cols / kQuantBlock;
  __m256 acc = _mm256_setzero_ps();
  float offsets = 0.0f;
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t *bw = w + b * kWeightBlock;
    const uint8_t *bx = x + b * kXBlock;
    add_legacy_block<Policy, kType>(load_legacy_quants<kType>(bw), half_to_float(load_u16(bw)), bx, &acc);
    if constexpr (legacy_has_min<kType>()) offsets += legacy_offset<kType>(bw, bx);
  }
  if constexpr (legacy_has_min<kType>()) return horizontal_sum(acc) + offsets;
  return horizontal_sum(acc);
}

// Legacy blocks, batch > 1 (prefill): each weight block is loaded (and
// unpacked) once and dotted with 4 activation rows. Per output the arithmetic
// is exactly row_dot_legacy's (same lanes, same order), so batched and
// single-row results are bit-identical.
template <typename Policy, Legacy kType>
void matmul_legacy_rows(const void *weights, const void *x_q, float *y, int64_t rows, int64_t cols, int64_t batch,
                        int64_t row_begin, int64_t row_end) {
  constexpr int64_t kWeightBlock = legacy_weight_block_bytes<kType>();
  constexpr int64_t kXBlock = legacy_activation_block_bytes<kType>();
  const uint8_t *w = static_cast<const uint8_t *>(weights);
  const uint8_t *x = static_cast<const uint8_t *>(x_q);
  const int64_t blocks = cols / kQuantBlock;
  const int64_t weight_row_bytes = blocks * kWeightBlock;
  const int64_t activation_row = blocks * kXBlock;
  for (int64_t r = row_begin; r < row_end; ++r) {
    const uint8_t *w_row = w + r * weight_row_bytes;
    int64_t b = 0;
    for (; b + 4 <= batch; b += 4) {
      __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
      float offsets[4] = {0.0f, 0.0f, 0.0f, 0.0f};
      for (int64_t blk = 0; blk < blocks; ++blk) {
        const uint8_t *bw = w_row + blk * kWeightBlock;
        const __m256i qw = load_legacy_quants<kType>(bw);
        const float dw = half_to_float(load_u16(bw));
        for (int j = 0; j < 4; ++j) {
          const uint8_t *bx = x + (b + j) * activation_row + blk * kXBlock;
          add_legacy_block<Policy, kType>(qw, dw, bx, &acc[j]);
          if constexpr (legacy_has_min<kType>()) offsets[j] += legacy_offset<kType>(bw, bx);
        }
      }
      for (int j = 0; j < 4; ++j) {
        if constexpr (legacy_has_min<kType>()) {
          y[(b + j) * rows + r] = horizontal_sum(acc[j]) + offsets[j];
        } else {
          y[(b + j) * rows + r] = horizontal_sum(acc[j]);
        }
      }
    }
    for (; b < batch; ++b) y[b * rows + r] = row_dot_legacy<Policy, kType>(w_row, x + b * activation_row, cols);
  }
}

// ---- K-quants against Q8_K ----------------------------------------------------

constexpr int kQ8KQs = 4;         // offset of qs in BlockQ8_K
constexpr int kQ8KBsums = 4 + 256;  // offset of bsums

void unpack_q4_k_scales(const uint8_t *packed /* [12] */, uint8_t *scales /* [8] */, uint8_t *mins /* [8] */) {
  for (int j = 0; j < 4; ++j) {
    scales[j] = packed[j] & 63;
    mins[j] = packed[j + 4] & 63;
    scales[j + 4] = static_cast<uint8_t>((packed[j + 8] & 0x0f) | ((packed[j] >> 6) << 4));
    mins[j + 4] = static_cast<uint8_t>((packed[j + 8] >> 4) | ((packed[j + 4] >> 6) << 4));
  }
}

// value = d*sc[j]*q - dmin*m[j] per 32-element sub-block j (see the scalar
// file). Q4_K: q = nibble (0..15); Q5_K (kQ5): q = nibble + 16 * (bit j of
// qh[l]) for element 32*j + l (0..31; maddubs pair sums stay below 2*31*127).
template <bool kQ5>
float row_dot_q45_k(const void *row, const void *x_q, int64_t cols) {
  constexpr int64_t kBlockBytes = kQ5 ? sizeof(BlockQ5_K) : sizeof(BlockQ4_K);
  constexpr int kQsOffset = kQ5 ? 48 : 16;  // Q5_K: qh[32] sits before qs
  const uint8_t *w = static_cast<const uint8_t *>(row);
  const uint8_t *x = static_cast<const uint8_t *>(x_q);
  const int64_t blocks = cols / kQuantSuperBlock;
  const __m256i low_mask = _mm256_set1_epi8(0x0f);
  const __m256i one = _mm256_set1_epi8(1);
  float sum = 0.0f;
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t *bw = w + b * kBlockBytes;  // d, dmin, scales[12], (Q5_K: qh[32]), qs[128]
    const uint8_t *bx = x + b * sizeof(BlockQ8_K);
    uint8_t scales[8], mins[8];
    unpack_q4_k_scales(bw + 4, scales, mins);
    int16_t bsums[16];
    std::memcpy(bsums, bx + kQ8KBsums, sizeof bsums);
    int32_t min_sum = 0;
    for (int j = 0; j < 8; ++j) min_sum += mins[j] * (bsums[2 * j] + bsums[2 * j + 1]);
    __m256i scaled = _mm256_setzero_si256();
    for (int pair = 0; pair < 4; ++pair) {
      const __m256i packed = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(bw + kQsOffset + 32 * pair));
      __m256i q_low = _mm256_and_si256(packed, low_mask);                        // sub-block 2*pair
      __m256i q_high = _mm256_and_si256(_mm256_srli_epi16(packed, 4), low_mask);  // sub-block 2*pair+1
      if constexpr (kQ5) {  // bits 2*pair and 2*pair+1 of qh[l] -> bit 4 of element l of each sub-block
        const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(bw + 16));
        const __m256i bit_low = _mm256_and_si256(_mm256_srli_epi16(qh, 2 * pair), one);
        const __m256i bit_high = _mm256_and_si256(_mm256_srli_epi16(qh, 2 * pair + 1), one);
        q_low = _mm256_or_si256(q_low, _mm256_slli_epi16(bit_low, 4));
        q_high = _mm256_or_si256(q_high, _mm256_slli_epi16(bit_high, 4));
      }
      const __m256i x_low = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(bx + kQ8KQs + 64 * pair));
      const __m256i x_high = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(bx + kQ8KQs + 64 * pair + 32));
      const __m256i p_low = _mm256_madd_epi16(dot_u8_pairs(q_low, x_low), _mm256_set1_epi16(scales[2 * pair]));
      const __m256i p_high = _mm256_madd_epi16(dot_u8_pairs(q_high, x_high), _mm256_set1_epi16(scales[2 * pair + 1]));
      scaled = _mm256_add_epi32(scaled, _mm256_add_epi32(p_low, p_high));
    }
    const float dx = load_f32(bx);
    sum += dx * (half_to_float(load_u16(bw)) * static_cast<float>(horizontal_sum_i32(scaled)) -
                 half_to_float(load_u16(bw + 2)) * static_cast<float>(min_sum));
  }
  return sum;
}

// value = d*sc[i]*(q - 32) per 16-element sub-block i; q = 4 low bits from ql,
// 2 high bits from qh. The -32 offset comes out of the Q8_K bsums:
// sum_i sc[i] * (dot(q, x)_i - 32 * bsum_i).
float row_dot_q6_k(const void *row, const void *x_q, int64_t cols) {
  const uint8_t *w = static_cast<const uint8_t *>(row);
  const uint8_t *x = static_cast<const uint8_t *>(x_q);
  const int64_t blocks = cols / kQuantSuperBlock;
  const __m256i low_mask = _mm256_set1_epi8(0x0f);
  const __m256i two_bits = _mm256_set1_epi8(0x03);
  float sum = 0.0f;
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t *bw = w + b * sizeof(BlockQ6_K);  // ql[128], qh[64], scales[16], d
    const uint8_t *bx = x + b * sizeof(BlockQ8_K);
    const int8_t *scales = reinterpret_cast<const int8_t *>(bw + 192);
    int16_t bsums[16];
    std::memcpy(bsums, bx + kQ8KBsums, sizeof bsums);
    int32_t offset_sum = 0;
    for (int i = 0; i < 16; ++i) offset_sum += scales[i] * bsums[i];
    __m256i total = _mm256_setzero_si256();
    for (int half = 0; half < 2; ++half) {
      const uint8_t *ql = bw + 64 * half;
      const __m256i ql0 = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(ql));
      const __m256i ql1 = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(ql + 32));
      const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(bw + 128 + 32 * half));
      const __m256i q[4] = {
          _mm256_or_si256(_mm256_and_si256(ql0, low_mask), _mm256_slli_epi16(_mm256_and_si256(qh, two_bits), 4)),
          _mm256_or_si256(_mm256_and_si256(ql1, low_mask),
                          _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), two_bits), 4)),
          _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), low_mask),
                          _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), two_bits), 4)),
          _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), low_mask),
                          _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), two_bits), 4)),
      };
      for (int k = 0; k < 4; ++k) {
        const int sub = 8 * half + 2 * k;  // first of the two 16-element sub-blocks
        const __m256i xs = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(bx + kQ8KQs + 128 * half + 32 * k));
        const __m256i sc = _mm256_set_m128i(_mm_set1_epi16(scales[sub + 1]), _mm_set1_epi16(scales[sub]));
        total = _mm256_add_epi32(total, _mm256_madd_epi16(dot_u8_pairs(q[k], xs), sc));
      }
    }
    const int32_t isum = horizontal_sum_i32(total) - 32 * offset_sum;
    sum += half_to_float(load_u16(bw + 208)) * load_f32(bx) * static_cast<float>(isum);
  }
  return sum;
}

// ---- float weights --------------------------------------------------------------

// Widening loads: 8 elements -> 8 f32.
__m256 load8_f32(const uint8_t *p) { return _mm256_loadu_ps(reinterpret_cast<const float *>(p)); }
__m256 load8_f16(const uint8_t *p) { return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p))); }
__m256 load8_bf16(const uint8_t *p) {
  const __m256i wide = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p)));
  return _mm256_castsi256_ps(_mm256_slli_epi32(wide, 16));
}
float load1_f32(const uint8_t *p) { return load_f32(p); }
float load1_f16(const uint8_t *p) { return half_to_float(load_u16(p)); }
float load1_bf16(const uint8_t *p) {
  const uint32_t bits = static_cast<uint32_t>(load_u16(p)) << 16;
  float v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

using Load8Fn = __m256 (*)(const uint8_t *);
using Load1Fn = float (*)(const uint8_t *);

// sum + dot(w[i..cols), x[i..cols)), one element at a time: the row tails
// (shared with the 512-bit decode rows, so both round alike).
template <Load1Fn kLoad1, int kBytes>
float add_float_tail(const uint8_t *w, const uint8_t *x, int64_t i, int64_t cols, float sum) {
  for (; i < cols; ++i) sum += kLoad1(w + i * kBytes) * kLoad1(x + i * kBytes);
  return sum;
}

// Weights and activations in the same float format (f32, f16 or bf16).
template <Load8Fn kLoad8, Load1Fn kLoad1, int kBytes>
float row_dot_float(const void *row, const void *x_q, int64_t cols) {
  const uint8_t *w = static_cast<const uint8_t *>(row);
  const uint8_t *x = static_cast<const uint8_t *>(x_q);
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps(), acc2 = _mm256_setzero_ps(),
         acc3 = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 32 <= cols; i += 32) {
    acc0 = _mm256_fmadd_ps(kLoad8(w + i * kBytes), kLoad8(x + i * kBytes), acc0);
    acc1 = _mm256_fmadd_ps(kLoad8(w + (i + 8) * kBytes), kLoad8(x + (i + 8) * kBytes), acc1);
    acc2 = _mm256_fmadd_ps(kLoad8(w + (i + 16) * kBytes), kLoad8(x + (i + 16) * kBytes), acc2);
    acc3 = _mm256_fmadd_ps(kLoad8(w + (i + 24) * kBytes), kLoad8(x + (i + 24) * kBytes), acc3);
  }
  for (; i + 8 <= cols; i += 8) acc0 = _mm256_fmadd_ps(kLoad8(w + i * kBytes), kLoad8(x + i * kBytes), acc0);
  const float sum = horizontal_sum(_mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3)));
  return add_float_tail<kLoad1, kBytes>(w, x, i, cols, sum);
}

// ---- matmul driver ----------------------------------------------------------------

// Y[b][r] for r in [row_begin, row_end): a weight row stays in L1 while
// every batch row is dotted with it.
template <QuantizedRowDotFn kRowDot, int64_t kBlockElements, int64_t kWeightBlockBytes, int64_t kActivationBlockBytes>
void matmul_rows(const void *weights, const void *x_q, float *y, int64_t rows, int64_t cols, int64_t batch,
                 int64_t row_begin, int64_t row_end) {
  const uint8_t *w = static_cast<const uint8_t *>(weights);
  const uint8_t *x = static_cast<const uint8_t *>(x_q);
  const int64_t weight_row_bytes = cols / kBlockElements * kWeightBlockBytes;
  const int64_t activation_row = cols / kBlockElements * kActivationBlockBytes;
  for (int64_t r = row_begin; r < row_end; ++r) {
    const uint8_t *w_row = w + r * weight_row_bytes;
    if (r + 1 < row_end) _mm_prefetch(reinterpret_cast<const char *>(w_row + weight_row_bytes), _MM_HINT_T0);
    for (int64_t b = 0; b < batch; ++b) y[b * rows + r] = kRowDot(w_row, x + b * activation_row, cols);
  }
}

// The scalar entry's activation format and converter, with this file's dot
// products (so SIMD and scalar always read the same activation bytes).
template <QuantizedRowDotFn kRowDot, int64_t kBlockElements, int64_t kWeightBlockBytes, int64_t kActivationBlockBytes>
QuantizedMatmulKernels make_x86_kernels(TensorType type) {
  QuantizedMatmulKernels kernels = *matmul_q8_kernels_scalar(type);
  kernels.row_dot = kRowDot;
  kernels.matmul = matmul_rows<kRowDot, kBlockElements, kWeightBlockBytes, kActivationBlockBytes>;
  return kernels;
}

// Legacy-block kernels: row_dot_legacy rows, batches through matmul_legacy_rows.
template <typename Policy, Legacy kType>
QuantizedMatmulKernels make_legacy_kernels(TensorType type) {
  QuantizedMatmulKernels kernels = *matmul_q8_kernels_scalar(type);
  kernels.row_dot = row_dot_legacy<Policy, kType>;
  kernels.matmul = matmul_legacy_rows<Policy, kType>;
  return kernels;
}

// The kernels of one ISA file, by weight type.
struct X86Q8KernelSet {
  QuantizedMatmulKernels f32, f16, bf16, q8_0, q4_0, q5_0, q4_1, q5_1, q4_k, q5_k, q6_k;

  const QuantizedMatmulKernels *find(TensorType type) const {
    switch (type) {
      case TensorType::f32: return &f32;
      case TensorType::f16: return &f16;
      case TensorType::bf16: return &bf16;
      case TensorType::q8_0: return &q8_0;
      case TensorType::q4_0: return &q4_0;
      case TensorType::q5_0: return &q5_0;
      case TensorType::q4_1: return &q4_1;
      case TensorType::q5_1: return &q5_1;
      case TensorType::q4_k: return &q4_k;
      case TensorType::q5_k: return &q5_k;
      case TensorType::q6_k: return &q6_k;
      default: return nullptr;  // no variant here: the dispatch table keeps the scalar one
    }
  }
};

template <typename Policy>
X86Q8KernelSet x86_q8_kernels() {
  constexpr int64_t kQ8_K = sizeof(BlockQ8_K);
  X86Q8KernelSet set;
  set.f32 = make_x86_kernels<row_dot_float<load8_f32, load1_f32, 4>, 1, 4, 4>(TensorType::f32);
  set.f16 = make_x86_kernels<row_dot_float<load8_f16, load1_f16, 2>, 1, 2, 2>(TensorType::f16);
  set.bf16 = make_x86_kernels<row_dot_float<load8_bf16, load1_bf16, 2>, 1, 2, 2>(TensorType::bf16);
  set.q8_0 = make_legacy_kernels<Policy, Legacy::q8_0>(TensorType::q8_0);
  set.q4_0 = make_legacy_kernels<Policy, Legacy::q4_0>(TensorType::q4_0);
  set.q5_0 = make_legacy_kernels<Policy, Legacy::q5_0>(TensorType::q5_0);
  set.q4_1 = make_legacy_kernels<Policy, Legacy::q4_1>(TensorType::q4_1);
  set.q5_1 = make_legacy_kernels<Policy, Legacy::q5_1>(TensorType::q5_1);
  set.q4_k = make_x86_kernels<row_dot_q45_k<false>, kQuantSuperBlock, sizeof(BlockQ4_K), kQ8_K>(TensorType::q4_k);
  set.q5_k = make_x86_kernels<row_dot_q45_k<true>, kQuantSuperBlock, sizeof(BlockQ5_K), kQ8_K>(TensorType::q5_k);
  set.q6_k = make_x86_kernels<row_dot_q6_k, kQuantSuperBlock, sizeof(BlockQ6_K), kQ8_K>(TensorType::q6_k);
  set.q8_0.quantize_activations = quantize_activations_q8_0_x86;
  set.q4_0.quantize_activations = quantize_activations_q8_0_x86;
  set.q5_0.quantize_activations = quantize_activations_q8_0_x86;
  set.f16.quantize_activations = quantize_activations_f16_x86;
  return set;
}

}  // namespace
}  // namespace ballast
