// Block-by-block integer dot products of weight blocks with quantized
// activation blocks, and the row / matmul drivers around them.
#include "kernels/matmul/matmul_q8_scalar.h"

#include <cstring>

#include "kernels/matmul/dot_f32_scalar.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/float16.h"
#include "kernels/quant/k_quant_scales.h"
#include "kernels/quant/quant_rows.h"

namespace ballast {
namespace {

template <typename Block>
Block load(const uint8_t *bytes) {
  Block block;
  std::memcpy(&block, bytes, sizeof block);
  return block;
}

// ---- legacy 32-element blocks --------------------------------------------------

float dot_q8_0_q8_0(const uint8_t *w, const uint8_t *x) {
  const BlockQ8_0 bw = load<BlockQ8_0>(w), bx = load<BlockQ8_0>(x);
  int32_t sum = 0;
  for (int j = 0; j < 32; ++j) sum += bw.qs[j] * bx.qs[j];
  return static_cast<float>(sum) * f16_to_f32(bw.d) * f16_to_f32(bx.d);
}

float dot_q4_0_q8_0(const uint8_t *w, const uint8_t *x) {
  const BlockQ4_0 bw = load<BlockQ4_0>(w);
  const BlockQ8_0 bx = load<BlockQ8_0>(x);
  int32_t sum = 0;
  for (int j = 0; j < 16; ++j) {
    sum += ((bw.qs[j] & 0x0f) - 8) * bx.qs[j];
    sum += ((bw.qs[j] >> 4) - 8) * bx.qs[j + 16];
  }
  return static_cast<float>(sum) * f16_to_f32(bw.d) * f16_to_f32(bx.d);
}

float dot_q4_1_q8_1(const uint8_t *w, const uint8_t *x) {
  const BlockQ4_1 bw = load<BlockQ4_1>(w);
  const BlockQ8_1 bx = load<BlockQ8_1>(x);
  int32_t sum = 0;
  for (int j = 0; j < 16; ++j) {
    sum += (bw.qs[j] & 0x0f) * bx.qs[j];
    sum += (bw.qs[j] >> 4) * bx.qs[j + 16];
  }
  return static_cast<float>(sum) * f16_to_f32(bw.d) * f16_to_f32(bx.d) + f16_to_f32(bw.m) * f16_to_f32(bx.s);
}

// Q5: 4 low bits from qs (nibble order as Q4), bit 4 of element j from bit j of qh.
int q5_quant(const uint8_t *qs, uint32_t high_bits, int j) {
  const int low = j < 16 ? (qs[j] & 0x0f) : (qs[j - 16] >> 4);
  return low | static_cast<int>(((high_bits >> j) & 1u) << 4);
}

float dot_q5_0_q8_0(const uint8_t *w, const uint8_t *x) {
  const BlockQ5_0 bw = load<BlockQ5_0>(w);
  const BlockQ8_0 bx = load<BlockQ8_0>(x);
  uint32_t high_bits;
  std::memcpy(&high_bits, bw.qh, sizeof high_bits);
  int32_t sum = 0;
  for (int j = 0; j < 32; ++j) sum += (q5_quant(bw.qs, high_bits, j) - 16) * bx.qs[j];
  return static_cast<float>(sum) * f16_to_f32(bw.d) * f16_to_f32(bx.d);
}

float dot_q5_1_q8_1(const uint8_t *w, const uint8_t *x) {
  const BlockQ5_1 bw = load<BlockQ5_1>(w);
  const BlockQ8_1 bx = load<BlockQ8_1>(x);
  uint32_t high_bits;
  std::memcpy(&high_bits, bw.qh, sizeof high_bits);
  int32_t sum = 0;
  for (int j = 0; j < 32; ++j) sum += q5_quant(bw.qs, high_bits, j) * bx.qs[j];
  return static_cast<float>(sum) * f16_to_f32(bw.d) * f16_to_f32(bx.d) + f16_to_f32(bw.m) * f16_to_f32(bx.s);
}

// ---- K-quants against Q8_K (256 elements) --------------------------------------

// Q4_K / Q5_K: value = d*sc[j]*q - dmin*m[j] per 32-element sub-block j, so
// dot = d_x * (d * sum_j sc[j]*isum_j - dmin * sum_j m[j]*sum(x_q in j)),
// with the x sums read from the Q8_K bsums (16 elements each).
template <typename Block, bool kHasFifthBit>
float dot_q45_k_q8_k(const uint8_t *w, const uint8_t *x) {
  const Block bw = load<Block>(w);
  const BlockQ8_K bx = load<BlockQ8_K>(x);
  int32_t scaled_sum = 0, min_sum = 0;
  for (int j = 0; j < 8; ++j) {
    uint8_t scale, min;
    unpack_scale_min_k4(bw.scales, j, &scale, &min);
    const uint8_t *qs = bw.qs + 32 * (j / 2);
    const int shift = (j & 1) ? 4 : 0;
    int32_t sub_sum = 0;
    for (int l = 0; l < 32; ++l) {
      int q = (qs[l] >> shift) & 0x0f;
      if constexpr (kHasFifthBit) q += ((bw.qh[l] >> j) & 1) << 4;
      sub_sum += q * bx.qs[32 * j + l];
    }
    scaled_sum += scale * sub_sum;
    min_sum += min * (bx.bsums[2 * j] + bx.bsums[2 * j + 1]);
  }
  return bx.d * (f16_to_f32(bw.d) * static_cast<float>(scaled_sum) -
                 f16_to_f32(bw.dmin) * static_cast<float>(min_sum));
}

// Q6_K: value = d*sc[i]*(q - 32) per 16-element sub-block i.
float dot_q6_k_q8_k(const uint8_t *w, const uint8_t *x) {
  const BlockQ6_K bw = load<BlockQ6_K>(w);
  const BlockQ8_K bx = load<BlockQ8_K>(x);
  int32_t sub_sums[16] = {};
  for (int half = 0; half < 2; ++half) {
    const uint8_t *ql = bw.ql + 64 * half;
    const uint8_t *qh = bw.qh + 32 * half;
    for (int k = 0; k < 4; ++k) {
      for (int l = 0; l < 32; ++l) {
        const int low = (ql[l + 32 * (k & 1)] >> (k >= 2 ? 4 : 0)) & 0x0f;
        const int high = (qh[l] >> (2 * k)) & 3;
        const int element = 128 * half + 32 * k + l;
        sub_sums[element / 16] += ((low | (high << 4)) - 32) * bx.qs[element];
      }
    }
  }
  int32_t total = 0;
  for (int i = 0; i < 16; ++i) total += bw.scales[i] * sub_sums[i];
  return f16_to_f32(bw.d) * bx.d * static_cast<float>(total);
}

// ---- activation conversion for the float formats ----------------------------

void quantize_activations_f32(const float *x, void *x_q, int64_t cols) {
  std::memcpy(x_q, x, static_cast<size_t>(cols) * sizeof(float));
}

// ---- drivers ------------------------------------------------------------------

using BlockDotFn = float (*)(const uint8_t *w, const uint8_t *x);
using DequantizeFn = void (*)(const void *src, float *out, int64_t n);

template <BlockDotFn kDot, int64_t kBlockElements, int64_t kWeightBytes, int64_t kActivationBytes>
struct Q8Kernel {
  static float row_dot(const void *row, const void *x_q, int64_t cols) {
    const uint8_t *w = static_cast<const uint8_t *>(row);
    const uint8_t *x = static_cast<const uint8_t *>(x_q);
    float sum = 0.0f;
    for (int64_t b = 0; b < cols / kBlockElements; ++b) sum += kDot(w + b * kWeightBytes, x + b * kActivationBytes);
    return sum;
  }

