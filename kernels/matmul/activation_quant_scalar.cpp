// Activation formats for matmul_q8_scalar.h: row sizes, names and Q8_1.
#include <cmath>
#include <cstring>

#include "kernels/matmul/matmul_q8_scalar.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/float16.h"

namespace ballast {

const char *activation_type_name(ActivationType type) {
  switch (type) {
    case ActivationType::f32: return "F32";
    case ActivationType::f16: return "F16";
    case ActivationType::bf16: return "BF16";
    case ActivationType::q8_0: return "Q8_0";
    case ActivationType::q8_1: return "Q8_1";
    case ActivationType::q8_k: return "Q8_K";
    case ActivationType::q8_0_sums: return "Q8_0+sums";
  }
  return "unknown";
}

int64_t activation_row_bytes(ActivationType type, int64_t cols) {
  if (cols < 0) return -1;
  switch (type) {
    case ActivationType::f32: return cols * 4;
    case ActivationType::f16:
    case ActivationType::bf16: return cols * 2;
    case ActivationType::q8_0:
      return cols % kQuantBlock == 0 ? cols / kQuantBlock * static_cast<int64_t>(sizeof(BlockQ8_0)) : -1;
    case ActivationType::q8_0_sums:
      return cols % kQuantBlock == 0 ? cols / kQuantBlock * static_cast<int64_t>(sizeof(BlockQ8_0) + sizeof(int16_t)) : -1;
    case ActivationType::q8_1:
      return cols % kQuantBlock == 0 ? cols / kQuantBlock * static_cast<int64_t>(sizeof(BlockQ8_1)) : -1;
    case ActivationType::q8_k:
      return cols % kQuantSuperBlock == 0 ? cols / kQuantSuperBlock * static_cast<int64_t>(sizeof(BlockQ8_K)) : -1;
  }
  return -1;
}

// d = max|x| / 127; q = round(x / d) with the unrounded d (as llama.cpp);
// the stored scale is d rounded to f16.
void quantize_row_q8_1(const float *x, void *blocks, int64_t n) {
  uint8_t *dst = static_cast<uint8_t *>(blocks);
  for (int64_t b = 0; b < n / kQuantBlock; ++b) {
    const float *block_x = x + b * kQuantBlock;  // [32]
    float max_abs = 0.0f;
    for (int j = 0; j < kQuantBlock; ++j) max_abs = std::fmax(max_abs, std::fabs(block_x[j]));
    const float d = max_abs / 127.0f;
    const float inverse = d != 0.0f ? 1.0f / d : 0.0f;
    BlockQ8_1 block;
    int sum = 0;
    for (int j = 0; j < kQuantBlock; ++j) {
      block.qs[j] = static_cast<int8_t>(std::lround(block_x[j] * inverse));  // |x| <= max: within -127..127
      sum += block.qs[j];
    }
    block.d = f32_to_f16(d);
    block.s = f32_to_f16(static_cast<float>(sum) * d);
    std::memcpy(dst + b * sizeof(BlockQ8_1), &block, sizeof block);
  }
}

void quantize_activations_q8_0(const float *x, void *blocks, int64_t n) {
  uint8_t *dst = static_cast<uint8_t *>(blocks);
  for (int64_t b = 0; b < n / kQuantBlock; ++b) {
    const float *block_x = x + b * kQuantBlock;  // [32]
    float max_abs = 0.0f;
    for (int j = 0; j < kQuantBlock; ++j) max_abs = std::fmax(max_abs, std::fabs(block_x[j]));
    const float d = max_abs / 127.0f;
    const float inverse = d != 0.0f ? 1.0f / d : 0.0f;
    BlockQ8_0 block;
    for (int j = 0; j < kQuantBlock; ++j) {
      block.qs[j] = static_cast<int8_t>(std::lround(block_x[j] * inverse));  // |x| <= max: within -127..127
    }
    block.d = f32_to_f16(d);
    std::memcpy(dst + b * sizeof(BlockQ8_0), &block, sizeof block);
  }
}

void dequantize_row_q8_1(const void *blocks, float *out, int64_t n) {
  const uint8_t *src = static_cast<const uint8_t *>(blocks);
  for (int64_t b = 0; b < n / kQuantBlock; ++b) {
    BlockQ8_1 block;
    std::memcpy(&block, src + b * sizeof(BlockQ8_1), sizeof block);
    const float d = f16_to_f32(block.d);
    for (int j = 0; j < kQuantBlock; ++j) out[b * kQuantBlock + j] = static_cast<float>(block.qs[j]) * d;
  }
}

void append_q8_0_block_sums(void *row, int64_t n) {
  uint8_t *bytes = static_cast<uint8_t *>(row);
  const int64_t blocks = n / kQuantBlock;
  uint8_t *sums = bytes + blocks * static_cast<int64_t>(sizeof(BlockQ8_0));  // [blocks] int16
  for (int64_t b = 0; b < blocks; ++b) {
    const int8_t *qs = reinterpret_cast<const int8_t *>(bytes + b * static_cast<int64_t>(sizeof(BlockQ8_0)) + 2);
    int sum = 0;
    for (int j = 0; j < kQuantBlock; ++j) sum += qs[j];
    const int16_t sum16 = static_cast<int16_t>(sum);
    std::memcpy(sums + b * static_cast<int64_t>(sizeof sum16), &sum16, sizeof sum16);
  }
}

void quantize_activations_q8_0_sums(const float *x, void *row, int64_t n) {
  quantize_activations_q8_0(x, row, n);
  append_q8_0_block_sums(row, n);
}

}  // namespace ballast
