// dotprod variant of the matmul_q8 kernels (aarch64 Armv8.2 SDOT; compiled
// with the dotprod flags of cmake/BallastIsaSources.cmake): each vdotq_s32
// adds 4 int8 products into each of 4 int32 lanes, no int16 step.
#include "kernels/matmul/matmul_q8_arm.h"

#include "kernels/matmul/matmul_q8_arm_impl.h"

namespace ballast {
namespace {

struct SdotDot {
  static int32x4_t dot_s8(int32x4_t acc, int8x16_t w, int8x16_t x) { return vdotq_s32(acc, w, x); }
};

}  // namespace

const QuantizedMatmulKernels *matmul_q8_kernels_dotprod(TensorType type) {
  static const ArmQ8KernelSet kernels = arm_q8_kernels<SdotDot>();
  return kernels.find(type);
}

}  // namespace ballast
