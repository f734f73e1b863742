// BF16 weights x BF16 activations with vdpbf16ps (AVX-512-BF16), compiled with
// the avx512bf16 flags of cmake/BallastIsaSources.cmake.
//
// One vdpbf16ps takes 32 bf16 pairs (one 64-byte chunk of a weight row and of
// an activation row) into 16 f32 lanes: lane j += w[2j] * x[2j] + w[2j+1] * x[2j+1].
// Per output the arithmetic is fixed, whatever the tile shape:
//   chunk k (elements [32k, 32k + 32)) goes to accumulator k % 2;
//   the last, partial chunk (cols % 32 elements, any cols >= 1) is a masked
//   load whose missing elements are zero;
//   result = the 16 lanes of acc0 + acc1, summed by _mm512_reduce_add_ps.
// So prefill (a tile of R weight rows x C activation rows, R * C * 2
// accumulators in registers, each weight chunk loaded once per C activation
// rows and each activation chunk once per R weight rows) equals decode bit for
// bit, and row_dot is the 1 x 1 tile.
//
// vdpbf16ps differs from the scalar reference (f32 products, f32 sums in
// another order) by f32 rounding only: bf16 x bf16 products are exact in
// f32, the instruction rounds its sums to nearest even. It also treats bf16
// denormal inputs as zero and flushes denormal results; model weights and
// activations of that size (< 1e-38) contribute nothing measurable. The
// tests compare with scalar within 1e-5 of sum |w * x| and exactly on
// integer-valued data.
//
// Decode (batch 1) is bandwidth-bound: one row at a time (1 x 1 tiles) with
// the next row's first line prefetched, as the other x86 decode kernels do.
// 4 x 1 tiles (four weight rows streamed side by side) measured 1.5-2x
// slower on Zen 4 for SmolLM2-135M BF16 (the weights come from DRAM).
// Prefill is where vdpbf16ps pays: 4 x 3 tiles, compute-bound, 32
// multiply-adds per instruction against the avx512vnni file's
// widen-then-FMA (8 per FMA, plus the widening of both operands).
// Measured (Zen 4, one thread, SmolLM2 shapes, batch 64-128): 60-80 GMAC/s,
// 4-6x the widen-then-FMA rows; oneDNN bf16 (when the build has it) is
// 1.1-1.4x faster on the cols = 576 shapes and level on 576 x 1536. It
// computes from a repacked weight layout with broadcast activations and no
// horizontal sums; a repacked BF16 layout here would be the next step.
// GCC 12's AVX-512 intrinsics build their "undefined" upper halves from a
// self-initialised variable, which -Wmaybe-uninitialized reports at every
// inlined use (a false positive, fixed in later GCC); off before <immintrin.h>.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include "kernels/matmul/matmul_bf16_avx512bf16.h"

#include <immintrin.h>

#include <cstdint>

