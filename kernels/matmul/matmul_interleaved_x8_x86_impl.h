// x86 bodies of the repacked Q4_0 / Q5_0 / Q8_0 kernels (interleaved_x8.h), shared by
// the per-ISA files like matmul_q8_x86_impl.h (include it ONLY from such a
// file, after that header, whose Q8_0 converter it uses: everything sits in
// an anonymous namespace).
//
// The including file defines a policy with
//   static __m256i dot_pair(__m256i acc, __m256i u1, __m256i s1, __m256i u2, __m256i s2);
//     // acc + per int32 lane the sums of the 4 products u1*s1 and of the 4 u2*s2
//     // (u unsigned, s signed int8 in [-127, 127]; exact for u <= 31 in every
//     // policy (maddubs: 4 products below 2^14 in int16), and for any u8 in
//     // the VNNI ones, which alone may run q8_0x8)
//
// and may add (the AVX-512 VNNI policy does, matmul_interleaved_x8_avx512_impl.h)
//   static constexpr bool kPairTile = true;
//   static constexpr int kPairTileMinCount;  // fewest activation rows the pair tile is used for
//   template <typename Layout, int kCount> static void pair_tile(group, group_bytes, blocks, x, activation_row, y[kCount][16]);
//     // rows of two consecutive groups at once, the same bits as two x8_group_tile calls
//
// One ymm lane per weight row of an 8-row group: per block, 8 u8 vectors
// (Q4_0: 4 loads of 32 bytes split into nibbles; Q5_0: the same plus the
// fifth bits; Q8_0: 8 loads), 8 dots with
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
#include <type_traits>

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

// q5_0x8: the q4_0x8 units plus 16 x their fifth bits, which the layout keeps
// as bit m of the fifth-bit bytes for unit m: one 16-bit shift brings them to
// bit 4 of every byte (no bit crosses a byte: the shift is at most 4 and the
// mask keeps bit 4). Offset 16; u <= 31, exact in every policy.
template <int M>
__m256i fifth_bit_at_4(__m256i fifth) {
  if constexpr (M <= 4) {
    return _mm256_slli_epi16(fifth, 4 - M);
  } else {
    return _mm256_srli_epi16(fifth, M - 4);
  }
}

template <int K>
void q5x8_chunk_units(const uint8_t *block, __m256i fifth, X8Units *n) {
  const __m256i nibble = _mm256_set1_epi8(0x0f), bit4 = _mm256_set1_epi8(0x10);
  const __m256i packed = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(block + 48 + 32 * K));
  n->u[2 * K] = _mm256_or_si256(_mm256_and_si256(packed, nibble), _mm256_and_si256(fifth_bit_at_4<2 * K>(fifth), bit4));
  n->u[2 * K + 1] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(packed, 4), nibble),
                                    _mm256_and_si256(fifth_bit_at_4<2 * K + 1>(fifth), bit4));
}

