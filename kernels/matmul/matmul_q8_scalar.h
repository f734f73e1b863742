// Scalar matvec / matmul with quantized activations: the arithmetic llama.cpp's
// CPU backend does. The activation row x is first converted to the format
// paired with the weight type, then each weight block is dotted with the
// matching activation block in integers and scaled once per block:
//
//   weights            activations  per block
//   F32                f32          f32 multiply-add
//   F16 / BF16         f16 / bf16   x rounded to the weight's format, f32 sum
//   Q4_0, Q5_0, Q8_0   Q8_0         isum * d_w * d_x
//   Q4_1, Q5_1         Q8_1         isum * d_w * d_x + m_w * s_x
//   Q4_K, Q5_K, Q6_K   Q8_K         per sub-block integer sums, mins via bsums
//
// Which path is the reference: matmul_scalar.h (f32 activations, exact
// dequantized weights) is the ground truth for the model's math; this file
// is the reference that integer SIMD kernels (VNNI, dotprod, i8mm) must match,
// and it tracks llama.cpp's logits more closely (same activation rounding).
// Results differ from matmul_scalar.h by the activation rounding (~0.4% of
// an element's magnitude for 8-bit formats, mostly averaging out in the sum).
//
// Caller-provided activation buffer: batch rows of activation_row_bytes(type,
// cols) bytes each: at most 2 * cols bytes per row for every format but f32
// (the memory plan's activations_converted region assumes this); f32's layout
// is plain f32, so pass x itself as x_q there instead of copying. Nothing allocates.
#pragma once

#include <cstdint>

#include "kernels/quant/tensor_type.h"

namespace ballast {

// q8_0_sums: a Q8_0 row followed by every block's quant sum,
//   [blocks] BlockQ8_0, then [blocks] int16 sum(qs)   (|sum| <= 32 * 127)
// for kernels that dot UNSIGNED weights and subtract offset * sum once per
// block (the repacked Q4_0 kernels, interleaved_x8.h).
enum class ActivationType : uint8_t { f32, f16, bf16, q8_0, q8_1, q8_k, q8_0_sums };
const char *activation_type_name(ActivationType type);

// Bytes of one activation row of `cols` elements, or -1 when cols is not a
// whole number of the format's blocks (32 for Q8_0/Q8_1, 256 for Q8_K).
int64_t activation_row_bytes(ActivationType type, int64_t cols);

// One row: x [cols] f32 -> x_q [activation_row_bytes(type, cols)] bytes.
using QuantizeActivationsFn = void (*)(const float *x, void *x_q, int64_t cols);

// Dot of one weight row with one quantized activation row.
using QuantizedRowDotFn = float (*)(const void *row, const void *x_q, int64_t cols);

// Y[b][r] = dot(W[r], Xq[b]) for b in [0, batch), r in [row_begin, row_end).
//   weights: [rows][row_bytes]   x_q: [batch][activation_row_bytes]   y: [batch][rows] f32
// Decode is batch = 1.
using QuantizedMatmulFn = void (*)(const void *weights, const void *x_q, float *y, int64_t rows, int64_t cols,
                                   int64_t batch, int64_t row_begin, int64_t row_end);

// Kernels over weights REPACKED once, when a session starts, into a SIMD
// layout of their own (e.g. 8 rows interleaved: interleaved_x8.h). The
// session copies each such weight matrix into its plan's `repacked_weights`
// region with `repack` and then calls `matmul` on the copy; the file's bytes
// are no longer read by the matmuls.
struct RepackedMatmulKernels {
  const char *layout;                                  // name shown by `ballast info`, e.g. "q4_0x8"
  int64_t (*repacked_bytes)(int64_t rows, int64_t cols);  // size of the copy
  // weights [rows][row_bytes] in the type's GGUF layout -> repacked [repacked_bytes(rows, cols)].
  // The layouts keep each group of `row_group` rows in the same bytes as
  // the original rows, so a matrix may be repacked slice by slice: rows
  // [r0, r1) with r0 % row_group == 0 go from and to bytes [r0, r1) x row_bytes.
  void (*repack)(const void *weights, void *repacked, int64_t rows, int64_t cols);
  int64_t row_group;
  ActivationType activation;
  QuantizeActivationsFn quantize_activations;
  // As QuantizedMatmulFn with `weights` = the repacked copy. May read (never
  // write) the other rows of a row group that [row_begin, row_end) cuts.
  QuantizedMatmulFn matmul;
  // Row `row` of the repacked copy dequantized to out[cols] f32 (exactly the
  // file row's values): the token embedding of a model whose output matrix
  // is the embedding table reads it here instead of the file.
  void (*dequantize_row)(const void *repacked, int64_t rows, int64_t cols, int64_t row, float *out);
};

struct QuantizedMatmulKernels {
  ActivationType activation;                  // the format x must be converted to
  QuantizeActivationsFn quantize_activations; // f32 -> that format, one row
  QuantizedRowDotFn row_dot;
  QuantizedMatmulFn matmul;
  const RepackedMatmulKernels *repacked = nullptr;  // set when this variant runs on repacked weights
};

// nullptr for a type without kernels (none today).
const QuantizedMatmulKernels *matmul_q8_kernels_scalar(TensorType type);

// Q8_1 (activations for Q4_1 / Q5_1; never stored in files). value = q * d;
// s = d * sum(q), so the weight's offset term is m_w * s.
struct BlockQ8_1 {
  uint16_t d;      // f16 scale
  uint16_t s;      // f16 d * sum(qs)
  int8_t qs[32];   // [32]
};
static_assert(sizeof(BlockQ8_1) == 36, "Q8_1 block is 36 bytes");

void quantize_row_q8_1(const float *x, void *blocks, int64_t n);
void dequantize_row_q8_1(const void *blocks, float *out, int64_t n);

// Q8_0 activations (for Q8_0 / Q4_0 / Q5_0 weights) as llama.cpp's CPU backend
// makes them: q = round(x / d) with the unrounded d = max|x| / 127, ties away
// from zero; only the stored scale is rounded to f16. (The weight quantizer
// quantize_row_q8_0 divides by the f16-rounded scale instead: a different
// rounding for up to ~1 in 20 values, which the golden tests see as logit
// errors of ~3% of the row's max.)
void quantize_activations_q8_0(const float *x, void *blocks, int64_t n);

// q8_0_sums rows: the Q8_0 quantization above, then the block sums.
void quantize_activations_q8_0_sums(const float *x, void *row, int64_t n);
// Writes the block sums after a row whose Q8_0 blocks are already there
// (for SIMD Q8_0 converters).
void append_q8_0_block_sums(void *row, int64_t n);

}  // namespace ballast
