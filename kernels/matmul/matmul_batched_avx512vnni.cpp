// Tiled batched matmul for Q4_0 / Q5_0 / Q8_0 weights x Q8_0 activations and
// F16 x F16, AVX-512 VNNI level (compiled with the avx512vnni flags of
// cmake/BallastIsaSources.cmake).
//
// Tile: R weight rows x 2P activation rows (4 x 8). One zmm holds two activation
// blocks (one per 256-bit half) and the same weight block twice, so one
// vpdpbusd makes the 8 int32 lane sums of two outputs; each half is exactly
// the ymm the decode row_dot (matmul_q8_x86_impl.h, VnniDot) computes.
//
// vpdpbusd multiplies unsigned by signed bytes. Weights are made unsigned by
// an offset (Q4_0: the raw nibble, value + 8; Q5_0: nibble | fifth bit << 4,
// value + 16; Q8_0: value + 128, i.e. the byte xor 0x80), and the offset
// times each lane's activation sum is subtracted by starting the
// accumulation at -offset * sum(x[4 lanes]) (computed once per activation
// block per tile, shared by the R weight rows). The lane sums are then the
// same integers as sum(w * x), exactly.
// GCC 12's AVX-512 intrinsics build their "undefined" upper halves from a
// self-initialised variable, which -W(maybe-)uninitialized reports at every
// inlined use (a false positive, fixed in later GCC); off before <immintrin.h>.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include "kernels/matmul/matmul_batched_x86.h"

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/matmul/matmul_q8_x86.h"
#include "kernels/quant/blocks.h"

namespace ballast {
namespace {

constexpr int64_t kActivationBlockBytes = sizeof(BlockQ8_0);  // 34: f16 d, int8 qs[32]

float f16_at(const uint8_t *p) {
  uint16_t h;
  std::memcpy(&h, p, sizeof h);
  return _cvtsh_ss(h);
}

// The decode kernels' horizontal sum, same order (matmul_q8_x86_impl.h).
float horizontal_sum(__m256 v) {
  const __m128 sum4 = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 sum2 = _mm_add_ps(sum4, _mm_movehl_ps(sum4, sum4));
  const __m128 sum1 = _mm_add_ss(sum2, _mm_movehdup_ps(sum2));
  return _mm_cvtss_f32(sum1);
}

__m256 upper_half(__m512 v) { return _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)); }

__m512 two_broadcasts(float low, float high) {
  const __m512d lo = _mm512_castpd256_pd512(_mm256_castps_pd(_mm256_set1_ps(low)));
  return _mm512_castpd_ps(_mm512_insertf64x4(lo, _mm256_castps_pd(_mm256_set1_ps(high)), 1));
}

// Q8_0 weights: 32 int8 quants at +2 -> w + 128 as u8, in both halves.
struct Q8_0Weights {
  static constexpr int64_t kBlockBytes = sizeof(BlockQ8_0);
  static constexpr char kOffset = static_cast<char>(128);
  static TensorType type() { return TensorType::q8_0; }
  static __m512i unsigned_quants(const uint8_t *block) {
    const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(block + 2));
    return _mm512_xor_si512(_mm512_broadcast_i64x4(q), _mm512_set1_epi8(static_cast<char>(0x80)));
  }
};

// Q4_0 weights: 16 bytes of nibbles at +2 -> [low nibbles | high nibbles]
// (value + 8 as u8), in both halves.
struct Q4_0Weights {
  static constexpr int64_t kBlockBytes = sizeof(BlockQ4_0);
  static constexpr char kOffset = 8;
  static TensorType type() { return TensorType::q4_0; }
  static __m512i unsigned_quants(const uint8_t *block) {
    const __m512i packed = _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i *>(block + 2)));
    const __m512i high = _mm512_srli_epi16(packed, 4);
    // 128-bit lanes 0 and 2 keep the low nibbles, 1 and 3 take the high ones.
    return _mm512_and_si512(_mm512_mask_blend_epi64(0xcc, packed, high), _mm512_set1_epi8(0x0f));
  }
};

