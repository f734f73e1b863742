// Q6_K: 256-element super-blocks, 16 sub-blocks of 16 with signed 8-bit
// scales; value = d*scale[i]*(q - 32), q in 0..63 (layout in blocks.h).
#include <cstring>

#include "kernels/quant/blocks.h"
#include "kernels/quant/k_quant_fit.h"
#include "kernels/quant/quant_math.h"
#include "kernels/quant/quant_rows.h"

namespace ballast {

void dequantize_row_q6_k(const void *blocks, float *out, int64_t n) {
  const uint8_t *src = static_cast<const uint8_t *>(blocks);
  for (int64_t b = 0; b < n / kQuantSuperBlock; ++b) {
    BlockQ6_K block;
    std::memcpy(&block, src + b * sizeof(BlockQ6_K), sizeof block);
    const float d = f16_to_f32(block.d);
    for (int half = 0; half < 2; ++half) {  // 128 elements each
      const uint8_t *ql = block.ql + 64 * half;
      const uint8_t *qh = block.qh + 32 * half;
      const int8_t *scales = block.scales + 8 * half;
      float *y = out + b * kQuantSuperBlock + 128 * half;  // [128]
      for (int l = 0; l < 32; ++l) {
        const int sub = l / 16;
        const int q0 = ((ql[l] & 0x0f) | (((qh[l] >> 0) & 3) << 4)) - 32;
        const int q1 = ((ql[l + 32] & 0x0f) | (((qh[l] >> 2) & 3) << 4)) - 32;
        const int q2 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
        const int q3 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
        y[l] = d * scales[sub + 0] * static_cast<float>(q0);
        y[l + 32] = d * scales[sub + 2] * static_cast<float>(q1);
        y[l + 64] = d * scales[sub + 4] * static_cast<float>(q2);
        y[l + 96] = d * scales[sub + 6] * static_cast<float>(q3);
      }
    }
  }
}

void quantize_row_q6_k(const float *in, void *blocks, int64_t n) {
  using namespace quant_detail;
  uint8_t *dst = static_cast<uint8_t *>(blocks);
  for (int64_t b = 0; b < n / kQuantSuperBlock; ++b) {
    const float *x = in + b * kQuantSuperBlock;  // [256]
    float sub_scale[16];
    for (int i = 0; i < 16; ++i) sub_scale[i] = fit_symmetric_scale(x + 16 * i, 16, -32, 31);
    BlockQ6_K block;
    std::memset(&block, 0, sizeof block);
    // The largest-magnitude sub-scale maps to -128, the longer side of int8.
    block.d = f16_scale(signed_absmax(sub_scale, 16) / -128.0f);
    const float d = f16_to_f32(block.d);
    const float inverse_d = safe_inverse(d);
    for (int i = 0; i < 16; ++i) block.scales[i] = static_cast<int8_t>(round_clamped(sub_scale[i] * inverse_d, -128, 127));
    for (int e = 0; e < kQuantSuperBlock; ++e) {
      const float effective = d * static_cast<float>(block.scales[e / 16]);
      const int q = round_clamped(x[e] * safe_inverse(effective), -32, 31) + 32;  // 0..63
      const int half = e / 128, k = (e % 128) / 32, l = e % 32;
      uint8_t &low = block.ql[64 * half + l + 32 * (k & 1)];
      low = static_cast<uint8_t>(low | ((q & 0x0f) << (k >= 2 ? 4 : 0)));
      uint8_t &high = block.qh[32 * half + l];
      high = static_cast<uint8_t>(high | ((q >> 4) << (2 * k)));
    }
    std::memcpy(dst + b * sizeof(BlockQ6_K), &block, sizeof block);
  }
}

}  // namespace ballast
