// i8mm variant of the matmul_q8 kernels (aarch64 Armv8.6 SMMLA; compiled with
// the i8mm flags of cmake/BallastIsaSources.cmake, which include dotprod).
//
// Q8_0 / Q4_0 / Q5_0 prefill (the weights read against Q8_0 activations):
// vmmlaq_s32 multiplies a 2x8 int8 matrix (8 quants of weight rows r, r+1)
// by an 8x2 one (the same 8 positions of activation rows b, b+1) into a 2x2
// int32 tile; four of them cover a 32-element block, so
// one block of a 2-row x 2-activation tile costs 4 SMMLA instead of 8 SDOT.
// Batch 1 (decode), the odd last row and the odd last activation row use
// SDOT. To keep batched and single-row results bit-identical, both reduce each
// block to one exact int32 and add total * (d_w * d_x) to the f32 sum in block
// order with a fused multiply-add. Other weight types use the dotprod bodies.
#include "kernels/matmul/matmul_q8_arm.h"

#include "kernels/matmul/matmul_q8_arm_impl.h"

namespace ballast {
namespace {

struct SdotDot {
  static int32x4_t dot_s8(int32x4_t acc, int8x16_t w, int8x16_t x) { return vdotq_s32(acc, w, x); }
};

constexpr int64_t kActivationBlock = sizeof(BlockQ8_0);

// Block-ordered dot of one weight row with one Q8_0 activation row.
template <Legacy kType>
float row_dot_blockwise(const void *row, const void *x_q, int64_t cols) {
  static_assert(!legacy_has_min<kType>(), "Q4_1 / Q5_1 read Q8_1 activations: dotprod bodies");
  const uint8_t *w = static_cast<const uint8_t *>(row);
  const uint8_t *x = static_cast<const uint8_t *>(x_q);
  const int64_t blocks = cols / kQuantBlock;
  float sum = 0.0f;
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t *bw = w + b * legacy_weight_block_bytes<kType>();
    const uint8_t *bx = x + b * kActivationBlock;
    int8x16_t quants[2];
    load_weight_quants<kType>(bw, quants);
    const int32_t total = vaddvq_s32(dot_legacy_block<SdotDot, kType>(quants, bx));
    const float scale = half_to_float(load_u16(bw)) * half_to_float(load_u16(bx));
    sum = __builtin_fmaf(static_cast<float>(total), scale, sum);
  }
  return sum;
}

// 64-bit halves: {a.low, b.low} and {a.high, b.high}.
int8x16_t low_halves(int8x16_t a, int8x16_t b) {
  return vreinterpretq_s8_s64(vzip1q_s64(vreinterpretq_s64_s8(a), vreinterpretq_s64_s8(b)));
}
int8x16_t high_halves(int8x16_t a, int8x16_t b) {
  return vreinterpretq_s8_s64(vzip2q_s64(vreinterpretq_s64_s8(a), vreinterpretq_s64_s8(b)));
}

// Int32 tile {w0.x0, w0.x1, w1.x0, w1.x1} of one 32-element block.
int32x4_t block_tile(const int8x16_t w0[2], const int8x16_t w1[2], const uint8_t *x0, const uint8_t *x1) {
  const int8x16_t x0_low = load_s8x16(x0 + 2), x0_high = load_s8x16(x0 + 18);
  const int8x16_t x1_low = load_s8x16(x1 + 2), x1_high = load_s8x16(x1 + 18);
  int32x4_t tile = vmmlaq_s32(vdupq_n_s32(0), low_halves(w0[0], w1[0]), low_halves(x0_low, x1_low));
  tile = vmmlaq_s32(tile, high_halves(w0[0], w1[0]), high_halves(x0_low, x1_low));
  tile = vmmlaq_s32(tile, low_halves(w0[1], w1[1]), low_halves(x0_high, x1_high));
  return vmmlaq_s32(tile, high_halves(w0[1], w1[1]), high_halves(x0_high, x1_high));
}

// Y[b][r] in 2x2 tiles; leftovers through row_dot_blockwise.
template <Legacy kType>
void matmul_legacy_i8mm(const void *weights, const void *x_q, float *y, int64_t rows, int64_t cols, int64_t batch,
                        int64_t row_begin, int64_t row_end) {
  constexpr int64_t kWeightBlock = legacy_weight_block_bytes<kType>();
  const uint8_t *w = static_cast<const uint8_t *>(weights);
  const uint8_t *x = static_cast<const uint8_t *>(x_q);
  const int64_t blocks = cols / kQuantBlock;
  const int64_t weight_row_bytes = blocks * kWeightBlock;
  const int64_t activation_row = blocks * kActivationBlock;
  int64_t r = row_begin;
  for (; r + 2 <= row_end; r += 2) {
    const uint8_t *w0 = w + r * weight_row_bytes;
    const uint8_t *w1 = w0 + weight_row_bytes;
    int64_t b = 0;
    for (; b + 2 <= batch; b += 2) {
      const uint8_t *x0 = x + b * activation_row;
      const uint8_t *x1 = x0 + activation_row;
      float32x4_t acc = vdupq_n_f32(0.0f);  // {y[b][r], y[b+1][r], y[b][r+1], y[b+1][r+1]}
      for (int64_t blk = 0; blk < blocks; ++blk) {
        const uint8_t *bw0 = w0 + blk * kWeightBlock, *bw1 = w1 + blk * kWeightBlock;
        const uint8_t *bx0 = x0 + blk * kActivationBlock, *bx1 = x1 + blk * kActivationBlock;
        int8x16_t q0[2], q1[2];
        load_weight_quants<kType>(bw0, q0);
        load_weight_quants<kType>(bw1, q1);
        const float dw0 = half_to_float(load_u16(bw0)), dw1 = half_to_float(load_u16(bw1));
        const float dx0 = half_to_float(load_u16(bx0)), dx1 = half_to_float(load_u16(bx1));
        const float scales[4] = {dw0 * dx0, dw0 * dx1, dw1 * dx0, dw1 * dx1};
        acc = vfmaq_f32(acc, vcvtq_f32_s32(block_tile(q0, q1, bx0, bx1)), vld1q_f32(scales));
      }
      y[b * rows + r] = vgetq_lane_f32(acc, 0);
      y[(b + 1) * rows + r] = vgetq_lane_f32(acc, 1);
      y[b * rows + r + 1] = vgetq_lane_f32(acc, 2);
      y[(b + 1) * rows + r + 1] = vgetq_lane_f32(acc, 3);
    }
    for (; b < batch; ++b) {
      y[b * rows + r] = row_dot_blockwise<kType>(w0, x + b * activation_row, cols);
      y[b * rows + r + 1] = row_dot_blockwise<kType>(w1, x + b * activation_row, cols);
    }
  }
  for (; r < row_end; ++r) {
    for (int64_t b = 0; b < batch; ++b) {
      y[b * rows + r] = row_dot_blockwise<kType>(w + r * weight_row_bytes, x + b * activation_row, cols);
    }
  }
}

ArmQ8KernelSet i8mm_kernels() {
  ArmQ8KernelSet set = arm_q8_kernels<SdotDot>();
  set.q8_0.row_dot = row_dot_blockwise<Legacy::q8_0>;
  set.q8_0.matmul = matmul_legacy_i8mm<Legacy::q8_0>;
  set.q4_0.row_dot = row_dot_blockwise<Legacy::q4_0>;
  set.q4_0.matmul = matmul_legacy_i8mm<Legacy::q4_0>;
  set.q5_0.row_dot = row_dot_blockwise<Legacy::q5_0>;
  set.q5_0.matmul = matmul_legacy_i8mm<Legacy::q5_0>;
  return set;
}

}  // namespace

const QuantizedMatmulKernels *matmul_q8_kernels_i8mm(TensorType type) {
  static const ArmQ8KernelSet kernels = i8mm_kernels();
  return kernels.find(type);
}

}  // namespace ballast