// Q5_0 weights: the Q4_0 nibble layout from qs at +6, with the 32 fifth bits
// (qh at +2, bit j -> element j) as bit 4: value + 16 as u8 (0..31), in both halves.
struct Q5_0Weights {
  static constexpr int64_t kBlockBytes = sizeof(BlockQ5_0);
  static constexpr char kOffset = 16;
  static TensorType type() { return TensorType::q5_0; }
  static __m512i unsigned_quants(const uint8_t *block) {
    const __m512i packed = _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i *>(block + 6)));
    const __m512i high = _mm512_srli_epi16(packed, 4);
    const __m512i nibbles = _mm512_and_si512(_mm512_mask_blend_epi64(0xcc, packed, high), _mm512_set1_epi8(0x0f));
    uint32_t bits;
    std::memcpy(&bits, block + 2, sizeof bits);
    const __mmask64 fifth = static_cast<__mmask64>(bits) | static_cast<__mmask64>(bits) << 32;
    return _mm512_or_si512(nibbles, _mm512_maskz_set1_epi8(fifth, 0x10));
  }
};

// y[(b0 + c) * rows + r0 + r] for r < R, c < 2P.
//   w: first of the R weight rows [R][w_row_bytes]   x: first of the 2P activation rows [2P][x_row_bytes]
template <typename Weights, int R, int P>
void tile(const uint8_t *w, int64_t w_row_bytes, const uint8_t *x, int64_t x_row_bytes, int64_t blocks, float *y,
          int64_t rows) {
  __m512 acc[R][P];
  for (int r = 0; r < R; ++r) {
    for (int p = 0; p < P; ++p) acc[r][p] = _mm512_setzero_ps();
  }
  const __m512i offset = _mm512_set1_epi8(Weights::kOffset);
  for (int64_t blk = 0; blk < blocks; ++blk) {
    __m512i xq[P], start[P];
    __m512 dx[P];
    for (int p = 0; p < P; ++p) {
      const uint8_t *x0 = x + (2 * p) * x_row_bytes + blk * kActivationBlockBytes;
      const uint8_t *x1 = x0 + x_row_bytes;
      const __m256i q0 = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(x0 + 2));
      const __m256i q1 = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(x1 + 2));
      xq[p] = _mm512_inserti64x4(_mm512_castsi256_si512(q0), q1, 1);
      start[p] = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_dpbusd_epi32(_mm512_setzero_si512(), offset, xq[p]));
      dx[p] = two_broadcasts(f16_at(x0), f16_at(x1));
    }
    for (int r = 0; r < R; ++r) {
      const uint8_t *block = w + r * w_row_bytes + blk * Weights::kBlockBytes;
      const __m512i wq = Weights::unsigned_quants(block);
      const __m512 dw = _mm512_set1_ps(f16_at(block));
      for (int p = 0; p < P; ++p) {
        const __m512i lane_sums = _mm512_dpbusd_epi32(start[p], wq, xq[p]);
        acc[r][p] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(lane_sums), _mm512_mul_ps(dw, dx[p]), acc[r][p]);
      }
    }
  }
  for (int r = 0; r < R; ++r) {
    for (int p = 0; p < P; ++p) {
      y[(2 * p) * rows + r] = horizontal_sum(_mm512_castps512_ps256(acc[r][p]));
      y[(2 * p + 1) * rows + r] = horizontal_sum(upper_half(acc[r][p]));
    }
  }
}

constexpr int kTileRows = 4;   // R (4/4 measured best of 2..5 x 2..4 on Zen 4)
constexpr int kTilePairs = 4;  // P: 2P = 8 activation rows per tile

