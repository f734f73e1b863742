// ARM SIMD variants of the matmul_q8_scalar.h kernels, one getter per ISA
// translation unit. Each returns nullptr for a weight type it has no variant
// for (the scalar kernels then serve that type). Only call a getter when the
// build compiled it (BALLAST_HAVE_ISA_<ISA>, see cmake/BallastIsaSources.cmake)
// and the CPU supports it: kernels/dispatch/ does both checks.
//
//   neon     aarch64 and armv7 NEON: int8 dots via vmull_s8 + vpadal (int16
//            products, exact), f32/f16/bf16 rows with 4-wide multiply-adds
//   dotprod  aarch64 Armv8.2 SDOT (vdotq_s32): 4 int8 products per lane per step
//   i8mm     aarch64 Armv8.6 SMMLA (vmmlaq_s32): Q8_0/Q4_0 prefill as 2 weight
//            rows x 2 activation rows per instruction; everything else (and
//            batch-1 rows) as dotprod
#pragma once

#include "kernels/matmul/matmul_q8_scalar.h"

namespace ballast {

const QuantizedMatmulKernels *matmul_q8_kernels_neon(TensorType type);
const QuantizedMatmulKernels *matmul_q8_kernels_dotprod(TensorType type);
const QuantizedMatmulKernels *matmul_q8_kernels_i8mm(TensorType type);

}  // namespace ballast
