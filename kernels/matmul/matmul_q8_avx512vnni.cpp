// AVX-512 VNNI variant of the matmul_q8 kernels: legacy-block int8 dots with
// one vpdpbusd (u8 x s8 -> int32, no int16 intermediate) on 256-bit vectors
// (AVX-512 VL encoding). K-quants keep the maddubs path (their per-sub-block
// scales ride in the int16 -> int32 step).
#include "kernels/matmul/matmul_q8_x86.h"

#include "kernels/matmul/matmul_q8_x86_impl.h"

namespace ballast {
namespace {

struct VnniDot {
  static __m256i dot_s8(__m256i w, __m256i x) {
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_sign_epi8(w, w), _mm256_sign_epi8(x, w));
  }
};

}  // namespace

const QuantizedMatmulKernels *matmul_q8_kernels_avx512vnni(TensorType type) {
  static const X86Q8KernelSet kernels = x86_q8_kernels<VnniDot>();
  return kernels.find(type);
}

}  // namespace ballast
