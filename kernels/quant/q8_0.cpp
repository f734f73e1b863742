// Q8_0: 32 elements, f16 scale d, value = q * d, q in -127..127.
#include <cmath>
#include <cstring>

#include "kernels/quant/blocks.h"
#include "kernels/quant/quant_math.h"
#include "kernels/quant/quant_rows.h"

namespace ballast {

void dequantize_row_q8_0(const void *blocks, float *out, int64_t n) {
  const uint8_t *src = static_cast<const uint8_t *>(blocks);
  for (int64_t b = 0; b < n / kQuantBlock; ++b) {
    BlockQ8_0 block;
    std::memcpy(&block, src + b * sizeof(BlockQ8_0), sizeof block);
    const float d = f16_to_f32(block.d);
    float *y = out + b * kQuantBlock;  // [32]
    for (int j = 0; j < kQuantBlock; ++j) y[j] = static_cast<float>(block.qs[j]) * d;
  }
}

void quantize_row_q8_0(const float *in, void *blocks, int64_t n) {
  using namespace quant_detail;
  uint8_t *dst = static_cast<uint8_t *>(blocks);
  for (int64_t b = 0; b < n / kQuantBlock; ++b) {
    const float *x = in + b * kQuantBlock;  // [32]
    BlockQ8_0 block;
    block.d = f16_scale(std::fabs(signed_absmax(x, kQuantBlock)) / 127.0f);
    const float inverse = safe_inverse(f16_to_f32(block.d));
    for (int j = 0; j < kQuantBlock; ++j) block.qs[j] = static_cast<int8_t>(round_clamped(x[j] * inverse, -127, 127));
    std::memcpy(dst + b * sizeof(BlockQ8_0), &block, sizeof block);
  }
}

}  // namespace ballast
