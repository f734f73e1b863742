// ARM NEON bodies of the matmul_q8_scalar.h kernels, shared by the per-ISA
// translation units (matmul_q8_neon.cpp, matmul_q8_dotprod.cpp,
// matmul_q8_i8mm.cpp). Include it ONLY from such a file: everything here sits
// in an anonymous namespace, so each ISA file compiles its own private copy
// with its own flags (no inline function with external linkage can leak a
// dotprod body into baseline code).
//
// The including file defines, before instantiating arm_q8_kernels<Policy>(),
// a policy type with
//   static int32x4_t dot_s8(int32x4_t acc, int8x16_t w, int8x16_t x);
//     // acc + 4 x int32 partial sums of w[i] * x[i] over 16 int8 pairs
// (NEON: vmull_s8 + vpadalq_s16; dotprod: vdotq_s32).
//
// Builds for aarch64 and armv7 (-mfpu=neon-vfpv4); what armv7 spells
// differently (across-vector adds, f16 widening) is in neon_helpers.h.
//
// Arithmetic matches the scalar reference: every block's integer dot is the
// same integer (exact int8 x int8 sums: NEON's int16 products are at most
// 128 * 128, dotprod sums in int32); only the order of the f32 accumulation
// across blocks and lanes differs. Activation conversion is the scalar
// entry's (same activation bytes as scalar, by construction).
#pragma once

#include <arm_neon.h>

#include <cstdint>
#include <cstring>

#include "kernels/matmul/matmul_q8_scalar.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/neon_helpers.h"

