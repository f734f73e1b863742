// Q5_K: as Q4_K with a fifth bit per element (qh); q in 0..31 (layout in blocks.h).
#include <cstring>

#include "kernels/quant/blocks.h"
#include "kernels/quant/k_quant_fit.h"
#include "kernels/quant/k_quant_scales.h"
#include "kernels/quant/quant_math.h"
#include "kernels/quant/quant_rows.h"

namespace ballast {

void dequantize_row_q5_k(const void *blocks, float *out, int64_t n) {
  const uint8_t *src = static_cast<const uint8_t *>(blocks);
  for (int64_t b = 0; b < n / kQuantSuperBlock; ++b) {
    BlockQ5_K block;
    std::memcpy(&block, src + b * sizeof(BlockQ5_K), sizeof block);
    const float d = f16_to_f32(block.d);
    const float dmin = f16_to_f32(block.dmin);
    float *y = out + b * kQuantSuperBlock;  // [256]
    for (int chunk = 0; chunk < 4; ++chunk) {
      uint8_t scale_lo, min_lo, scale_hi, min_hi;
      unpack_scale_min_k4(block.scales, 2 * chunk, &scale_lo, &min_lo);
      unpack_scale_min_k4(block.scales, 2 * chunk + 1, &scale_hi, &min_hi);
      const float d_lo = d * scale_lo, m_lo = dmin * min_lo;
      const float d_hi = d * scale_hi, m_hi = dmin * min_hi;
      const uint8_t *qs = block.qs + 32 * chunk;
      const int bit_lo = 2 * chunk, bit_hi = 2 * chunk + 1;  // fifth bits: bit j of qh[l] for sub-block j
      for (int l = 0; l < 32; ++l) {
        const int q_lo = (qs[l] & 0x0f) | (((block.qh[l] >> bit_lo) & 1) << 4);
        const int q_hi = (qs[l] >> 4) | (((block.qh[l] >> bit_hi) & 1) << 4);
        y[64 * chunk + l] = d_lo * static_cast<float>(q_lo) - m_lo;
        y[64 * chunk + 32 + l] = d_hi * static_cast<float>(q_hi) - m_hi;
      }
    }
  }
}

void quantize_row_q5_k(const float *in, void *blocks, int64_t n) {
  using namespace quant_detail;
  uint8_t *dst = static_cast<uint8_t *>(blocks);
  for (int64_t b = 0; b < n / kQuantSuperBlock; ++b) {
    const float *x = in + b * kQuantSuperBlock;  // [256]
    const KQuantSuperBlockScales fit = fit_k4_super_block(x, 31);
    BlockQ5_K block;
    block.d = fit.d;
    block.dmin = fit.dmin;
    pack_scales_mins_k4(fit.scales, fit.mins, block.scales);
    std::memset(block.qs, 0, sizeof block.qs);
    std::memset(block.qh, 0, sizeof block.qh);
    for (int j = 0; j < 8; ++j) {
      const float inverse = safe_inverse(fit.sub_scale[j]);
      const int shift = (j & 1) ? 4 : 0;
      uint8_t *qs = block.qs + 32 * (j / 2);
      for (int l = 0; l < 32; ++l) {
        const int q = round_clamped((x[32 * j + l] + fit.sub_min[j]) * inverse, 0, 31);
        qs[l] = static_cast<uint8_t>(qs[l] | ((q & 0x0f) << shift));
        block.qh[l] = static_cast<uint8_t>(block.qh[l] | ((q >> 4) << j));
      }
    }
    std::memcpy(dst + b * sizeof(BlockQ5_K), &block, sizeof block);
  }
}

}  // namespace ballast