// The R-row band [r, r + R) against every pair of activation rows.
template <typename Weights, int R>
void band(const uint8_t *w, int64_t w_row_bytes, const uint8_t *x, int64_t x_row_bytes, int64_t blocks, float *y,
          int64_t rows, int64_t r, int64_t pairs_end) {
  int64_t b = 0;
  for (; b + 2 * kTilePairs <= pairs_end; b += 2 * kTilePairs) {
    tile<Weights, R, kTilePairs>(w + r * w_row_bytes, w_row_bytes, x + b * x_row_bytes, x_row_bytes, blocks,
                                 y + b * rows + r, rows);
  }
  for (; b < pairs_end; b += 2) {
    tile<Weights, R, 1>(w + r * w_row_bytes, w_row_bytes, x + b * x_row_bytes, x_row_bytes, blocks, y + b * rows + r,
                        rows);
  }
}

// QuantizedMatmulFn: batch 1 is the decode kernel; otherwise tiles over row
// bands and activation pairs, and an odd last activation row through the
// decode row_dot.
template <typename Weights>
void matmul_tiled(const void *weights, const void *x_q, float *y, int64_t rows, int64_t cols, int64_t batch,
                  int64_t row_begin, int64_t row_end) {
  static const QuantizedMatmulKernels *const decode = matmul_q8_kernels_avx512vnni(Weights::type());
  if (batch < 2) {
    decode->matmul(weights, x_q, y, rows, cols, batch, row_begin, row_end);
    return;
  }
  const uint8_t *w = static_cast<const uint8_t *>(weights);
  const uint8_t *x = static_cast<const uint8_t *>(x_q);
  const int64_t blocks = cols / kQuantBlock;
  const int64_t w_row_bytes = blocks * Weights::kBlockBytes;
  const int64_t x_row_bytes = blocks * kActivationBlockBytes;
  const int64_t pairs_end = batch & ~int64_t{1};
  int64_t r = row_begin;
  for (; r + kTileRows <= row_end; r += kTileRows) band<Weights, kTileRows>(w, w_row_bytes, x, x_row_bytes, blocks, y, rows, r, pairs_end);
  for (; r < row_end; ++r) band<Weights, 1>(w, w_row_bytes, x, x_row_bytes, blocks, y, rows, r, pairs_end);
  if (pairs_end < batch) {
    const uint8_t *x_last = x + pairs_end * x_row_bytes;
    for (int64_t row = row_begin; row < row_end; ++row) {
      y[pairs_end * rows + row] = decode->row_dot(w + row * w_row_bytes, x_last, cols);
    }
  }
}

// ---- F16 weights x F16 activations ---------------------------------------------
//
// The decode row_dot (row_dot_float<f16> in matmul_q8_x86_impl.h) keeps four
// 8-lane f32 accumulators over 32-element steps: acc0 covers elements
// i..i+7, acc1 i+8..i+15, acc2 i+16..i+23, acc3 i+24..i+31. A zmm over
// elements i..i+15 is [acc0 | acc1] and one over i+16..i+31 is [acc2 | acc3],
// so a 512-bit FMA is exactly two of its 256-bit ones; the tails and the
// final sum are its code, per output.

__m512 load16_f16(const uint8_t *p) { return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(p))); }
__m256 load8_f16(const uint8_t *p) { return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p))); }
__m256 lower_half(__m512 v) { return _mm512_castps512_ps256(v); }

