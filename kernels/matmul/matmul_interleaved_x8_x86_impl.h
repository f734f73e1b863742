// x86 bodies of the repacked Q4_0 / Q8_0 kernels (interleaved_x8.h), shared by
// the per-ISA files like matmul_q8_x86_impl.h (include it ONLY from such a
// file, after that header, whose Q8_0 converter it uses: everything sits in
// an anonymous namespace).
//
// The including file defines a policy with
//   static __m256i dot_pair(__m256i acc, __m256i u1, __m256i s1, __m256i u2, __m256i s2);
//     // acc + per int32 lane the sums of the 4 products u1*s1 and of the 4 u2*s2
//     // (u unsigned, s signed int8; exact for u <= 15 in every policy, and
//     // for any u8 in the VNNI one, which alone may run q8_0x8)
//
// One ymm lane per weight row of an 8-row group: per block, 8 u8 vectors
// (Q4_0: 4 loads of 32 bytes split into nibbles; Q8_0: 8 loads), 8 dots with
// broadcast 4-byte activation groups, the -offset * sum(x) as the lanes'
// start value, then one
// int->f32 conversion and one FMA with the 8 rows' scale products. Per output
// that is the scalar reference's arithmetic exactly (integer block sums, then
// fma(float(isum), d_w * d_x, acc) in block order), so decode, the batched
// path and matmul_q4_0x8_scalar agree bit for bit.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/matmul/interleaved_x8.h"
#include "kernels/quant/blocks.h"

namespace ballast {
namespace {

constexpr int64_t kX8XBlock = sizeof(BlockQ8_0);  // 34

int32_t load_i32(const uint8_t *p) {
  int32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

int16_t load_i16(const uint8_t *p) {
  int16_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The 8 u8 vectors of one repacked block, each to be dotted with one
// broadcast 4-byte activation group: u[m] against xq[x_offset(m) .. +3].
struct X8Units {
  __m256i u[8];
};

// q4_0x8: u[2k] = low nibbles of chunk k (elements 4k..4k+3 of each row),
// u[2k+1] = high nibbles (16+4k..16+4k+3). Offset 8.
struct Q4x8Layout {
  static constexpr int64_t kBlock = kQ4_0x8BlockBytes;
  static constexpr int64_t kPlainBlock = sizeof(BlockQ4_0);
  static constexpr int32_t kOffset = 8;
  static int x_offset(int m) { return (m % 2) * 16 + (m / 2) * 4; }
  static X8Units load(const uint8_t *block) {
    const __m256i mask = _mm256_set1_epi8(0x0f);
    X8Units n;
    for (int k = 0; k < 4; ++k) {
      const __m256i packed = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(block + 16 + 32 * k));
      n.u[2 * k] = _mm256_and_si256(packed, mask);
      n.u[2 * k + 1] = _mm256_and_si256(_mm256_srli_epi16(packed, 4), mask);
    }
    return n;
  }
  static float tail_row(const uint8_t *row, const uint8_t *x_q, int64_t cols) {
    return q4_0_row_dot_ordered(row, x_q, cols);
  }
};

// q8_0x8: u[k] = chunk k (elements 4k..4k+3, stored q + 128). Offset 128;
// needs a dot that is exact for u up to 255 (VNNI).
struct Q8x8Layout {
  static constexpr int64_t kBlock = kQ8_0x8BlockBytes;
  static constexpr int64_t kPlainBlock = sizeof(BlockQ8_0);
  static constexpr int32_t kOffset = 128;
  static int x_offset(int m) { return 4 * m; }
  static X8Units load(const uint8_t *block) {
    X8Units n;
    for (int k = 0; k < 8; ++k) n.u[k] = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(block + 16 + 32 * k));
    return n;
  }
  static float tail_row(const uint8_t *row, const uint8_t *x_q, int64_t cols) {
    return q8_0_row_dot_ordered(row, x_q, cols);
  }
};

// 8 rows' block integers against one activation block (bx: its Q8_0 block).
template <typename Policy, typename Layout>
__m256i x8_block_sums(const X8Units &n, const uint8_t *bx, int16_t x_sum) {
  __m256i isum = _mm256_set1_epi32(-Layout::kOffset * static_cast<int32_t>(x_sum));
  for (int m = 0; m < 8; m += 2) {
    const __m256i x1 = _mm256_set1_epi32(load_i32(bx + 2 + Layout::x_offset(m)));
    const __m256i x2 = _mm256_set1_epi32(load_i32(bx + 2 + Layout::x_offset(m + 1)));
    isum = Policy::dot_pair(isum, n.u[m], x1, n.u[m + 1], x2);
  }
  return isum;
}

// Rows [8g, 8g + 8) against kCount (1..4) activation rows: y_group[j][0..8).
template <typename Policy, typename Layout, int kCount>
void x8_group_tile(const uint8_t *group, int64_t blocks, const uint8_t *x /* row 0 */, int64_t activation_row,
                   float (*y_group)[8]) {
  __m256 acc[kCount];
  for (int j = 0; j < kCount; ++j) acc[j] = _mm256_setzero_ps();
  const uint8_t *sums = x + blocks * kX8XBlock;  // row 0's int16 block sums
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t *block = group + b * Layout::kBlock;
    const X8Units n = Layout::load(block);
    const __m256 d_w = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(block)));
    for (int j = 0; j < kCount; ++j) {
      const uint8_t *bx = x + j * activation_row + b * kX8XBlock;
      uint16_t dx_bits;
      std::memcpy(&dx_bits, bx, sizeof dx_bits);
      const __m256i isum = x8_block_sums<Policy, Layout>(n, bx, load_i16(sums + j * activation_row + 2 * b));
      const __m256 scale = _mm256_mul_ps(d_w, _mm256_set1_ps(_cvtsh_ss(dx_bits)));
      acc[j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), scale, acc[j]);
    }
  }
  for (int j = 0; j < kCount; ++j) _mm256_storeu_ps(y_group[j], acc[j]);
}

