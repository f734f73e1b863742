// avx512 variant of the matmul_q8 kernels (compiled with the avx512 flags of
// cmake/BallastIsaSources.cmake). Signed int8 dots as |w| (u8) x sign(x, w)
// (s8) through vpmaddubsw, then pairs summed to int32 with vpmaddwd. Decode
// (batch 1) of Q4_0, Q5_0, Q4_1, Q5_1 and F16 runs the 512-bit bodies of
// matmul_decode_avx512_impl.h; Q8_0's unsigned weights (w + 128, up to 255)
// would overflow vpmaddubsw's int16 pair sums, so Q8_0 stays 256-bit here.
// GCC 12's AVX-512 intrinsics build their "undefined" upper halves from a
// self-initialised variable, which -Wmaybe-uninitialized reports at every
// inlined use (a false positive, fixed in later GCC); it must be off before
// <immintrin.h> is first included.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include "kernels/matmul/matmul_q8_x86.h"

#include "kernels/matmul/matmul_q8_x86_impl.h"
#include "kernels/matmul/matmul_decode_avx512_impl.h"
#include "kernels/matmul/matmul_interleaved_x8_x86_impl.h"

namespace ballast {
namespace {

struct MaddubsDot {
  // 32 int8 pairs -> 8 int32 partial sums. Exact for quants in [-127, 127]
  // (a -128 weight is 128 as u8: still within the int16 pair sum).
  static __m256i dot_s8(__m256i w, __m256i x) {
    const __m256i products = _mm256_maddubs_epi16(_mm256_sign_epi8(w, w), _mm256_sign_epi8(x, w));
    return _mm256_madd_epi16(products, _mm256_set1_epi16(1));
  }
  // acc + per lane the 4 products u1 x s1 plus the 4 u2 x s2 (u <= 31, as avx2).
  static __m256i dot_pair(__m256i acc, __m256i u1, __m256i s1, __m256i u2, __m256i s2) {
    const __m256i pairs = _mm256_add_epi16(_mm256_maddubs_epi16(u1, s1), _mm256_maddubs_epi16(u2, s2));
    return _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, _mm256_set1_epi16(1)));
  }
};

struct MaddubsDot512 {
  // acc + sums of 4 products u8 x s8 per int32 lane; exact for u <= 128
  // (int16 pair sums stay below 2 * 128 * 128).
  static __m512i dot_u8s8(__m512i acc, __m512i u, __m512i s) {
    return _mm512_add_epi32(acc, _mm512_madd_epi16(_mm512_maddubs_epi16(u, s), _mm512_set1_epi16(1)));
  }
};

X86Q8KernelSet avx512_kernels() {
  X86Q8KernelSet set = x86_q8_kernels<MaddubsDot>();
  set.q4_0.matmul = matmul_legacy_avx512<MaddubsDot, MaddubsDot512, Legacy::q4_0>;
  set.q5_0.matmul = matmul_legacy_avx512<MaddubsDot, MaddubsDot512, Legacy::q5_0>;
  set.q4_1.matmul = matmul_legacy_avx512<MaddubsDot, MaddubsDot512, Legacy::q4_1>;
  set.q5_1.matmul = matmul_legacy_avx512<MaddubsDot, MaddubsDot512, Legacy::q5_1>;
  set.f16.matmul = matmul_f16_avx512;
  static const RepackedMatmulKernels q4_0x8 = q4_0x8_kernels_x86<MaddubsDot>();
  static const RepackedMatmulKernels q5_0x8 = q5_0x8_kernels_x86<MaddubsDot>();
  set.q4_0.repacked = &q4_0x8;
  set.q5_0.repacked = &q5_0x8;
  return set;
}

}  // namespace

const QuantizedMatmulKernels *matmul_q8_kernels_avx512(TensorType type) {
  static const X86Q8KernelSet kernels = avx512_kernels();
  return kernels.find(type);
}

}  // namespace ballast
