// Q8_K: 256-element activation block, f32 scale d, value = q * d, plus
// per-16 sums of the quants (bsums) that K-quant dot products use for mins.
#include <cmath>
#include <cstring>

#include "kernels/quant/blocks.h"
#include "kernels/quant/quant_math.h"
#include "kernels/quant/quant_rows.h"

namespace ballast {

void dequantize_row_q8_k(const void *blocks, float *out, int64_t n) {
  const uint8_t *src = static_cast<const uint8_t *>(blocks);
  for (int64_t b = 0; b < n / kQuantSuperBlock; ++b) {
    BlockQ8_K block;
    std::memcpy(&block, src + b * sizeof(BlockQ8_K), sizeof block);
    float *y = out + b * kQuantSuperBlock;  // [256]
    for (int j = 0; j < kQuantSuperBlock; ++j) y[j] = static_cast<float>(block.qs[j]) * block.d;
  }
}

void quantize_row_q8_k(const float *in, void *blocks, int64_t n) {
  using namespace quant_detail;
  uint8_t *dst = static_cast<uint8_t *>(blocks);
  for (int64_t b = 0; b < n / kQuantSuperBlock; ++b) {
    const float *x = in + b * kQuantSuperBlock;  // [256]
    BlockQ8_K block;
    block.d = std::fabs(signed_absmax(x, kQuantSuperBlock)) / 127.0f;
    const float inverse = safe_inverse(block.d);
    for (int j = 0; j < kQuantSuperBlock; ++j) block.qs[j] = static_cast<int8_t>(round_clamped(x[j] * inverse, -127, 127));
    for (int g = 0; g < 16; ++g) {
      int sum = 0;
      for (int j = 0; j < 16; ++j) sum += block.qs[16 * g + j];
      block.bsums[g] = static_cast<int16_t>(sum);
    }
    std::memcpy(dst + b * sizeof(BlockQ8_K), &block, sizeof block);
  }
}

}  // namespace ballast
