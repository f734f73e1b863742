// x86 SIMD variant of silu_mul_scalar.h (compiled with the avx2 flags of
// cmake/BallastIsaSources.cmake). Only call when the build compiled avx2
// (BALLAST_HAVE_ISA_AVX2) and the CPU has AVX2 + FMA: kernels/dispatch/ checks.
#pragma once

#include <cstdint>

namespace ballast {

// y[i] = silu(gate[i]) * up[i]; exp through an 8-wide polynomial (relative
// error ~2e-7 against std::exp), so results differ from scalar in the last bits.
void silu_mul_avx2(const float *gate, const float *up, float *y, int64_t n);

}  // namespace ballast
