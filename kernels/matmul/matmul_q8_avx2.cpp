// avx2 variant of the matmul_q8 kernels (compiled with the avx2 flags of
// cmake/BallastIsaSources.cmake). Signed int8 dots as |w| (u8) x sign(x, w)
// (s8) through vpmaddubsw, then pairs summed to int32 with vpmaddwd.
#include "kernels/matmul/matmul_q8_x86.h"

#include "kernels/matmul/matmul_q8_x86_impl.h"
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

  // acc + per lane the 4 products u1 x s1 plus the 4 u2 x s2, for u <= 31
  // (q4_0x8 nibbles, q5_0x8's 5-bit values) and |s| <= 127: the int16 sum
  // of the two pair sums stays within 4 * 31 * 127 = 15748.
  static __m256i dot_pair(__m256i acc, __m256i u1, __m256i s1, __m256i u2, __m256i s2) {
    const __m256i pairs = _mm256_add_epi16(_mm256_maddubs_epi16(u1, s1), _mm256_maddubs_epi16(u2, s2));
    return _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, _mm256_set1_epi16(1)));
  }
};

X86Q8KernelSet avx2_kernels() {
  static const RepackedMatmulKernels q4_0x8 = q4_0x8_kernels_x86<MaddubsDot>();
  static const RepackedMatmulKernels q5_0x8 = q5_0x8_kernels_x86<MaddubsDot>();
  X86Q8KernelSet set = x86_q8_kernels<MaddubsDot>();
  set.q4_0.repacked = &q4_0x8;
  set.q5_0.repacked = &q5_0x8;
  return set;
}

}  // namespace

const QuantizedMatmulKernels *matmul_q8_kernels_avx2(TensorType type) {
  static const X86Q8KernelSet kernels = avx2_kernels();
  return kernels.find(type);
}

}  // namespace ballast
