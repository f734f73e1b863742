// Scalar reference matvec / matmul for every weight type Ballast reads
// (F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K): the ground
// truth that SIMD variants are tested against.
//
// Method: each row is walked in chunks of up to 256 elements (a whole number
// of blocks); a chunk is dequantized with the type's dequantize_row_* into a
// stack buffer and dotted with the f32 activations. Sums are f32: eight
// partial sums per chunk combined in a fixed order, accumulated across chunks. Activations are used as f32 as given (no
// activation quantization): this is the "exact weights" reference. See
// matmul_q8_scalar.h for the llama.cpp-style path that quantizes activations.
#pragma once

#include "kernels/matmul/matmul_fn.h"
#include "kernels/quant/tensor_type.h"

namespace ballast {

// nullptr for a type without kernels (none today: every TensorType has them).
const MatmulKernels *matmul_kernels_scalar(TensorType type);

}  // namespace ballast
