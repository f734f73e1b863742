// AVX-VNNI (VEX) variant of the matmul_q8 kernels, for CPUs with AVX-VNNI but
// no AVX-512 (Intel Alder Lake / Raptor Lake, N100-class gateways). Compiled
// with the avxvnni flags of cmake/BallastIsaSources.cmake. The avx2 kernels'
// bodies (matmul_q8_x86_impl.h) with the legacy-block int8 dots done by one
// VEX vpdpbusd (u8 x s8 -> int32, no int16 intermediate) instead of
// vpmaddubsw + vpmaddwd, and the repacked q4_0x8, q5_0x8 and q8_0x8 kernels (q8_0x8
// needs a dot exact for any u8, which vpmaddubsw's int16 pair sums are not).
// K-quants keep the maddubs path (their sub-block scales ride in the
// int16 -> int32 step), as in the avx512vnni file.
//
// EVEX twin: this CPU class cannot be emulated here, so the file is also
// compiled a second time by a test (tests/kernels_simd/matmul_avxvnni_evex_twin.cpp)
// with BALLAST_AVXVNNI_EVEX_TWIN defined and AVX-512 VL + VNNI flags, which
// selects _mm256_dpbusd_epi32: the same 256-bit vpdpbusd, EVEX-encoded, with
// identical semantics. Everything but the one intrinsic name is the same code.
#include "kernels/matmul/matmul_q8_x86.h"

#include "kernels/matmul/matmul_q8_x86_impl.h"
#include "kernels/matmul/matmul_interleaved_x8_x86_impl.h"

// acc + per int32 lane the sum of 4 products u8 x s8 (exact for any bytes).
#if defined(BALLAST_AVXVNNI_EVEX_TWIN)
#define BALLAST_DPBUSD_256 _mm256_dpbusd_epi32  // EVEX (AVX-512 VL + VNNI), test twin only
#else
#define BALLAST_DPBUSD_256 _mm256_dpbusd_avx_epi32  // VEX (AVX-VNNI)
#endif

namespace ballast {
namespace {

struct AvxVnniDot {
  // 32 int8 pairs -> 8 int32 partial sums: |w| (u8) x sign(x, w) (s8), exact.
  static __m256i dot_s8(__m256i w, __m256i x) {
    return BALLAST_DPBUSD_256(_mm256_setzero_si256(), _mm256_sign_epi8(w, w), _mm256_sign_epi8(x, w));
  }
  // acc + per lane the 4 products u1 x s1 plus the 4 u2 x s2 (any u8).
  static __m256i dot_pair(__m256i acc, __m256i u1, __m256i s1, __m256i u2, __m256i s2) {
    return BALLAST_DPBUSD_256(BALLAST_DPBUSD_256(acc, u1, s1), u2, s2);
  }
};

X86Q8KernelSet avxvnni_kernels() {
  X86Q8KernelSet set = x86_q8_kernels<AvxVnniDot>();
  static const RepackedMatmulKernels q4_0x8 = q4_0x8_kernels_x86<AvxVnniDot>();
  static const RepackedMatmulKernels q5_0x8 = q5_0x8_kernels_x86<AvxVnniDot>();
  static const RepackedMatmulKernels q8_0x8 = q8_0x8_kernels_x86<AvxVnniDot>();
  set.q4_0.repacked = &q4_0x8;
  set.q5_0.repacked = &q5_0x8;
  set.q8_0.repacked = &q8_0x8;
  return set;
}

}  // namespace

const QuantizedMatmulKernels *matmul_q8_kernels_avxvnni(TensorType type) {
  static const X86Q8KernelSet kernels = avxvnni_kernels();
  return kernels.find(type);
}

}  // namespace ballast

#undef BALLAST_DPBUSD_256
