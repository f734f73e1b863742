// exp() over 8 floats for AVX2 + FMA translation units (silu_mul_avx2.cpp,
// attention_avx2.cpp). Include ONLY from files compiled with AVX2 flags; the
// function has internal linkage (anonymous namespace), so no baseline code can
// end up calling an AVX2 copy (cmake/BallastIsaSources.cmake).
//
// exp(x) for x clamped to [-87, 88]: 2^n * e^r, n = round(x / ln2),
// r = x - n ln2 in [-ln2/2, ln2/2] (ln2 in two parts so r is exact), e^r by its
// degree-6 Taylor polynomial (relative error ~2e-7). The clamp keeps 2^n a
// normal float: inputs below -87 give ~1.6e-38 instead of a denormal or zero,
// inputs above 88 give ~1.7e38 instead of infinity.
#pragma once

#include <immintrin.h>

namespace ballast {
namespace {

inline __m256 exp_clamped_avx2(__m256 x) {
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

}  // namespace
}  // namespace ballast
