// ARM NEON variant of silu_mul_scalar.h (compiled with the neon flags of
// cmake/BallastIsaSources.cmake; aarch64 and armv7). Only call when the build
// compiled neon (BALLAST_HAVE_ISA_NEON) and the CPU has NEON:
// kernels/dispatch/ checks.
#pragma once

#include <cstdint>

namespace ballast {

// y[i] = silu(gate[i]) * up[i]; exp through a 4-wide polynomial
// (kernels/activation/exp_neon.h, relative error ~2e-7 against std::exp), so
// results differ from scalar in the last bits. The division is IEEE on
// aarch64 and a reciprocal estimate refined to within ~1 ulp on armv7.
void silu_mul_neon(const float *gate, const float *up, float *y, int64_t n);

}  // namespace ballast
