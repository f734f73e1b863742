// BF16 weights x BF16 activations at the AVX-512-BF16 level (vdpbf16ps),
// decode and register-tiled prefill; matmul_bf16_avx512bf16.cpp.
#pragma once

#include "kernels/matmul/matmul_q8_scalar.h"

namespace ballast {

// The BF16 kernels for type == TensorType::bf16 (activations: the scalar
// entry's bf16 format and converter); nullptr for every other type, whose
// kernels then come from the earlier variants. Only call when the build
// compiled avx512bf16 (BALLAST_HAVE_ISA_AVX512BF16) and the CPU supports it.
const QuantizedMatmulKernels *matmul_bf16_kernels_avx512bf16(TensorType type);

}  // namespace ballast
