// x86 SIMD variant of rms_norm_scalar.h (compiled with the avx2 flags of
// cmake/BallastIsaSources.cmake). Only call when the build compiled avx2
// (BALLAST_HAVE_ISA_AVX2) and the CPU has AVX2 + FMA: kernels/dispatch/ checks.
#pragma once

#include <cstdint>

namespace ballast {

// As rms_norm_rows_scalar: the sum of squares in double (8 lanes of exact
// f32 products, summed in another order, so the mean may differ in its last
// bit), then y = x * scale * weight with the scalar's rounding.
void rms_norm_rows_avx2(const float *x, const float *weight, float *y, int64_t rows, int64_t n, float eps);

}  // namespace ballast