struct Q5x8Layout {
  static constexpr int64_t kBlock = kQ5_0x8BlockBytes;
  static constexpr int64_t kPlainBlock = sizeof(BlockQ5_0);
  static constexpr int32_t kOffset = 16;
  static int x_offset(int m) { return (m % 2) * 16 + (m / 2) * 4; }
  static X8Units load(const uint8_t *block) {
    const __m256i fifth = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(block + 16));
    X8Units n;
    q5x8_chunk_units<0>(block, fifth, &n);
    q5x8_chunk_units<1>(block, fifth, &n);
    q5x8_chunk_units<2>(block, fifth, &n);
    q5x8_chunk_units<3>(block, fifth, &n);
    return n;
  }
  static float tail_row(const uint8_t *row, const uint8_t *x_q, int64_t cols) {
    return q5_0_row_dot_ordered(row, x_q, cols);
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
// Two independent integer chains (units 0-1, 4-5 and 2-3, 6-7), added at
// the end: integer sums are exact, so the split changes no bit, and it
// halves the dependent dot latency per block (VNNI: 4 vpdpbusd, not 8).
template <typename Policy, typename Layout>
__m256i x8_block_sums(const X8Units &n, const uint8_t *bx, int16_t x_sum) {
  auto x = [bx](int m) { return _mm256_set1_epi32(load_i32(bx + 2 + Layout::x_offset(m))); };
  __m256i a = _mm256_set1_epi32(-Layout::kOffset * static_cast<int32_t>(x_sum));
  __m256i b = Policy::dot_pair(_mm256_setzero_si256(), n.u[2], x(2), n.u[3], x(3));
  a = Policy::dot_pair(a, n.u[0], x(0), n.u[1], x(1));
  b = Policy::dot_pair(b, n.u[6], x(6), n.u[7], x(7));
  a = Policy::dot_pair(a, n.u[4], x(4), n.u[5], x(5));
  return _mm256_add_epi32(a, b);
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

// Whether Policy has a two-group tile (kPairTile).
template <typename Policy, typename = void>
struct HasPairTile : std::false_type {};
template <typename Policy>
struct HasPairTile<Policy, std::void_t<decltype(Policy::kPairTile)>> : std::bool_constant<Policy::kPairTile> {};

// One tile: kCount (1..4) activation rows against 8 * n_groups (1 or 2)
// rows from `group`: the policy's pair tile where it has one for kCount
// rows, else one 8-row tile per group.
template <typename Policy, typename Layout, int kCount>
void x8_tile(int64_t n_groups, const uint8_t *group, int64_t group_bytes, int64_t blocks, const uint8_t *x,
             int64_t activation_row, float (*tile)[16]) {
  if constexpr (HasPairTile<Policy>::value) {
    if constexpr (kCount >= Policy::kPairTileMinCount) {
      if (n_groups == 2) {
        Policy::template pair_tile<Layout, kCount>(group, group_bytes, blocks, x, activation_row, tile);
        return;
      }
    }
  }
  for (int64_t k = 0; k < n_groups; ++k) {
    float one[kCount][8];
    x8_group_tile<Policy, Layout, kCount>(group + k * group_bytes, blocks, x, activation_row, one);
    for (int j = 0; j < kCount; ++j) std::memcpy(tile[j] + 8 * k, one[j], sizeof one[j]);
  }
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
  for (int64_t g = row_begin / kInterleavedRows; g * kInterleavedRows < grouped_end;) {
    // Two groups at a time when the policy can and the range reaches into the second.
    const int64_t n_groups = HasPairTile<Policy>::value && (g + 1) * kInterleavedRows < grouped_end ? 2 : 1;
    const uint8_t *group = w + g * group_bytes;
    const int64_t r0 = g * kInterleavedRows;
    const int64_t n_rows = n_groups * kInterleavedRows;
    const bool whole = r0 >= row_begin && r0 + n_rows <= row_end;
    float tile[4][16];
    for (int64_t b = 0; b < batch; b += 4) {
      const int64_t count = batch - b < 4 ? batch - b : 4;
      const uint8_t *xb = x + b * activation_row;
      switch (count) {
        case 4: x8_tile<Policy, Layout, 4>(n_groups, group, group_bytes, blocks, xb, activation_row, tile); break;
        case 3: x8_tile<Policy, Layout, 3>(n_groups, group, group_bytes, blocks, xb, activation_row, tile); break;
        case 2: x8_tile<Policy, Layout, 2>(n_groups, group, group_bytes, blocks, xb, activation_row, tile); break;
        default: x8_tile<Policy, Layout, 1>(n_groups, group, group_bytes, blocks, xb, activation_row, tile); break;
      }
      for (int64_t j = 0; j < count; ++j) {
        float *out = y + (b + j) * rows + r0;
        if (whole) {
          std::memcpy(out, tile[j], static_cast<size_t>(n_rows) * sizeof(float));
        } else {
          for (int64_t i = 0; i < n_rows; ++i) {
            if (r0 + i >= row_begin && r0 + i < row_end) out[i] = tile[j][i];
          }
        }
      }
    }
    g += n_groups;
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

template <typename Policy>
RepackedMatmulKernels q5_0x8_kernels_x86() {
  return {"q5_0x8", q5_0x8_repacked_bytes, repack_q5_0x8, kInterleavedRows, ActivationType::q8_0_sums,
          quantize_activations_q8_0_sums_x86, matmul_x8<Policy, Q5x8Layout>, dequantize_row_q5_0x8};
}

// Only with a policy whose dot is exact for u8 up to 255 (VNNI).
template <typename Policy>
RepackedMatmulKernels q8_0x8_kernels_x86() {
  return {"q8_0x8", q8_0x8_repacked_bytes, repack_q8_0x8, kInterleavedRows, ActivationType::q8_0_sums,
          quantize_activations_q8_0_sums_x86, matmul_x8<Policy, Q8x8Layout>, dequantize_row_q8_0x8};
}

}  // namespace
}  // namespace ballast
