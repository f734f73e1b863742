// AVX2 + F16C body of the RoPE row rotations (rope_x86.h): 8 lanes, the
// scalar reference's arithmetic per element (mul, mul, then sub or add; no
// FMA), so the same bits.
//   norm style, pairs (2i, 2i + 1): a row's 8 floats hold 4 pairs; with
//     cc = (c, c) and ss = (-s, s) per pair and x' the row with each pair
//     swapped, out = x * cc + x' * ss: x0 * c + x1 * (-s) is x0 * c - x1 * s
//     exactly, and x1 * c + x0 * s is x0 * s + x1 * c (the sum commutes).
//   neox style, pairs (i, i + rope_dim / 2): 8 pairs per step, the table's
//     (cos, sin) pairs split into a cos and a sin vector once per step for
//     all heads.
// Pairs past the last whole vector go one at a time, with the same formula.
// Only POD types and intrinsics here: nothing with vague linkage that
// baseline code could share (cmake/BallastIsaSources.cmake).
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "kernels/rope/rope_x86.h"

namespace ballast {
namespace {

__m256 load8(const float *p) { return _mm256_loadu_ps(p); }
__m256 load8(const uint16_t *p) { return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p))); }
void store8(float *p, __m256 v) { _mm256_storeu_ps(p, v); }
void store8(uint16_t *p, __m256 v) {
  _mm_storeu_si128(reinterpret_cast<__m128i *>(p), _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}
float load1(const float *p) { return *p; }
float load1(const uint16_t *p) { return _cvtsh_ss(*p); }
void store1(float *p, float v) { *p = v; }
void store1(uint16_t *p, float v) {
  *p = static_cast<uint16_t>(_cvtss_sh(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}

// One pair: out[a], out[b] from in[a], in[b] (read both before writing: in may be out).
template <typename Src, typename Dst>
void rotate_pair(const float *cs, const Src *in, Dst *out, uint32_t a, uint32_t b) {
  const float c = cs[0], s = cs[1];
  const float x0 = load1(in + a), x1 = load1(in + b);
  store1(out + a, x0 * c - x1 * s);
  store1(out + b, x0 * s + x1 * c);
}

template <typename Src, typename Dst>
void copy_rest(const RopeConfig &c, const Src *in, Dst *out) {
  if (static_cast<const void *>(in) == static_cast<const void *>(out)) return;
  uint32_t d = c.rope_dim;
  for (; d + 8 <= c.head_dim; d += 8) store8(out + d, load8(in + d));
  for (; d < c.head_dim; ++d) store1(out + d, load1(in + d));
}

template <typename Src, typename Dst>
void rotate_norm(const RopeConfig &c, const float *cos_sin, const Src *src, Dst *dst, uint32_t n_heads) {
  const __m256 negate_even = _mm256_castsi256_ps(_mm256_setr_epi32(
      static_cast<int>(0x80000000u), 0, static_cast<int>(0x80000000u), 0, static_cast<int>(0x80000000u), 0,
      static_cast<int>(0x80000000u), 0));
  for (uint32_t h = 0; h < n_heads; ++h) {
    const Src *in = src + static_cast<size_t>(h) * c.head_dim;  // [head_dim]
    Dst *out = dst + static_cast<size_t>(h) * c.head_dim;       // [head_dim]
    uint32_t d = 0;
    for (; d + 8 <= c.rope_dim; d += 8) {
      const __m256 cs = _mm256_loadu_ps(cos_sin + d);  // (c, s) of pairs d/2 .. d/2 + 3
      const __m256 cc = _mm256_moveldup_ps(cs);
      const __m256 ss = _mm256_xor_ps(_mm256_movehdup_ps(cs), negate_even);
      const __m256 x = load8(in + d);
      const __m256 swapped = _mm256_permute_ps(x, 0xb1);  // (x1, x0) per pair
      store8(out + d, _mm256_add_ps(_mm256_mul_ps(x, cc), _mm256_mul_ps(swapped, ss)));
    }
    for (; d < c.rope_dim; d += 2) rotate_pair(cos_sin + d, in, out, d, d + 1);
    copy_rest(c, in, out);
  }
}

template <typename Src, typename Dst>
void rotate_neox(const RopeConfig &c, const float *cos_sin, const Src *src, Dst *dst, uint32_t n_heads) {
  const uint32_t half = c.rope_dim / 2;
  uint32_t i = 0;
  for (; i + 8 <= half; i += 8) {
    const __m256 a = _mm256_loadu_ps(cos_sin + 2 * i);      // c s of pairs i .. i + 3
    const __m256 b = _mm256_loadu_ps(cos_sin + 2 * i + 8);  // pairs i + 4 .. i + 7
    // shuffle: (c_i c_i+1 c_i+4 c_i+5 | c_i+2 c_i+3 c_i+6 c_i+7); permute: in pair order.
    const __m256 cv = _mm256_castpd_ps(
        _mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0))), 0xd8));
    const __m256 sv = _mm256_castpd_ps(
        _mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1))), 0xd8));
    for (uint32_t h = 0; h < n_heads; ++h) {
      const Src *in = src + static_cast<size_t>(h) * c.head_dim;
      Dst *out = dst + static_cast<size_t>(h) * c.head_dim;
      const __m256 x0 = load8(in + i), x1 = load8(in + half + i);
      store8(out + i, _mm256_sub_ps(_mm256_mul_ps(x0, cv), _mm256_mul_ps(x1, sv)));
      store8(out + half + i, _mm256_add_ps(_mm256_mul_ps(x0, sv), _mm256_mul_ps(x1, cv)));
    }
  }
  for (uint32_t h = 0; h < n_heads; ++h) {
    const Src *in = src + static_cast<size_t>(h) * c.head_dim;
    Dst *out = dst + static_cast<size_t>(h) * c.head_dim;
    for (uint32_t p = i; p < half; ++p) rotate_pair(cos_sin + 2 * p, in, out, p, p + half);
    copy_rest(c, in, out);
  }
}

template <typename Src, typename Dst>
void rotate_rows(const RopeConfig &c, const float *cos_sin, const Src *src, Dst *dst, uint32_t n_heads) {
  if (c.style == RopeStyle::norm) {
    rotate_norm(c, cos_sin, src, dst, n_heads);
  } else {
    rotate_neox(c, cos_sin, src, dst, n_heads);
  }
}

void apply_f32_avx2(const RopeConfig &c, const float *cos_sin, const float *src, float *dst, uint32_t n_heads) {
  rotate_rows(c, cos_sin, src, dst, n_heads);
}
void apply_f16_avx2(const RopeConfig &c, const float *cos_sin, const uint16_t *src, uint16_t *dst, uint32_t n_heads) {
  rotate_rows(c, cos_sin, src, dst, n_heads);
}
void apply_f32_to_f16_avx2(const RopeConfig &c, const float *cos_sin, const float *src, uint16_t *dst,
                           uint32_t n_heads) {
  rotate_rows(c, cos_sin, src, dst, n_heads);
}

}  // namespace

RopeKernels rope_kernels_avx2() { return {apply_f32_avx2, apply_f16_avx2, apply_f32_to_f16_avx2}; }

}  // namespace ballast
