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

// ---- legacy 32-element blocks against Q8_0 ----------------------------------

template <typename Policy>
float row_dot_q8_0(const void *row, const void *x_q, int64_t cols) {
  const uint8_t *w = static_cast<const uint8_t *>(row);
  const uint8_t *x = static_cast<const uint8_t *>(x_q);
  const int64_t blocks = cols / kQuantBlock;
  __m256 acc = _mm256_setzero_ps();
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t *bw = w + b * sizeof(BlockQ8_0);
    const uint8_t *bx = x + b * sizeof(BlockQ8_0);
    const __m256i qw = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(bw + 2));
    const __m256i qx = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(bx + 2));
    const __m256 scale = _mm256_set1_ps(half_to_float(load_u16(bw)) * half_to_float(load_u16(bx)));
    acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(Policy::dot_s8(qw, qx)), scale, acc);
  }
  return horizontal_sum(acc);
}

template <typename Policy>
float row_dot_q4_0(const void *row, const void *x_q, int64_t cols) {
  const uint8_t *w = static_cast<const uint8_t *>(row);
  const uint8_t *x = static_cast<const uint8_t *>(x_q);
  const int64_t blocks = cols / kQuantBlock;
  const __m256i eight = _mm256_set1_epi8(8);
  __m256 acc = _mm256_setzero_ps();
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t *bw = w + b * sizeof(BlockQ4_0);
    const uint8_t *bx = x + b * sizeof(BlockQ8_0);
    const __m256i qw = _mm256_sub_epi8(unpack_nibbles(bw + 2), eight);  // [32] in -8..7
    const __m256i qx = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(bx + 2));
    const __m256 scale = _mm256_set1_ps(half_to_float(load_u16(bw)) * half_to_float(load_u16(bx)));
    acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(Policy::dot_s8(qw, qx)), scale, acc);
  }
  return horizontal_sum(acc);
}

