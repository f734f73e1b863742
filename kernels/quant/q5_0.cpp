// Q5_0: 32 elements, f16 scale d, value = (q - 16) * d, q = 4 low bits | fifth bit from qh.
#include <cstring>

#include "kernels/quant/blocks.h"
#include "kernels/quant/quant_math.h"
#include "kernels/quant/quant_rows.h"

namespace ballast {

void dequantize_row_q5_0(const void *blocks, float *out, int64_t n) {
  const uint8_t *src = static_cast<const uint8_t *>(blocks);
  for (int64_t b = 0; b < n / kQuantBlock; ++b) {
    BlockQ5_0 block;
    std::memcpy(&block, src + b * sizeof(BlockQ5_0), sizeof block);
    const float d = f16_to_f32(block.d);
    uint32_t high_bits;
    std::memcpy(&high_bits, block.qh, sizeof high_bits);  // little-endian, as in the file
    float *y = out + b * kQuantBlock;  // [32]
    for (int j = 0; j < 16; ++j) {
      const int q_lo = (block.qs[j] & 0x0f) | static_cast<int>(((high_bits >> j) & 1u) << 4);
      const int q_hi = (block.qs[j] >> 4) | static_cast<int>(((high_bits >> (j + 16)) & 1u) << 4);
      y[j] = static_cast<float>(q_lo - 16) * d;
      y[j + 16] = static_cast<float>(q_hi - 16) * d;
    }
  }
}

void quantize_row_q5_0(const float *in, void *blocks, int64_t n) {
  using namespace quant_detail;
  uint8_t *dst = static_cast<uint8_t *>(blocks);
  for (int64_t b = 0; b < n / kQuantBlock; ++b) {
    const float *x = in + b * kQuantBlock;  // [32]
    BlockQ5_0 block;
    block.d = f16_scale(signed_absmax(x, kQuantBlock) / -16.0f);
    const float inverse = safe_inverse(f16_to_f32(block.d));
    uint32_t high_bits = 0;
    for (int j = 0; j < 16; ++j) {
      const int lo = round_clamped(x[j] * inverse + 16.0f, 0, 31);
      const int hi = round_clamped(x[j + 16] * inverse + 16.0f, 0, 31);
      block.qs[j] = static_cast<uint8_t>((lo & 0x0f) | ((hi & 0x0f) << 4));
      high_bits |= static_cast<uint32_t>(lo >> 4) << j;
      high_bits |= static_cast<uint32_t>(hi >> 4) << (j + 16);
    }
    std::memcpy(block.qh, &high_bits, sizeof high_bits);
    std::memcpy(dst + b * sizeof(BlockQ5_0), &block, sizeof block);
  }
}

}  // namespace ballast
