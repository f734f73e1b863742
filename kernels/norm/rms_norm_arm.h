// ARM NEON variant of rms_norm_scalar.h (compiled with the neon flags of
// cmake/BallastIsaSources.cmake; aarch64 and armv7). Only call when the build
// compiled neon (BALLAST_HAVE_ISA_NEON) and the CPU has NEON:
// kernels/dispatch/ checks.
#pragma once

#include <cstdint>

namespace ballast {

// As rms_norm_rows_scalar: the sum of squares in double (exact f32 products,
// 8 partial sums -- f64 vector lanes on aarch64, VFP doubles on armv7, the
// same bits on both -- summed in another order than scalar, so the mean may
// differ in its last bit), then y = x * scale * weight with the scalar's
// rounding, 4 lanes at a time.
void rms_norm_rows_neon(const float *x, const float *weight, float *y, int64_t rows, int64_t n, float eps);

}  // namespace ballast
