// RMSNorm, scalar reference: y = x * weight / sqrt(mean(x^2) + eps).
// The sum of squares is accumulated in double; the scale is applied in f32.
// y may equal x (in place); other overlaps are not allowed. No allocation.
#pragma once

#include <cstdint>

namespace ballast {

// One row: x [n], weight [n] (f32, e.g. attn_norm / ffn_norm), y [n].
using RmsNormFn = void (*)(const float *x, const float *weight, float *y, int64_t n, float eps);
void rms_norm_scalar(const float *x, const float *weight, float *y, int64_t n, float eps);

// `rows` independent rows sharing one weight vector: x [rows][n], weight [n],
// y [rows][n]. Used for a prefill batch, and for qwen3's per-head q/k norm
// (rows = n_heads, n = head_dim, weight = attn_q_norm / attn_k_norm).
using RmsNormRowsFn = void (*)(const float *x, const float *weight, float *y, int64_t rows, int64_t n, float eps);
void rms_norm_rows_scalar(const float *x, const float *weight, float *y, int64_t rows, int64_t n, float eps);

}  // namespace ballast
