// Register-tiled batched matmul (prefill) for x86, one getter per ISA file.
//
// The decode kernels (matmul_q8_x86.h) dot one weight row with one activation
// row at a time. For a batch, a tile of R weight rows x C activation rows
// loads (and for Q4_0 unpacks) each weight block once per C activation rows
// and each activation block once per R weight rows, with R x C independent
// accumulators in registers.
//
// Exactness: per output, the arithmetic is the decode row_dot's of the same
// ISA file (same 8 int32 lanes per 32-element block, same f32 scale product,
// same fused multiply-add order across blocks, same final horizontal sum), so
// a prefill row equals the decode result for the same token bit for bit.
// tests/kernels_simd/matmul_variants_test.cpp checks it ("batched gives
// bit-identical results to single-row dots"): if the decode row_dot changes
// its lane layout, this file must follow.
#pragma once

#include "kernels/matmul/matmul_q8_scalar.h"

namespace ballast {

// The avx512vnni kernels with .matmul replaced by the tiled batched matmul
// where one exists (Q4_0, Q5_0, Q8_0, F16); batch 1 (decode) still runs the
// decode kernel. nullptr where matmul_q8_kernels_avx512vnni(type) is nullptr.
// Only call when the build compiled avx512vnni and the CPU supports it.
const QuantizedMatmulKernels *matmul_batched_kernels_avx512vnni(TensorType type);

}  // namespace ballast
