// AVX2 + FMA SiLU * up: silu(g) = g / (1 + exp(-g)), 8 lanes at a time.
#include "kernels/activation/silu_mul_x86.h"

#include <immintrin.h>

namespace ballast {
namespace {

// exp(x) for x clamped to [-87, 88]: 2^n * e^r, n = round(x / ln2), r = x - n ln2
// in [-ln2/2, ln2/2] (ln2 in two parts so r is exact), e^r by its degree-6
// Taylor polynomial (relative error ~2e-7). The clamp keeps 2^n a normal
// float: below -87 silu(g) = g * ~1 exactly as in f32; above 88 the result is
// g * 1e-38-ish instead of a denormal or zero.
__m256 exp_clamped(__m256 x) {
  x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.0f)), _mm256_set1_ps(88.0f));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.0f / 720.0f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  const __m256i two_n = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(two_n));
}

__m256 silu_mul8(__m256 g, __m256 up) {
  const __m256 e = exp_clamped(_mm256_sub_ps(_mm256_setzero_ps(), g));
  return _mm256_mul_ps(_mm256_div_ps(g, _mm256_add_ps(_mm256_set1_ps(1.0f), e)), up);
}

}  // namespace

void silu_mul_avx2(const float *gate, const float *up, float *y, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, silu_mul8(_mm256_loadu_ps(gate + i), _mm256_loadu_ps(up + i)));
  if (i < n) {  // 1..7 left: through a padded lane buffer (gate and y may alias)
    alignas(32) float g[8] = {}, u[8] = {}, out[8];
    for (int64_t j = 0; j < n - i; ++j) {
      g[j] = gate[i + j];
      u[j] = up[i + j];
    }
    _mm256_store_ps(out, silu_mul8(_mm256_load_ps(g), _mm256_load_ps(u)));
    for (int64_t j = 0; j < n - i; ++j) y[i + j] = out[j];
  }
}

}  // namespace ballast
