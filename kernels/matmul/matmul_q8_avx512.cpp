// avx512 variant of the matmul_q8 kernels (compiled with the avx512 flags of
// cmake/BallastIsaSources.cmake). Signed int8 dots as |w| (u8) x sign(x, w)
// (s8) through vpmaddubsw, then pairs summed to int32 with vpmaddwd.
#include "kernels/matmul/matmul_q8_x86.h"

#include "kernels/matmul/matmul_q8_x86_impl.h"

namespace ballast {
namespace {

struct MaddubsDot {
  // 32 int8 pairs -> 8 int32 partial sums. Exact for quants in [-127, 127]
  // (a -128 weight is 128 as u8: still within the int16 pair sum).
  static __m256i dot_s8(__m256i w, __m256i x) {
    const __m256i products = _mm256_maddubs_epi16(_mm256_sign_epi8(w, w), _mm256_sign_epi8(x, w));
    return _mm256_madd_epi16(products, _mm256_set1_epi16(1));
  }
};

}  // namespace

const QuantizedMatmulKernels *matmul_q8_kernels_avx512(TensorType type) {
  static const X86Q8KernelSet kernels = x86_q8_kernels<MaddubsDot>();
  return kernels.find(type);
}

}  // namespace ballast
