// Q4_K: 256-element super-blocks, 8 sub-blocks of 32 with 6-bit scales and
// mins; value = d*scale[j]*q - dmin*min[j], q in 0..15 (layout in blocks.h).
#include <cstring>

#include "kernels/quant/blocks.h"
#include "kernels/quant/k_quant_fit.h"
#include "kernels/quant/k_quant_scales.h"
#include "kernels/quant/quant_math.h"
#include "kernels/quant/quant_rows.h"

namespace ballast {

void dequantize_row_q4_k(const void *blocks, float *out, int64_t n) {
  const uint8_t *src = static_cast<const uint8_t *>(blocks);
  for (int64_t b = 0; b < n / kQuantSuperBlock; ++b) {
    BlockQ4_K block;
    std::memcpy(&block, src + b * sizeof(BlockQ4_K), sizeof block);
    const float d = f16_to_f32(block.d);
    const float dmin = f16_to_f32(block.dmin);
    float *y = out + b * kQuantSuperBlock;  // [256]
    for (int chunk = 0; chunk < 4; ++chunk) {  // 64 elements: sub-blocks 2*chunk (low nibbles), 2*chunk+1 (high)
      uint8_t scale_lo, min_lo, scale_hi, min_hi;
      unpack_scale_min_k4(block.scales, 2 * chunk, &scale_lo, &min_lo);
      unpack_scale_min_k4(block.scales, 2 * chunk + 1, &scale_hi, &min_hi);
      const float d_lo = d * scale_lo, m_lo = dmin * min_lo;
      const float d_hi = d * scale_hi, m_hi = dmin * min_hi;
      const uint8_t *qs = block.qs + 32 * chunk;
      for (int l = 0; l < 32; ++l) {
        y[64 * chunk + l] = d_lo * static_cast<float>(qs[l] & 0x0f) - m_lo;
        y[64 * chunk + 32 + l] = d_hi * static_cast<float>(qs[l] >> 4) - m_hi;
      }
    }
  }
}

void quantize_row_q4_k(const float *in, void *blocks, int64_t n) {
  using namespace quant_detail;
  uint8_t *dst = static_cast<uint8_t *>(blocks);
  for (int64_t b = 0; b < n / kQuantSuperBlock; ++b) {
    const float *x = in + b * kQuantSuperBlock;  // [256]
    const KQuantSuperBlockScales fit = fit_k4_super_block(x, 15);
    BlockQ4_K block;
    block.d = fit.d;
    block.dmin = fit.dmin;
    pack_scales_mins_k4(fit.scales, fit.mins, block.scales);
    std::memset(block.qs, 0, sizeof block.qs);
    for (int j = 0; j < 8; ++j) {  // sub-block j: elements 32j..32j+31
      const float inverse = safe_inverse(fit.sub_scale[j]);
      const int shift = (j & 1) ? 4 : 0;
      uint8_t *qs = block.qs + 32 * (j / 2);
      for (int l = 0; l < 32; ++l) {
        const int q = round_clamped((x[32 * j + l] + fit.sub_min[j]) * inverse, 0, 15);
        qs[l] = static_cast<uint8_t>(qs[l] | (q << shift));
      }
    }
    std::memcpy(dst + b * sizeof(BlockQ4_K), &block, sizeof block);
  }
}

}  // namespace ballast
