// x86 variant of the RoPE row rotations (rope.h's RopeKernels): AVX2 + F16C,
// 8 lanes, the scalar reference's bits. The body lives in rope_avx2.cpp,
// compiled with AVX2 flags; call it only on a CPU with AVX2, FMA and F16C
// (the dispatch table checks).
#pragma once

#include "kernels/rope/rope.h"

namespace ballast {

RopeKernels rope_kernels_avx2();

}  // namespace ballast