  static void matmul(const void *weights, const void *x_q, float *y, int64_t rows, int64_t cols, int64_t batch,
                     int64_t row_begin, int64_t row_end) {
    const uint8_t *w = static_cast<const uint8_t *>(weights);
    const uint8_t *x = static_cast<const uint8_t *>(x_q);
    const int64_t weight_row_bytes = cols / kBlockElements * kWeightBytes;
    const int64_t activation_row = cols / kBlockElements * kActivationBytes;
    for (int64_t r = row_begin; r < row_end; ++r) {
      for (int64_t b = 0; b < batch; ++b) {
        y[b * rows + r] = row_dot(w + r * weight_row_bytes, x + b * activation_row, cols);
      }
    }
  }
};

// Float weights with float activations (x as f32, or rounded to f16 / bf16):
// both sides are widened to f32 a chunk at a time and dotted.
template <DequantizeFn kWeights, int64_t kWeightBytes, DequantizeFn kActivations, int64_t kActivationBytes>
struct FloatKernel {
  static constexpr int64_t kChunk = 256;

  static float row_dot(const void *row, const void *x_q, int64_t cols) {
    const uint8_t *w = static_cast<const uint8_t *>(row);
    const uint8_t *x = static_cast<const uint8_t *>(x_q);
    float weights[kChunk], activations[kChunk];  // one chunk of each, widened to f32
    float sum = 0.0f;
    for (int64_t begin = 0; begin < cols; begin += kChunk) {
      const int64_t count = cols - begin < kChunk ? cols - begin : kChunk;
      kWeights(w + begin * kWeightBytes, weights, count);
      kActivations(x + begin * kActivationBytes, activations, count);
      sum += matmul_detail::dot_f32_lanes(weights, activations, count);
    }
    return sum;
  }