// Legacy blocks, batch > 1 (prefill): each weight block is loaded (and for
// Q4_0 unpacked) once and dotted with 4 activation rows. Per output the
// arithmetic is exactly row_dot_q8_0 / row_dot_q4_0's (same lanes, same
// order), so batched and single-row results are bit-identical.
template <typename Policy, bool kQ4>
void matmul_legacy_rows(const void *weights, const void *x_q, float *y, int64_t rows, int64_t cols, int64_t batch,
                        int64_t row_begin, int64_t row_end) {
  constexpr int64_t kWeightBlock = kQ4 ? sizeof(BlockQ4_0) : sizeof(BlockQ8_0);
  const uint8_t *w = static_cast<const uint8_t *>(weights);
  const uint8_t *x = static_cast<const uint8_t *>(x_q);
  const int64_t blocks = cols / kQuantBlock;
  const int64_t weight_row_bytes = blocks * kWeightBlock;
  const int64_t activation_row = blocks * static_cast<int64_t>(sizeof(BlockQ8_0));
  const __m256i eight = _mm256_set1_epi8(8);
  for (int64_t r = row_begin; r < row_end; ++r) {
    const uint8_t *w_row = w + r * weight_row_bytes;
    int64_t b = 0;
    for (; b + 4 <= batch; b += 4) {
      __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
      for (int64_t blk = 0; blk < blocks; ++blk) {
        const uint8_t *bw = w_row + blk * kWeightBlock;
        const __m256i qw = kQ4 ? _mm256_sub_epi8(unpack_nibbles(bw + 2), eight)
                               : _mm256_loadu_si256(reinterpret_cast<const __m256i *>(bw + 2));
        const float dw = half_to_float(load_u16(bw));
        for (int j = 0; j < 4; ++j) {
          const uint8_t *bx = x + (b + j) * activation_row + blk * static_cast<int64_t>(sizeof(BlockQ8_0));
          const __m256i qx = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(bx + 2));
          const __m256 scale = _mm256_set1_ps(dw * half_to_float(load_u16(bx)));
          acc[j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(Policy::dot_s8(qw, qx)), scale, acc[j]);
        }
      }
      for (int j = 0; j < 4; ++j) y[(b + j) * rows + r] = horizontal_sum(acc[j]);
    }
    for (; b < batch; ++b) {
      y[b * rows + r] = kQ4 ? row_dot_q4_0<Policy>(w_row, x + b * activation_row, cols)
                            : row_dot_q8_0<Policy>(w_row, x + b * activation_row, cols);
    }
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

// value = d*sc[j]*q - dmin*m[j] per 32-element sub-block j (see the scalar file).
float row_dot_q4_k(const void *row, const void *x_q, int64_t cols) {
  const uint8_t *w = static_cast<const uint8_t *>(row);
  const uint8_t *x = static_cast<const uint8_t *>(x_q);
  const int64_t blocks = cols / kQuantSuperBlock;
  const __m256i low_mask = _mm256_set1_epi8(0x0f);
  float sum = 0.0f;
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t *bw = w + b * sizeof(BlockQ4_K);  // d, dmin, scales[12], qs[128]
    const uint8_t *bx = x + b * sizeof(BlockQ8_K);
    uint8_t scales[8], mins[8];
    unpack_q4_k_scales(bw + 4, scales, mins);
    int16_t bsums[16];
    std::memcpy(bsums, bx + kQ8KBsums, sizeof bsums);
    int32_t min_sum = 0;
    for (int j = 0; j < 8; ++j) min_sum += mins[j] * (bsums[2 * j] + bsums[2 * j + 1]);
    __m256i scaled = _mm256_setzero_si256();
    for (int pair = 0; pair < 4; ++pair) {
      const __m256i packed = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(bw + 16 + 32 * pair));
      const __m256i q_low = _mm256_and_si256(packed, low_mask);                        // sub-block 2*pair
      const __m256i q_high = _mm256_and_si256(_mm256_srli_epi16(packed, 4), low_mask);  // sub-block 2*pair+1
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

// The kernels of one ISA file, by weight type.
struct X86Q8KernelSet {
  QuantizedMatmulKernels f32, f16, bf16, q8_0, q4_0, q4_k, q6_k;

  const QuantizedMatmulKernels *find(TensorType type) const {
    switch (type) {
      case TensorType::f32: return &f32;
      case TensorType::f16: return &f16;
      case TensorType::bf16: return &bf16;
      case TensorType::q8_0: return &q8_0;
      case TensorType::q4_0: return &q4_0;
      case TensorType::q4_k: return &q4_k;
      case TensorType::q6_k: return &q6_k;
      default: return nullptr;  // no variant here: the dispatch table keeps the scalar one
    }
  }
};

template <typename Policy>
X86Q8KernelSet x86_q8_kernels() {
  constexpr int64_t kQ8_0 = sizeof(BlockQ8_0), kQ8_K = sizeof(BlockQ8_K);
  X86Q8KernelSet set;
  set.f32 = make_x86_kernels<row_dot_float<load8_f32, load1_f32, 4>, 1, 4, 4>(TensorType::f32);
  set.f16 = make_x86_kernels<row_dot_float<load8_f16, load1_f16, 2>, 1, 2, 2>(TensorType::f16);
  set.bf16 = make_x86_kernels<row_dot_float<load8_bf16, load1_bf16, 2>, 1, 2, 2>(TensorType::bf16);
  set.q8_0 = make_x86_kernels<row_dot_q8_0<Policy>, kQuantBlock, sizeof(BlockQ8_0), kQ8_0>(TensorType::q8_0);
  set.q8_0.matmul = matmul_legacy_rows<Policy, false>;
  set.q4_0 = make_x86_kernels<row_dot_q4_0<Policy>, kQuantBlock, sizeof(BlockQ4_0), kQ8_0>(TensorType::q4_0);
  set.q4_0.matmul = matmul_legacy_rows<Policy, true>;
  set.q4_k = make_x86_kernels<row_dot_q4_k, kQuantSuperBlock, sizeof(BlockQ4_K), kQ8_K>(TensorType::q4_k);
  set.q6_k = make_x86_kernels<row_dot_q6_k, kQuantSuperBlock, sizeof(BlockQ6_K), kQ8_K>(TensorType::q6_k);
  set.q8_0.quantize_activations = quantize_activations_q8_0_x86;
  set.q4_0.quantize_activations = quantize_activations_q8_0_x86;
  set.f16.quantize_activations = quantize_activations_f16_x86;
  return set;
}

}  // namespace
}  // namespace ballast
