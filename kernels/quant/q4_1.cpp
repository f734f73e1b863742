// Q4_1: 32 elements, f16 scale d and offset m, value = q * d + m.
#include <cstring>

#include "kernels/quant/blocks.h"
#include "kernels/quant/quant_math.h"
#include "kernels/quant/quant_rows.h"

namespace ballast {

void dequantize_row_q4_1(const void *blocks, float *out, int64_t n) {
  const uint8_t *src = static_cast<const uint8_t *>(blocks);
  for (int64_t b = 0; b < n / kQuantBlock; ++b) {
    BlockQ4_1 block;
    std::memcpy(&block, src + b * sizeof(BlockQ4_1), sizeof block);
    const float d = f16_to_f32(block.d);
    const float m = f16_to_f32(block.m);
    float *y = out + b * kQuantBlock;  // [32]
    for (int j = 0; j < 16; ++j) {
      y[j] = static_cast<float>(block.qs[j] & 0x0f) * d + m;
      y[j + 16] = static_cast<float>(block.qs[j] >> 4) * d + m;
    }
  }
}

void quantize_row_q4_1(const float *in, void *blocks, int64_t n) {
  using namespace quant_detail;
  uint8_t *dst = static_cast<uint8_t *>(blocks);
  for (int64_t b = 0; b < n / kQuantBlock; ++b) {
    const float *x = in + b * kQuantBlock;  // [32]
    float min = x[0], max = x[0];
    for (int j = 1; j < kQuantBlock; ++j) {
      if (x[j] < min) min = x[j];
      if (x[j] > max) max = x[j];
    }
    BlockQ4_1 block;
    block.d = f16_scale((max - min) / 15.0f);
    block.m = f16_scale(min);
    const float inverse = safe_inverse(f16_to_f32(block.d));
    const float m = f16_to_f32(block.m);
    for (int j = 0; j < 16; ++j) {
      const int lo = round_clamped((x[j] - m) * inverse, 0, 15);
      const int hi = round_clamped((x[j + 16] - m) * inverse, 0, 15);
      block.qs[j] = static_cast<uint8_t>(lo | (hi << 4));
    }
    std::memcpy(dst + b * sizeof(BlockQ4_1), &block, sizeof block);
  }
}

}  // namespace ballast