template <typename Policy, typename Layout>
void matmul_x8(const void *repacked, const void *x_q, float *y, int64_t rows, int64_t cols, int64_t batch,
               int64_t row_begin, int64_t row_end) {
  const uint8_t *w = static_cast<const uint8_t *>(repacked);
  const uint8_t *x = static_cast<const uint8_t *>(x_q);
  const int64_t blocks = cols / kQuantBlock;
  const int64_t activation_row = blocks * (kX8XBlock + 2);
  const int64_t grouped_rows = rows / kInterleavedRows * kInterleavedRows;
  const int64_t group_bytes = blocks * Layout::kBlock;
  const int64_t grouped_end = row_end < grouped_rows ? row_end : grouped_rows;
  for (int64_t g = row_begin / kInterleavedRows; g * kInterleavedRows < grouped_end; ++g) {
    const uint8_t *group = w + g * group_bytes;
    const int64_t r0 = g * kInterleavedRows;
    const bool whole = r0 >= row_begin && r0 + kInterleavedRows <= row_end;
    float tile[4][8];
    for (int64_t b = 0; b < batch; b += 4) {
      const int64_t count = batch - b < 4 ? batch - b : 4;
      const uint8_t *xb = x + b * activation_row;
      switch (count) {
        case 4: x8_group_tile<Policy, Layout, 4>(group, blocks, xb, activation_row, tile); break;
        case 3: x8_group_tile<Policy, Layout, 3>(group, blocks, xb, activation_row, tile); break;
        case 2: x8_group_tile<Policy, Layout, 2>(group, blocks, xb, activation_row, tile); break;
        default: x8_group_tile<Policy, Layout, 1>(group, blocks, xb, activation_row, tile); break;
      }
      for (int64_t j = 0; j < count; ++j) {
        float *out = y + (b + j) * rows + r0;
        if (whole) {
          std::memcpy(out, tile[j], sizeof tile[j]);
        } else {
          for (int64_t i = 0; i < kInterleavedRows; ++i) {
            if (r0 + i >= row_begin && r0 + i < row_end) out[i] = tile[j][i];
          }
        }
      }
    }
  }
  const int64_t tail_begin = row_begin > grouped_rows ? row_begin : grouped_rows;
  for (int64_t r = tail_begin; r < row_end; ++r) {
    for (int64_t bt = 0; bt < batch; ++bt) {
      y[bt * rows + r] = Layout::tail_row(w + r * blocks * Layout::kPlainBlock, x + bt * activation_row, cols);
    }
  }
}

// q8_0_sums rows with this ISA's Q8_0 converter (byte-identical to the scalar one).
void quantize_activations_q8_0_sums_x86(const float *x, void *row, int64_t n) {
  quantize_activations_q8_0_x86(x, row, n);
  append_q8_0_block_sums(row, n);
}

template <typename Policy>
RepackedMatmulKernels q4_0x8_kernels_x86() {
  return {"q4_0x8", q4_0x8_repacked_bytes, repack_q4_0x8, kInterleavedRows, ActivationType::q8_0_sums,
          quantize_activations_q8_0_sums_x86, matmul_x8<Policy, Q4x8Layout>, dequantize_row_q4_0x8};
}

// Only with a policy whose dot is exact for u8 up to 255 (VNNI).
template <typename Policy>
RepackedMatmulKernels q8_0x8_kernels_x86() {
  return {"q8_0x8", q8_0x8_repacked_bytes, repack_q8_0x8, kInterleavedRows, ActivationType::q8_0_sums,
          quantize_activations_q8_0_sums_x86, matmul_x8<Policy, Q8x8Layout>, dequantize_row_q8_0x8};
}

}  // namespace
}  // namespace ballast