// y[c * rows + r] for r < R, c < C.   w: [R][cols] f16   x: [C][cols] f16 (row stride 2 * cols bytes)
template <int R, int C>
void f16_tile(const uint8_t *w, const uint8_t *x, int64_t cols, float *y, int64_t rows) {
  const int64_t stride = 2 * cols;
  __m512 low[R][C], high[R][C];  // [acc0 | acc1], [acc2 | acc3]
  for (int r = 0; r < R; ++r) {
    for (int c = 0; c < C; ++c) low[r][c] = high[r][c] = _mm512_setzero_ps();
  }
  int64_t i = 0;
  for (; i + 32 <= cols; i += 32) {
    __m512 x_low[C], x_high[C];
    for (int c = 0; c < C; ++c) {
      x_low[c] = load16_f16(x + c * stride + 2 * i);
      x_high[c] = load16_f16(x + c * stride + 2 * (i + 16));
    }
    for (int r = 0; r < R; ++r) {
      const __m512 w_low = load16_f16(w + r * stride + 2 * i);
      const __m512 w_high = load16_f16(w + r * stride + 2 * (i + 16));
      for (int c = 0; c < C; ++c) {
        low[r][c] = _mm512_fmadd_ps(w_low, x_low[c], low[r][c]);
        high[r][c] = _mm512_fmadd_ps(w_high, x_high[c], high[r][c]);
      }
    }
  }
  for (int r = 0; r < R; ++r) {
    const uint8_t *w_row = w + r * stride;
    for (int c = 0; c < C; ++c) {
      const uint8_t *x_row = x + c * stride;
      __m256 acc0 = lower_half(low[r][c]);
      const __m256 acc1 = upper_half(low[r][c]), acc2 = lower_half(high[r][c]), acc3 = upper_half(high[r][c]);
      int64_t j = i;
      for (; j + 8 <= cols; j += 8) acc0 = _mm256_fmadd_ps(load8_f16(w_row + 2 * j), load8_f16(x_row + 2 * j), acc0);
      float sum = horizontal_sum(_mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3)));
      for (; j < cols; ++j) sum += f16_at(w_row + 2 * j) * f16_at(x_row + 2 * j);
      y[c * rows + r] = sum;
    }
  }
}

constexpr int kF16TileRows = 2;
constexpr int kF16TileBatch = 4;

template <int R>
void f16_band(const uint8_t *w, const uint8_t *x, int64_t cols, int64_t batch, float *y, int64_t rows, int64_t r) {
  const int64_t stride = 2 * cols;
  int64_t b = 0;
  for (; b + kF16TileBatch <= batch; b += kF16TileBatch) {
    f16_tile<R, kF16TileBatch>(w + r * stride, x + b * stride, cols, y + b * rows + r, rows);
  }
  for (; b < batch; ++b) f16_tile<R, 1>(w + r * stride, x + b * stride, cols, y + b * rows + r, rows);
}

void matmul_tiled_f16(const void *weights, const void *x_q, float *y, int64_t rows, int64_t cols, int64_t batch,
                      int64_t row_begin, int64_t row_end) {
  static const QuantizedMatmulKernels *const decode = matmul_q8_kernels_avx512vnni(TensorType::f16);
  if (batch < 2) {
    decode->matmul(weights, x_q, y, rows, cols, batch, row_begin, row_end);
    return;
  }
  const uint8_t *w = static_cast<const uint8_t *>(weights);
  const uint8_t *x = static_cast<const uint8_t *>(x_q);
  int64_t r = row_begin;
  for (; r + kF16TileRows <= row_end; r += kF16TileRows) f16_band<kF16TileRows>(w, x, cols, batch, y, rows, r);
  for (; r < row_end; ++r) f16_band<1>(w, x, cols, batch, y, rows, r);
}

QuantizedMatmulKernels with_tiled_matmul(TensorType type, QuantizedMatmulFn matmul) {
  QuantizedMatmulKernels kernels = *matmul_q8_kernels_avx512vnni(type);
  kernels.matmul = matmul;
  return kernels;
}

}  // namespace

const QuantizedMatmulKernels *matmul_batched_kernels_avx512vnni(TensorType type) {
  static const QuantizedMatmulKernels q8_0 = with_tiled_matmul(TensorType::q8_0, matmul_tiled<Q8_0Weights>);
  static const QuantizedMatmulKernels q4_0 = with_tiled_matmul(TensorType::q4_0, matmul_tiled<Q4_0Weights>);
  static const QuantizedMatmulKernels q5_0 = with_tiled_matmul(TensorType::q5_0, matmul_tiled<Q5_0Weights>);
  static const QuantizedMatmulKernels f16 = with_tiled_matmul(TensorType::f16, matmul_tiled_f16);
  switch (type) {
    case TensorType::f16: return &f16;
    case TensorType::q8_0: return &q8_0;
    case TensorType::q4_0: return &q4_0;
    case TensorType::q5_0: return &q5_0;
    default: return matmul_q8_kernels_avx512vnni(type);
  }
}

}  // namespace ballast