  static void matmul(const void *weights, const void *x_q, float *y, int64_t rows, int64_t cols, int64_t batch,
                     int64_t row_begin, int64_t row_end) {
    const uint8_t *w = static_cast<const uint8_t *>(weights);
    const uint8_t *x = static_cast<const uint8_t *>(x_q);
    for (int64_t r = row_begin; r < row_end; ++r) {
      for (int64_t b = 0; b < batch; ++b) {
        y[b * rows + r] = row_dot(w + r * cols * kWeightBytes, x + b * cols * kActivationBytes, cols);
      }
    }
  }
};

template <DequantizeFn kWeights, int64_t kWeightBytes, DequantizeFn kActivations, int64_t kActivationBytes>
constexpr QuantizedMatmulKernels make_float_kernels(ActivationType activation, QuantizeActivationsFn quantize) {
  using Kernel = FloatKernel<kWeights, kWeightBytes, kActivations, kActivationBytes>;
  return {activation, quantize, Kernel::row_dot, Kernel::matmul};
}

template <BlockDotFn kDot, int64_t kBlockElements, int64_t kWeightBytes, int64_t kActivationBytes>
constexpr QuantizedMatmulKernels make_kernels(ActivationType activation, QuantizeActivationsFn quantize) {
  using Kernel = Q8Kernel<kDot, kBlockElements, kWeightBytes, kActivationBytes>;
  return {activation, quantize, Kernel::row_dot, Kernel::matmul};
}

struct TypedKernels {
  TensorType type;
  QuantizedMatmulKernels kernels;
};

constexpr int64_t kQ8_0 = sizeof(BlockQ8_0), kQ8_1 = sizeof(BlockQ8_1), kQ8_K = sizeof(BlockQ8_K);

const TypedKernels kQ8Kernels[] = {
    {TensorType::f32, make_float_kernels<dequantize_row_f32, 4, dequantize_row_f32, 4>(ActivationType::f32,
                                                                                         quantize_activations_f32)},
    {TensorType::f16, make_float_kernels<dequantize_row_f16, 2, dequantize_row_f16, 2>(ActivationType::f16,
                                                                                         quantize_row_f16)},
    {TensorType::bf16, make_float_kernels<dequantize_row_bf16, 2, dequantize_row_bf16, 2>(ActivationType::bf16,
                                                                                            quantize_row_bf16)},
    {TensorType::q8_0, make_kernels<dot_q8_0_q8_0, kQuantBlock, sizeof(BlockQ8_0), kQ8_0>(ActivationType::q8_0,
                                                                                          quantize_activations_q8_0)},
    {TensorType::q4_0, make_kernels<dot_q4_0_q8_0, kQuantBlock, sizeof(BlockQ4_0), kQ8_0>(ActivationType::q8_0,
                                                                                          quantize_activations_q8_0)},
    {TensorType::q4_1,
     make_kernels<dot_q4_1_q8_1, kQuantBlock, sizeof(BlockQ4_1), kQ8_1>(ActivationType::q8_1, quantize_row_q8_1)},
    {TensorType::q5_0, make_kernels<dot_q5_0_q8_0, kQuantBlock, sizeof(BlockQ5_0), kQ8_0>(ActivationType::q8_0,
                                                                                          quantize_activations_q8_0)},
    {TensorType::q5_1,
     make_kernels<dot_q5_1_q8_1, kQuantBlock, sizeof(BlockQ5_1), kQ8_1>(ActivationType::q8_1, quantize_row_q8_1)},
    {TensorType::q4_k, make_kernels<dot_q45_k_q8_k<BlockQ4_K, false>, kQuantSuperBlock, sizeof(BlockQ4_K), kQ8_K>(
                           ActivationType::q8_k, quantize_row_q8_k)},
    {TensorType::q5_k, make_kernels<dot_q45_k_q8_k<BlockQ5_K, true>, kQuantSuperBlock, sizeof(BlockQ5_K), kQ8_K>(
                           ActivationType::q8_k, quantize_row_q8_k)},
    {TensorType::q6_k, make_kernels<dot_q6_k_q8_k, kQuantSuperBlock, sizeof(BlockQ6_K), kQ8_K>(ActivationType::q8_k,
                                                                                               quantize_row_q8_k)},
};

}  // namespace

const QuantizedMatmulKernels *matmul_q8_kernels_scalar(TensorType type) {
  for (const TypedKernels &entry : kQ8Kernels) {
    if (entry.type == type) return &entry.kernels;
  }
  return nullptr;
}

}  // namespace ballast
