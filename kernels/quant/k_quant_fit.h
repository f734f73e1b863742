// Per-sub-block scale fitting for the K-quant reference quantizers. Simpler
// than llama.cpp's searches: a handful of starting scales, each refined by
// alternating "round to the grid" and a least-squares fit; the fit with the
// smallest squared error wins. Deterministic.
#pragma once

#include <cstdint>

namespace ballast {

// Fit x[0..count) ~= scale * q - min with q in 0..q_max, scale >= 0, min >= 0
// (the K-quant asymmetric form: min is subtracted).
void fit_scale_min(const float *x, int count, int q_max, float *scale, float *min);

// Fit x[0..count) ~= scale * q with q in q_min..q_max (scale may be negative:
// the largest-magnitude element goes to q_min, the longer side of the grid).
float fit_symmetric_scale(const float *x, int count, int q_min, int q_max);

// The scales of one Q4_K / Q5_K super-block (256 elements, 8 sub-blocks of
// 32), quantized as the format stores them, plus the effective per-sub-block
// scale and min the quants must be rounded against.
struct KQuantSuperBlockScales {
  uint16_t d;             // f16: sub-block scale = d * scales[j]
  uint16_t dmin;          // f16: sub-block min = dmin * mins[j]
  uint8_t scales[8];      // 0..63
  uint8_t mins[8];        // 0..63
  float sub_scale[8];     // d * scales[j], as dequantization computes it
  float sub_min[8];       // dmin * mins[j]
};
KQuantSuperBlockScales fit_k4_super_block(const float *x /* [256] */, int q_max);

}  // namespace ballast
