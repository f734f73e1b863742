// Rotary position embedding (RoPE), scalar reference.
//
// A head vector x [head_dim] is split into rope_dim/2 pairs; pair i is rotated
// by the angle  position * freq_scale * freq_base^(-2i/rope_dim) / freq_factor[i]
// (llama.cpp's formula with its `rope_freqs.weight` factors for llama3 rope
// scaling). Elements past rope_dim are left untouched. Two pairings:
//   norm: (x[2i], x[2i+1])              llama.cpp's mode for `llama`
//   neox: (x[i],  x[i + rope_dim/2])    llama.cpp's mode for `qwen2` / `qwen3`
//
// Angles are computed in double (position converted exactly, |position| <
// 2^53), so positions near 10^9 are still right to ~1e-7 rad; float32 angle
// math would be off by ~0.5 rad already at 4e6. Rotation composes:
// rotating at a then at b equals rotating at a + b, so "re-rotate an already
// rotated vector by a position difference d" is just rope_apply with the
// table for position d (d may be negative).
//
// Usage: fill a cos/sin table for one position once (rope_cos_sin), then
// rotate any number of [n_heads][head_dim] rows with it (rope_apply_*).
#pragma once

#include <cstddef>
#include <cstdint>

#include "platform/status.h"

namespace ballast {

enum class RopeStyle { norm, neox };
const char *rope_style_name(RopeStyle style);

struct RopeConfig {
  RopeStyle style = RopeStyle::norm;
  uint32_t head_dim = 0;   // elements per head
  uint32_t rope_dim = 0;   // rotated elements per head: even, 2..head_dim
  double freq_base = 10000.0;  // theta
  double freq_scale = 1.0;     // linear position scaling (1 = none)
  // [rope_dim/2] divisors of each pair's frequency, or nullptr (all 1). The
  // pointer (e.g. into the mapped model file) must outlive every use.
  const float *freq_factors = nullptr;
};

// invalid_argument for odd/zero rope_dim, rope_dim > head_dim, base <= 0,
// scale <= 0, non-positive or non-finite frequency factors.
Status validate_rope_config(const RopeConfig &config);

// Number of rotated pairs (rope_dim / 2) = entries of a cos/sin table.
inline uint32_t rope_pairs(const RopeConfig &config) { return config.rope_dim / 2; }

// Angular frequency of pair i in radians per position (double).
double rope_pair_frequency(const RopeConfig &config, uint32_t pair);

// cos_sin [rope_dim/2][2] = {cos, sin} of pair i's angle at `position`.
void rope_cos_sin(const RopeConfig &config, int64_t position, float *cos_sin);

// Rotate n_heads rows [n_heads][head_dim] with a table from rope_cos_sin.
// src may equal dst (in place); when they differ, dims past rope_dim are
// copied. The f16 variant reads/writes IEEE half bits and rotates in f32.
void rope_apply_f32(const RopeConfig &config, const float *cos_sin, const float *src, float *dst, uint32_t n_heads);
void rope_apply_f16(const RopeConfig &config, const float *cos_sin, const uint16_t *src, uint16_t *dst, uint32_t n_heads);
// f32 input straight into f16 storage (one rounding, after the rotation).
void rope_apply_f32_to_f16(const RopeConfig &config, const float *cos_sin, const float *src, uint16_t *dst,
                           uint32_t n_heads);

// The three row rotations above as one set (the dispatch table's `rope`
// entry, kernels/dispatch/kernel_table.h). Every variant gives the scalar
// reference's bits: each output is x0 * c - x1 * s or x0 * s + x1 * c with
// the products and the sum rounded separately (no FMA contraction; the build
// compiles ISO C++, where GCC does not contract), f16 rounded to nearest
// even (tests/kernels_simd/rope_variants_test.cpp).
struct RopeKernels {
  void (*apply_f32)(const RopeConfig &config, const float *cos_sin, const float *src, float *dst, uint32_t n_heads);
  void (*apply_f16)(const RopeConfig &config, const float *cos_sin, const uint16_t *src, uint16_t *dst,
                    uint32_t n_heads);
  void (*apply_f32_to_f16)(const RopeConfig &config, const float *cos_sin, const float *src, uint16_t *dst,
                           uint32_t n_heads);
};
// The scalar reference: {rope_apply_f32, rope_apply_f16, rope_apply_f32_to_f16}.
RopeKernels rope_kernels_scalar();

// Convenience without a table: rotates [n_heads][head_dim] in place at
// `position`, computing each pair's angle on the spot (n_heads x more
// cos/sin calls than the table route; fine for tests and one-off use).
void rope_rotate_f32(const RopeConfig &config, int64_t position, float *x, uint32_t n_heads);

}  // namespace ballast
