#include "kernels/rope/rope.h"

#include <cmath>

#include "kernels/quant/float16.h"

namespace ballast {
namespace {

// Element indices of pair i within one head.
struct PairIndex {
  uint32_t first;
  uint32_t second;
};

inline PairIndex pair_index(RopeStyle style, uint32_t rope_dim, uint32_t pair) {
  if (style == RopeStyle::norm) return {2 * pair, 2 * pair + 1};
  return {pair, pair + rope_dim / 2};
}

// Loads/stores one element of a row as f32, for either storage type.
inline float load(const float *row, uint32_t i) { return row[i]; }
inline float load(const uint16_t *row, uint32_t i) { return f16_to_f32(row[i]); }
inline void store(float *row, uint32_t i, float value) { row[i] = value; }
inline void store(uint16_t *row, uint32_t i, float value) { row[i] = f32_to_f16(value); }

template <typename Src, typename Dst>
void apply_rows(const RopeConfig &config, const float *cos_sin, const Src *src, Dst *dst, uint32_t n_heads) {
  const uint32_t pairs = config.rope_dim / 2;
  for (uint32_t h = 0; h < n_heads; ++h) {
    const Src *in = src + static_cast<size_t>(h) * config.head_dim;  // [head_dim]
    Dst *out = dst + static_cast<size_t>(h) * config.head_dim;       // [head_dim]
    for (uint32_t i = 0; i < pairs; ++i) {
      const PairIndex p = pair_index(config.style, config.rope_dim, i);
      const float c = cos_sin[2 * i];
      const float s = cos_sin[2 * i + 1];
      const float x0 = load(in, p.first);
      const float x1 = load(in, p.second);
      store(out, p.first, x0 * c - x1 * s);
      store(out, p.second, x0 * s + x1 * c);
    }
    if (static_cast<const void *>(in) != static_cast<const void *>(out)) {
      for (uint32_t d = config.rope_dim; d < config.head_dim; ++d) store(out, d, load(in, d));
    }
  }
}

}  // namespace

const char *rope_style_name(RopeStyle style) { return style == RopeStyle::norm ? "norm" : "neox"; }

Status validate_rope_config(const RopeConfig &c) {
  if (c.rope_dim == 0 || c.rope_dim % 2 != 0) {
    return make_status(StatusCode::invalid_argument, "rope_dim must be even and positive, got %u", c.rope_dim);
  }
  if (c.rope_dim > c.head_dim) {
    return make_status(StatusCode::invalid_argument, "rope_dim %u exceeds head_dim %u", c.rope_dim, c.head_dim);
  }
  if (!(c.freq_base > 0.0) || !std::isfinite(c.freq_base)) {
    return make_status(StatusCode::invalid_argument, "rope freq_base must be positive and finite, got %g", c.freq_base);
  }
  if (!(c.freq_scale > 0.0) || !std::isfinite(c.freq_scale)) {
    return make_status(StatusCode::invalid_argument, "rope freq_scale must be positive and finite, got %g", c.freq_scale);
  }
  if (c.freq_factors != nullptr) {
    for (uint32_t i = 0; i < c.rope_dim / 2; ++i) {
      const float f = c.freq_factors[i];
      if (!(f > 0.0f) || !std::isfinite(f)) {
        return make_status(StatusCode::invalid_argument, "rope frequency factor %u is %g (must be positive, finite)", i,
                           static_cast<double>(f));
      }
    }
  }
  return Status::ok();
}

double rope_pair_frequency(const RopeConfig &c, uint32_t pair) {
  const double exponent = -2.0 * static_cast<double>(pair) / static_cast<double>(c.rope_dim);
  double frequency = c.freq_scale * std::pow(c.freq_base, exponent);
  if (c.freq_factors != nullptr) frequency /= static_cast<double>(c.freq_factors[pair]);
  return frequency;
}

void rope_cos_sin(const RopeConfig &c, int64_t position, float *cos_sin) {
  const double p = static_cast<double>(position);  // exact for |position| < 2^53
  for (uint32_t i = 0; i < c.rope_dim / 2; ++i) {
    const double angle = p * rope_pair_frequency(c, i);
    cos_sin[2 * i] = static_cast<float>(std::cos(angle));
    cos_sin[2 * i + 1] = static_cast<float>(std::sin(angle));
  }
}

void rope_apply_f32(const RopeConfig &c, const float *cos_sin, const float *src, float *dst, uint32_t n_heads) {
  apply_rows(c, cos_sin, src, dst, n_heads);
}

void rope_apply_f16(const RopeConfig &c, const float *cos_sin, const uint16_t *src, uint16_t *dst, uint32_t n_heads) {
  apply_rows(c, cos_sin, src, dst, n_heads);
}

void rope_apply_f32_to_f16(const RopeConfig &c, const float *cos_sin, const float *src, uint16_t *dst, uint32_t n_heads) {
  apply_rows(c, cos_sin, src, dst, n_heads);
}

RopeKernels rope_kernels_scalar() { return {rope_apply_f32, rope_apply_f16, rope_apply_f32_to_f16}; }

void rope_rotate_f32(const RopeConfig &c, int64_t position, float *x, uint32_t n_heads) {
  const double p = static_cast<double>(position);
  for (uint32_t i = 0; i < c.rope_dim / 2; ++i) {
    const double angle = p * rope_pair_frequency(c, i);
    const float pair_cos_sin[2] = {static_cast<float>(std::cos(angle)), static_cast<float>(std::sin(angle))};
    const PairIndex pi = pair_index(c.style, c.rope_dim, i);
    for (uint32_t h = 0; h < n_heads; ++h) {
      float *row = x + static_cast<size_t>(h) * c.head_dim;
      const float x0 = row[pi.first];
      const float x1 = row[pi.second];
      row[pi.first] = x0 * pair_cos_sin[0] - x1 * pair_cos_sin[1];
      row[pi.second] = x0 * pair_cos_sin[1] + x1 * pair_cos_sin[0];
    }
  }
}

}  // namespace ballast
