// The matvec / matmul op family: one signature per entry point, shared by the
// scalar reference (matmul_scalar.h) and every later ISA variant, so a
// dispatch table can hold any of them.
//
// Weights W are a GGUF tensor used in place: `rows` rows (GGUF ne1) of `cols`
// elements (GGUF ne0), each row quant_row_bytes(type, cols) bytes, rows back to
// back. `cols` must be a multiple of the type's block size (32 for the legacy
// formats, 256 for K-quants, 1 for F32/F16/BF16); the model loader checks this.
// Activations and outputs are f32. Nothing here allocates. Row ranges
// [row_begin, row_end) let a thread pool split the rows; rows outside the
// range are neither read nor written.
#pragma once

#include <cstdint>

namespace ballast {

// Dot product of one weight row (`cols` elements, the type's block layout)
// with x[cols].
using RowDotFn = float (*)(const void *row, const float *x, int64_t cols);

// Decode: y[r] = dot(W[r], x) for r in [row_begin, row_end).
//   weights: [rows][row_bytes]   x: [cols] f32   y: [rows] f32 (only the range is written)
using MatvecFn = void (*)(const void *weights, const float *x, float *y, int64_t cols, int64_t row_begin,
                          int64_t row_end);

// Prefill: Y[b][r] = dot(W[r], X[b]) for b in [0, batch), r in [row_begin, row_end).
//   weights: [rows][row_bytes]   x: [batch][cols] f32   y: [batch][rows] f32
using MatmulFn = void (*)(const void *weights, const float *x, float *y, int64_t rows, int64_t cols, int64_t batch,
                          int64_t row_begin, int64_t row_end);

// The three entry points for one weight type.
struct MatmulKernels {
  RowDotFn row_dot;
  MatvecFn matvec;
  MatmulFn matmul;
};

}  // namespace ballast
