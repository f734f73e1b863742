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

#include "kernels/rope/rope_rows_impl.h"
#include "kernels/rope/rope_x86.h"

namespace ballast {
namespace {

struct Avx2Rope {
  using Rows = RopeRows<Avx2Rope>;
  static constexpr uint32_t kWidth = 8;

  static __m256 load(const float *p) { return _mm256_loadu_ps(p); }
  static __m256 load(const uint16_t *p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p)));
  }
  static void store(float *p, __m256 v) { _mm256_storeu_ps(p, v); }
  static void store(uint16_t *p, __m256 v) {
    _mm_storeu_si128(reinterpret_cast<__m128i *>(p), _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  }
  static float load1(const float *p) { return *p; }
  static float load1(const uint16_t *p) { return _cvtsh_ss(*p); }
  static void store1(float *p, float v) { *p = v; }
  static void store1(uint16_t *p, float v) {
    *p = static_cast<uint16_t>(_cvtss_sh(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  }

  template <typename Src, typename Dst>
  static void rotate_norm(const RopeConfig &c, const float *cos_sin, const Src *src, Dst *dst, uint32_t n_heads) {
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
        const __m256 x = load(in + d);
        const __m256 swapped = _mm256_permute_ps(x, 0xb1);  // (x1, x0) per pair
        store(out + d, _mm256_add_ps(_mm256_mul_ps(x, cc), _mm256_mul_ps(swapped, ss)));
      }
      for (; d < c.rope_dim; d += 2) Rows::rotate_pair(cos_sin + d, in, out, d, d + 1);
      Rows::copy_rest(c, in, out);
    }
  }

  template <typename Src, typename Dst>
  static void rotate_neox(const RopeConfig &c, const float *cos_sin, const Src *src, Dst *dst, uint32_t n_heads) {
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
        const __m256 x0 = load(in + i), x1 = load(in + half + i);
        store(out + i, _mm256_sub_ps(_mm256_mul_ps(x0, cv), _mm256_mul_ps(x1, sv)));
        store(out + half + i, _mm256_add_ps(_mm256_mul_ps(x0, sv), _mm256_mul_ps(x1, cv)));
      }
    }
    Rows::neox_tail(c, cos_sin, src, dst, n_heads, i);
  }
};

}  // namespace

RopeKernels rope_kernels_avx2() { return RopeRows<Avx2Rope>::kernels(); }

}  // namespace ballast
