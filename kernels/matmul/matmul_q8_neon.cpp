// NEON variant of the matmul_q8 kernels (aarch64 and armv7; compiled with the
// neon flags of cmake/BallastIsaSources.cmake). Signed int8 dots as widening
// int16 products (vmull_s8, exact: |w * x| <= 128 * 128) summed pairwise
// into int32 lanes (vpadalq_s16).
#include "kernels/matmul/matmul_q8_arm.h"

#include "kernels/matmul/matmul_q8_arm_impl.h"

namespace ballast {
namespace {

struct WideningDot {
  // acc + 4 int32 partial sums of 16 int8 pairs.
  static int32x4_t dot_s8(int32x4_t acc, int8x16_t w, int8x16_t x) {
    const int16x8_t low = vmull_s8(vget_low_s8(w), vget_low_s8(x));
    const int16x8_t high = vmull_s8(vget_high_s8(w), vget_high_s8(x));
    return vpadalq_s16(vpadalq_s16(acc, low), high);
  }
};

}  // namespace

const QuantizedMatmulKernels *matmul_q8_kernels_neon(TensorType type) {
  static const ArmQ8KernelSet kernels = arm_q8_kernels<WideningDot>();
  return kernels.find(type);
}

}  // namespace ballast
