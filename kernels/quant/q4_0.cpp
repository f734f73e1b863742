// Q4_0: 32 elements, f16 scale d, value = (q - 8) * d.
#include <cstring>

#include "kernels/quant/blocks.h"
#include "kernels/quant/quant_math.h"
#include "kernels/quant/quant_rows.h"

namespace ballast {

void dequantize_row_q4_0(const void *blocks, float *out, int64_t n) {
  const uint8_t *src = static_cast<const uint8_t *>(blocks);
  for (int64_t b = 0; b < n / kQuantBlock; ++b) {
    BlockQ4_0 block;
    std::memcpy(&block, src + b * sizeof(BlockQ4_0), sizeof block);
    const float d = f16_to_f32(block.d);
    float *y = out + b * kQuantBlock;  // [32]
    for (int j = 0; j < 16; ++j) {
      y[j] = static_cast<float>((block.qs[j] & 0x0f) - 8) * d;
      y[j + 16] = static_cast<float>((block.qs[j] >> 4) - 8) * d;
    }
  }
}

void quantize_row_q4_0(const float *in, void *blocks, int64_t n) {
  using namespace quant_detail;
  uint8_t *dst = static_cast<uint8_t *>(blocks);
  for (int64_t b = 0; b < n / kQuantBlock; ++b) {
    const float *x = in + b * kQuantBlock;  // [32]
    BlockQ4_0 block;
    // The largest-magnitude element maps to q = 0 (-8 d), using the full range on its side.
    block.d = f16_scale(signed_absmax(x, kQuantBlock) / -8.0f);
    const float inverse = safe_inverse(f16_to_f32(block.d));
    for (int j = 0; j < 16; ++j) {
      const int lo = round_clamped(x[j] * inverse + 8.0f, 0, 15);
      const int hi = round_clamped(x[j + 16] * inverse + 8.0f, 0, 15);
      block.qs[j] = static_cast<uint8_t>(lo | (hi << 4));
    }
    std::memcpy(dst + b * sizeof(BlockQ4_0), &block, sizeof block);
  }
}

}  // namespace ballast
