// ARM variant of the RoPE row rotations (rope.h's RopeKernels): NEON,
// aarch64 only, the scalar reference's bits. armv7 keeps the scalar
// reference: its NEON flushes f32 denormals to zero (the reference does
// not) and its vector f16 conversions need -mfp16-format=ieee, which the
// build does not set. The body lives in rope_neon.cpp, compiled with the
// neon flags.
#pragma once

#include "kernels/rope/rope.h"

namespace ballast {

#if defined(__aarch64__)
RopeKernels rope_kernels_neon();
#endif

}  // namespace ballast
