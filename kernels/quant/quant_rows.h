// Scalar reference quantize/dequantize for every block format (the ground
// truth that ISA-specific kernels are tested against).
//
// `n` is the number of elements and must be a multiple of the type's block
// size (32 for the legacy formats, 256 for K-quants); callers check this
// (quant_type_traits() and GgufWriter::tensor_bytes do). `blocks` holds n /
// block_elements blocks and need not be aligned.
#pragma once

#include <cstdint>

namespace ballast {

void dequantize_row_q4_0(const void *blocks, float *out, int64_t n);
void dequantize_row_q4_1(const void *blocks, float *out, int64_t n);
void dequantize_row_q5_0(const void *blocks, float *out, int64_t n);
void dequantize_row_q5_1(const void *blocks, float *out, int64_t n);
void dequantize_row_q8_0(const void *blocks, float *out, int64_t n);
void dequantize_row_q4_k(const void *blocks, float *out, int64_t n);
void dequantize_row_q5_k(const void *blocks, float *out, int64_t n);
void dequantize_row_q6_k(const void *blocks, float *out, int64_t n);
void dequantize_row_q8_k(const void *blocks, float *out, int64_t n);

// Reference quantizers. Deterministic; every element ends up on the grid
// point nearest to it given the block's stored (f16-rounded) scales.
void quantize_row_q4_0(const float *in, void *blocks, int64_t n);
void quantize_row_q4_1(const float *in, void *blocks, int64_t n);
void quantize_row_q5_0(const float *in, void *blocks, int64_t n);
void quantize_row_q5_1(const float *in, void *blocks, int64_t n);
void quantize_row_q8_0(const float *in, void *blocks, int64_t n);
void quantize_row_q4_k(const float *in, void *blocks, int64_t n);
void quantize_row_q5_k(const float *in, void *blocks, int64_t n);
void quantize_row_q6_k(const float *in, void *blocks, int64_t n);
void quantize_row_q8_k(const float *in, void *blocks, int64_t n);

// Plain float rows, same signature so the traits table can treat every type alike.
void dequantize_row_f32(const void *src, float *out, int64_t n);
void dequantize_row_f16(const void *src, float *out, int64_t n);
void dequantize_row_bf16(const void *src, float *out, int64_t n);
void quantize_row_f32(const float *in, void *dst, int64_t n);
void quantize_row_f16(const float *in, void *dst, int64_t n);
void quantize_row_bf16(const float *in, void *dst, int64_t n);

}  // namespace ballast