namespace ballast {
namespace {

constexpr int64_t kChunkElements = 32;  // bf16 pairs per vdpbf16ps x 2
constexpr int64_t kChunkBytes = 64;

__m512bh load_chunk(const uint8_t *p) { return (__m512bh)_mm512_loadu_si512(p); }

// The first `count` (< 32) elements of a chunk, zeros after (no read past them).
__m512bh load_partial_chunk(const uint8_t *p, int64_t count) {
  const __mmask32 mask = static_cast<__mmask32>((uint32_t{1} << count) - 1u);
  return (__m512bh)_mm512_maskz_loadu_epi16(mask, p);
}

// y[c * rows + r] = dot(W[r], X[c]) for r < R, c < C.
//   w: [R][cols] bf16 (row stride 2 * cols bytes)   x: [C][cols] bf16 (same stride)
template <int R, int C>
void bf16_tile(const uint8_t *w, const uint8_t *x, int64_t cols, float *y, int64_t rows) {
  const int64_t stride = 2 * cols;
  __m512 acc[2][R][C];  // [chunk % 2][weight row][activation row]
  for (int h = 0; h < 2; ++h) {
    for (int r = 0; r < R; ++r) {
      for (int c = 0; c < C; ++c) acc[h][r][c] = _mm512_setzero_ps();
    }
  }
  // One chunk (or the partial last one) of every row into acc[h].
  auto step = [&](int h, int64_t offset, int64_t count) {
    __m512bh xv[C];
    for (int c = 0; c < C; ++c) {
      xv[c] = count == kChunkElements ? load_chunk(x + c * stride + offset)
                                      : load_partial_chunk(x + c * stride + offset, count);
    }
    for (int r = 0; r < R; ++r) {
      const __m512bh wv = count == kChunkElements ? load_chunk(w + r * stride + offset)
                                                  : load_partial_chunk(w + r * stride + offset, count);
      for (int c = 0; c < C; ++c) acc[h][r][c] = _mm512_dpbf16_ps(acc[h][r][c], wv, xv[c]);
    }
  };
  const int64_t full = cols / kChunkElements;
  int64_t k = 0;
  for (; k + 2 <= full; k += 2) {
    step(0, k * kChunkBytes, kChunkElements);
    step(1, (k + 1) * kChunkBytes, kChunkElements);
  }
  if (k < full) {
    step(0, k * kChunkBytes, kChunkElements);
    ++k;
  }
  const int64_t rest = cols - full * kChunkElements;
  if (rest > 0) step(static_cast<int>(k % 2), k * kChunkBytes, rest);
  for (int r = 0; r < R; ++r) {
    for (int c = 0; c < C; ++c) y[c * rows + r] = _mm512_reduce_add_ps(_mm512_add_ps(acc[0][r][c], acc[1][r][c]));
  }
}

constexpr int kTileRows = 4;   // R
constexpr int kTileBatch = 3;  // C: 2 x 4 x 3 = 24 accumulators + 3 activation chunks + 1 weight chunk <= 32 zmm
// (4 x 3, 3 x 4 and 6 x 2 measured alike on Zen 4; 2 x 4 and 2 x 6 slower)

// The R-row band [r, r + R) against every activation row.
template <int R>
void bf16_band(const uint8_t *w, const uint8_t *x, int64_t cols, int64_t batch, float *y, int64_t rows, int64_t r) {
  const int64_t stride = 2 * cols;
  int64_t b = 0;
  for (; b + kTileBatch <= batch; b += kTileBatch) {
    bf16_tile<R, kTileBatch>(w + r * stride, x + b * stride, cols, y + b * rows + r, rows);
  }
  for (; b < batch; ++b) bf16_tile<R, 1>(w + r * stride, x + b * stride, cols, y + b * rows + r, rows);
}

// QuantizedMatmulFn: Y[b][r] for b < batch, r in [row_begin, row_end).
void matmul_bf16(const void *weights, const void *x_q, float *y, int64_t rows, int64_t cols, int64_t batch,
                 int64_t row_begin, int64_t row_end) {
  const uint8_t *w = static_cast<const uint8_t *>(weights);
  const uint8_t *x = static_cast<const uint8_t *>(x_q);
  const int64_t stride = 2 * cols;
  if (batch == 1) {  // decode: one weight row after another
    for (int64_t row = row_begin; row < row_end; ++row) {
      if (row + 1 < row_end) _mm_prefetch(reinterpret_cast<const char *>(w + (row + 1) * stride), _MM_HINT_T0);
      bf16_tile<1, 1>(w + row * stride, x, cols, y + row, rows);
    }
    return;
  }
  int64_t r = row_begin;
  for (; r + kTileRows <= row_end; r += kTileRows) bf16_band<kTileRows>(w, x, cols, batch, y, rows, r);
  for (; r < row_end; ++r) bf16_band<1>(w, x, cols, batch, y, rows, r);
}

float row_dot_bf16(const void *row, const void *x_q, int64_t cols) {
  float out = 0.0f;
  bf16_tile<1, 1>(static_cast<const uint8_t *>(row), static_cast<const uint8_t *>(x_q), cols, &out, 1);
  return out;
}

QuantizedMatmulKernels bf16_kernels() {
  QuantizedMatmulKernels kernels = *matmul_q8_kernels_scalar(TensorType::bf16);  // bf16 activations, its converter
  kernels.row_dot = row_dot_bf16;
  kernels.matmul = matmul_bf16;
  return kernels;
}

}  // namespace

const QuantizedMatmulKernels *matmul_bf16_kernels_avx512bf16(TensorType type) {
  static const QuantizedMatmulKernels bf16 = bf16_kernels();
  return type == TensorType::bf16 ? &bf16 : nullptr;
}

}  // namespace ballast