namespace ballast {
namespace {

uint16_t load_u16(const uint8_t *p) { return neon_load_u16(p); }

float load_f32(const uint8_t *p) {
  float v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

int8x16_t load_s8x16(const uint8_t *p) { return vld1q_s8(reinterpret_cast<const int8_t *>(p)); }

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

// Fifth bits of elements 8*i .. 8*i+15 (bytes i, i+1 of a Q5 block's qh) ->
// 16 bytes, 0xff where the element's bit is set, else 0.
uint8x16_t expand_fifth_bits(const uint8_t *qh_pair /* [2] */) {
  static const uint8_t kBitOfByte[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
  const uint8x16_t bytes = vcombine_u8(vdup_n_u8(qh_pair[0]), vdup_n_u8(qh_pair[1]));
  return vtstq_u8(bytes, vld1q_u8(kBitOfByte));
}

// One weight block's 32 quants as int8 (quants[0] = elements 0..15, [1] =
// 16..31): Q8_0 as stored; Q4_0 nibbles - 8; Q5_0 (nibble | fifth bit << 4)
// - 16, which is the nibble with 0xf0 or'ed in where the fifth bit is clear;
// Q4_1 / Q5_1 unsigned (0..15 / 0..31).
template <Legacy kType>
void load_weight_quants(const uint8_t *block, int8x16_t quants[2]) {
  if constexpr (kType == Legacy::q8_0) {
    quants[0] = load_s8x16(block + 2);
    quants[1] = load_s8x16(block + 18);
  } else {
    constexpr int kQs = kType == Legacy::q4_0 ? 2 : kType == Legacy::q4_1 ? 4 : kType == Legacy::q5_0 ? 6 : 8;
    const uint8x16_t packed = vld1q_u8(block + kQs);
    uint8x16_t low = vandq_u8(packed, vdupq_n_u8(0x0f));
    uint8x16_t high = vshrq_n_u8(packed, 4);
    if constexpr (kType == Legacy::q4_0) {
      low = vsubq_u8(low, vdupq_n_u8(8));
      high = vsubq_u8(high, vdupq_n_u8(8));
    } else if constexpr (kType == Legacy::q5_0) {  // d, qh[4], qs[16]
      low = vorrq_u8(low, vbicq_u8(vdupq_n_u8(0xf0), expand_fifth_bits(block + 2)));
      high = vorrq_u8(high, vbicq_u8(vdupq_n_u8(0xf0), expand_fifth_bits(block + 4)));
    } else if constexpr (kType == Legacy::q5_1) {  // d, m, qh[4], qs[16]
      low = vorrq_u8(low, vandq_u8(expand_fifth_bits(block + 4), vdupq_n_u8(0x10)));
      high = vorrq_u8(high, vandq_u8(expand_fifth_bits(block + 6), vdupq_n_u8(0x10)));
    }
    quants[0] = vreinterpretq_s8_u8(low);
    quants[1] = vreinterpretq_s8_u8(high);
  }
}

// 4 int32 partial sums of one weight block (as int8) with one activation block.
template <typename Policy, Legacy kType>
int32x4_t dot_legacy_block(const int8x16_t quants[2], const uint8_t *x_block) {
  constexpr int64_t kQs = legacy_activation_qs_offset<kType>();
  const int32x4_t low = Policy::dot_s8(vdupq_n_s32(0), quants[0], load_s8x16(x_block + kQs));
  return Policy::dot_s8(low, quants[1], load_s8x16(x_block + kQs + 16));
}

// The offset term m_w * s_x of a Q4_1 / Q5_1 block.
float legacy_offset(const uint8_t *bw, const uint8_t *bx) {
  return half_to_float(load_u16(bw + 2)) * half_to_float(load_u16(bx + 2));
}

// Block values isum * d_w * d_x accumulate in 4 f32 lanes; the offset terms
// of Q4_1 / Q5_1 in a separate f32 sum, added after the lanes are summed.
template <typename Policy, Legacy kType>
float row_dot_legacy(const void *row, const void *x_q, int64_t cols) {
  constexpr int64_t kWeightBlock = legacy_weight_block_bytes<kType>();
  constexpr int64_t kXBlock = legacy_activation_block_bytes<kType>();
  const uint8_t *w = static_cast<const uint8_t *>(row);
  const uint8_t *x = static_cast<const uint8_t *>(x_q);
  const int64_t blocks = cols / kQuantBlock;
  float32x4_t acc = vdupq_n_f32(0.0f);
  float offsets = 0.0f;
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t *bw = w + b * kWeightBlock;
    const uint8_t *bx = x + b * kXBlock;
    int8x16_t quants[2];
    load_weight_quants<kType>(bw, quants);
    const float scale = half_to_float(load_u16(bw)) * half_to_float(load_u16(bx));
    acc = vfmaq_f32(acc, vcvtq_f32_s32(dot_legacy_block<Policy, kType>(quants, bx)), vdupq_n_f32(scale));
    if constexpr (legacy_has_min<kType>()) offsets += legacy_offset(bw, bx);
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
  constexpr int64_t kActivationBlock = legacy_activation_block_bytes<kType>();
  const uint8_t *w = static_cast<const uint8_t *>(weights);
  const uint8_t *x = static_cast<const uint8_t *>(x_q);
  const int64_t blocks = cols / kQuantBlock;
  const int64_t weight_row_bytes = blocks * kWeightBlock;
  const int64_t activation_row = blocks * kActivationBlock;
  for (int64_t r = row_begin; r < row_end; ++r) {
    const uint8_t *w_row = w + r * weight_row_bytes;
    int64_t b = 0;
    for (; b + 4 <= batch; b += 4) {
      float32x4_t acc[4] = {vdupq_n_f32(0.0f), vdupq_n_f32(0.0f), vdupq_n_f32(0.0f), vdupq_n_f32(0.0f)};
      float offsets[4] = {0.0f, 0.0f, 0.0f, 0.0f};
      for (int64_t blk = 0; blk < blocks; ++blk) {
        const uint8_t *bw = w_row + blk * kWeightBlock;
        int8x16_t quants[2];
        load_weight_quants<kType>(bw, quants);
        const float dw = half_to_float(load_u16(bw));
        for (int j = 0; j < 4; ++j) {
          const uint8_t *bx = x + (b + j) * activation_row + blk * kActivationBlock;
          const float scale = dw * half_to_float(load_u16(bx));
          acc[j] = vfmaq_f32(acc[j], vcvtq_f32_s32(dot_legacy_block<Policy, kType>(quants, bx)), vdupq_n_f32(scale));
          if constexpr (legacy_has_min<kType>()) offsets[j] += legacy_offset(bw, bx);
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

constexpr int kQ8KQs = 4;           // offset of qs in BlockQ8_K
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
// qh[l]) for element 32*j + l (0..31). Quants are dotted as int8; the
// per-sub-block scale is applied to the 4 int32 lanes (exact: |lane| <=
// 8*31*127, times 63).
template <typename Policy, bool kQ5>
float row_dot_q45_k(const void *row, const void *x_q, int64_t cols) {
  constexpr int64_t kBlockBytes = kQ5 ? sizeof(BlockQ5_K) : sizeof(BlockQ4_K);
  constexpr int kQsOffset = kQ5 ? 48 : 16;  // Q5_K: qh[32] sits before qs
  const uint8_t *w = static_cast<const uint8_t *>(row);
  const uint8_t *x = static_cast<const uint8_t *>(x_q);
  const int64_t blocks = cols / kQuantSuperBlock;
  const uint8x16_t low_mask = vdupq_n_u8(0x0f);
  const uint8x16_t one = vdupq_n_u8(1);
  float sum = 0.0f;
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t *bw = w + b * kBlockBytes;  // d, dmin, scales[12], (Q5_K: qh[32]), qs[128]
    const uint8_t *bx = x + b * static_cast<int64_t>(sizeof(BlockQ8_K));
    uint8_t scales[8], mins[8];
    unpack_q4_k_scales(bw + 4, scales, mins);
    int16_t bsums[16];
    std::memcpy(bsums, bx + kQ8KBsums, sizeof bsums);
    int32_t min_sum = 0;
    for (int j = 0; j < 8; ++j) min_sum += mins[j] * (bsums[2 * j] + bsums[2 * j + 1]);
    int32x4_t scaled = vdupq_n_s32(0);
    for (int pair = 0; pair < 4; ++pair) {  // sub-blocks 2*pair (low nibbles) and 2*pair+1 (high)
      const uint8_t *qs = bw + kQsOffset + 32 * pair;
      const uint8_t *xs = bx + kQ8KQs + 64 * pair;
      int32x4_t low = vdupq_n_s32(0), high = vdupq_n_s32(0);
      for (int h = 0; h < 2; ++h) {
        const uint8x16_t packed = vld1q_u8(qs + 16 * h);
        uint8x16_t q_low = vandq_u8(packed, low_mask);
        uint8x16_t q_high = vshrq_n_u8(packed, 4);
        if constexpr (kQ5) {  // bits 2*pair and 2*pair+1 of qh[l] -> bit 4
          const uint8x16_t qh = vld1q_u8(bw + 16 + 16 * h);
          const int8x16_t down_low = vdupq_n_s8(static_cast<int8_t>(-2 * pair));
          const int8x16_t down_high = vdupq_n_s8(static_cast<int8_t>(-2 * pair - 1));
          q_low = vorrq_u8(q_low, vshlq_n_u8(vandq_u8(vshlq_u8(qh, down_low), one), 4));
          q_high = vorrq_u8(q_high, vshlq_n_u8(vandq_u8(vshlq_u8(qh, down_high), one), 4));
        }
        low = Policy::dot_s8(low, vreinterpretq_s8_u8(q_low), load_s8x16(xs + 16 * h));
        high = Policy::dot_s8(high, vreinterpretq_s8_u8(q_high), load_s8x16(xs + 32 + 16 * h));
      }
      scaled = vmlaq_n_s32(scaled, low, scales[2 * pair]);
      scaled = vmlaq_n_s32(scaled, high, scales[2 * pair + 1]);
    }
    const float dx = load_f32(bx);
    sum += dx * (half_to_float(load_u16(bw)) * static_cast<float>(horizontal_sum_i32(scaled)) -
                 half_to_float(load_u16(bw + 2)) * static_cast<float>(min_sum));
  }
  return sum;
}

// value = d*sc[i]*(q - 32) per 16-element sub-block i; q = 4 low bits from
// ql, 2 high bits from qh (0..63, dotted as int8). The -32 offset comes out
// of the Q8_K bsums: sum_i sc[i] * (dot(q, x)_i - 32 * bsum_i).
template <typename Policy>
float row_dot_q6_k(const void *row, const void *x_q, int64_t cols) {
  const uint8_t *w = static_cast<const uint8_t *>(row);
  const uint8_t *x = static_cast<const uint8_t *>(x_q);
  const int64_t blocks = cols / kQuantSuperBlock;
  const uint8x16_t low_mask = vdupq_n_u8(0x0f);
  const uint8x16_t two_bits = vdupq_n_u8(0x03);
  float sum = 0.0f;
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t *bw = w + b * static_cast<int64_t>(sizeof(BlockQ6_K));  // ql[128], qh[64], scales[16], d
    const uint8_t *bx = x + b * static_cast<int64_t>(sizeof(BlockQ8_K));
    const int8_t *scales = reinterpret_cast<const int8_t *>(bw + 192);
    int16_t bsums[16];
    std::memcpy(bsums, bx + kQ8KBsums, sizeof bsums);
    int32_t offset_sum = 0;
    for (int i = 0; i < 16; ++i) offset_sum += scales[i] * bsums[i];
    int32x4_t total = vdupq_n_s32(0);
    for (int half = 0; half < 2; ++half) {
      for (int part = 0; part < 2; ++part) {  // elements l = 16*part .. 16*part+15 of each 32-run
        const uint8x16_t ql0 = vld1q_u8(bw + 64 * half + 16 * part);
        const uint8x16_t ql1 = vld1q_u8(bw + 64 * half + 32 + 16 * part);
        const uint8x16_t qh = vld1q_u8(bw + 128 + 32 * half + 16 * part);
        const uint8x16_t q[4] = {
            vorrq_u8(vandq_u8(ql0, low_mask), vshlq_n_u8(vandq_u8(qh, two_bits), 4)),
            vorrq_u8(vandq_u8(ql1, low_mask), vshlq_n_u8(vandq_u8(vshrq_n_u8(qh, 2), two_bits), 4)),
            vorrq_u8(vshrq_n_u8(ql0, 4), vshlq_n_u8(vandq_u8(vshrq_n_u8(qh, 4), two_bits), 4)),
            vorrq_u8(vshrq_n_u8(ql1, 4), vshlq_n_u8(vshrq_n_u8(qh, 6), 4)),
        };
        for (int k = 0; k < 4; ++k) {
          const uint8_t *xs = bx + kQ8KQs + 128 * half + 32 * k + 16 * part;
          const int32x4_t dot = Policy::dot_s8(vdupq_n_s32(0), vreinterpretq_s8_u8(q[k]), load_s8x16(xs));
          total = vmlaq_n_s32(total, dot, scales[8 * half + 2 * k + part]);
        }
      }
    }
    const int32_t isum = horizontal_sum_i32(total) - 32 * offset_sum;
    sum += half_to_float(load_u16(bw + 208)) * load_f32(bx) * static_cast<float>(isum);
  }
  return sum;
}

// ---- float weights --------------------------------------------------------------

float32x4_t load4_f32(const uint8_t *p) { return vld1q_f32(reinterpret_cast<const float *>(p)); }
float32x4_t load4_bf16(const uint8_t *p) {
  const uint32x4_t wide = vmovl_u16(vreinterpret_u16_u8(vld1_u8(p)));
  return vreinterpretq_f32_u32(vshlq_n_u32(wide, 16));
}
float load1_f32(const uint8_t *p) { return load_f32(p); }
float load1_f16(const uint8_t *p) { return half_to_float(load_u16(p)); }
float load1_bf16(const uint8_t *p) {
  const uint32_t bits = static_cast<uint32_t>(load_u16(p)) << 16;
  float v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

using Load4Fn = float32x4_t (*)(const uint8_t *);
using Load1Fn = float (*)(const uint8_t *);

// Weights and activations in the same float format (f32, f16 or bf16).
template <Load4Fn kLoad4, Load1Fn kLoad1, int kBytes>
float row_dot_float(const void *row, const void *x_q, int64_t cols) {
  const uint8_t *w = static_cast<const uint8_t *>(row);
  const uint8_t *x = static_cast<const uint8_t *>(x_q);
  float32x4_t acc0 = vdupq_n_f32(0.0f), acc1 = vdupq_n_f32(0.0f), acc2 = vdupq_n_f32(0.0f),
              acc3 = vdupq_n_f32(0.0f);
  int64_t i = 0;
  for (; i + 16 <= cols; i += 16) {
    acc0 = vfmaq_f32(acc0, kLoad4(w + i * kBytes), kLoad4(x + i * kBytes));
    acc1 = vfmaq_f32(acc1, kLoad4(w + (i + 4) * kBytes), kLoad4(x + (i + 4) * kBytes));
    acc2 = vfmaq_f32(acc2, kLoad4(w + (i + 8) * kBytes), kLoad4(x + (i + 8) * kBytes));
    acc3 = vfmaq_f32(acc3, kLoad4(w + (i + 12) * kBytes), kLoad4(x + (i + 12) * kBytes));
  }
  for (; i + 4 <= cols; i += 4) acc0 = vfmaq_f32(acc0, kLoad4(w + i * kBytes), kLoad4(x + i * kBytes));
  float sum = horizontal_sum(vaddq_f32(vaddq_f32(acc0, acc1), vaddq_f32(acc2, acc3)));
  for (; i < cols; ++i) sum += kLoad1(w + i * kBytes) * kLoad1(x + i * kBytes);
  return sum;
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
    if (r + 1 < row_end) __builtin_prefetch(w_row + weight_row_bytes);
    for (int64_t b = 0; b < batch; ++b) y[b * rows + r] = kRowDot(w_row, x + b * activation_row, cols);
  }
}

// The scalar entry's activation format and converter, with this file's dot
// products (so SIMD and scalar always read the same activation bytes).
template <QuantizedRowDotFn kRowDot, int64_t kBlockElements, int64_t kWeightBlockBytes, int64_t kActivationBlockBytes>
QuantizedMatmulKernels make_arm_kernels(TensorType type) {
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
struct ArmQ8KernelSet {
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
ArmQ8KernelSet arm_q8_kernels() {
  constexpr int64_t kQ8_K = sizeof(BlockQ8_K);
  ArmQ8KernelSet set;
  set.f32 = make_arm_kernels<row_dot_float<load4_f32, load1_f32, 4>, 1, 4, 4>(TensorType::f32);
  set.f16 = make_arm_kernels<row_dot_float<load4_f16, load1_f16, 2>, 1, 2, 2>(TensorType::f16);
  set.bf16 = make_arm_kernels<row_dot_float<load4_bf16, load1_bf16, 2>, 1, 2, 2>(TensorType::bf16);
  set.q8_0 = make_legacy_kernels<Policy, Legacy::q8_0>(TensorType::q8_0);
  set.q4_0 = make_legacy_kernels<Policy, Legacy::q4_0>(TensorType::q4_0);
  set.q5_0 = make_legacy_kernels<Policy, Legacy::q5_0>(TensorType::q5_0);
  set.q4_1 = make_legacy_kernels<Policy, Legacy::q4_1>(TensorType::q4_1);
  set.q5_1 = make_legacy_kernels<Policy, Legacy::q5_1>(TensorType::q5_1);
  set.q4_k = make_arm_kernels<row_dot_q45_k<Policy, false>, kQuantSuperBlock, sizeof(BlockQ4_K), kQ8_K>(TensorType::q4_k);
  set.q5_k = make_arm_kernels<row_dot_q45_k<Policy, true>, kQuantSuperBlock, sizeof(BlockQ5_K), kQ8_K>(TensorType::q5_k);
  set.q6_k = make_arm_kernels<row_dot_q6_k<Policy>, kQuantSuperBlock, sizeof(BlockQ6_K), kQ8_K>(TensorType::q6_k);
  return set;
}

}  // namespace
}  // namespace ballast
