// x86 SIMD variants of the matmul_q8_scalar.h kernels, one getter per ISA
// translation unit. Each returns nullptr for a weight type it has no variant
// for (the scalar kernels then serve that type). Only call a getter when the
// build compiled it (BALLAST_HAVE_ISA_<ISA>, see cmake/BallastIsaSources.cmake)
// and the CPU supports it: kernels/dispatch/ does both checks.
//
//   avx2        AVX2 + FMA + F16C, int8 dots via vpmaddubsw/vpmaddwd
//   avx512      AVX-512 F/BW/VL encodings of the same 256-bit kernels
//   avxvnni     avx2 kernels with legacy-block int8 dots via VEX vpdpbusd (AVX-VNNI)
//   avx512vnni  legacy-block int8 dots via vpdpbusd (AVX-512 VNNI, 256-bit VL)
//
// BF16 weights at the AVX-512-BF16 level live in matmul_bf16_avx512bf16.h.
#pragma once

#include "kernels/matmul/matmul_q8_scalar.h"

namespace ballast {

const QuantizedMatmulKernels *matmul_q8_kernels_avx2(TensorType type);
const QuantizedMatmulKernels *matmul_q8_kernels_avx512(TensorType type);
const QuantizedMatmulKernels *matmul_q8_kernels_avx512vnni(TensorType type);
const QuantizedMatmulKernels *matmul_q8_kernels_avxvnni(TensorType type);

}  // namespace ballast
