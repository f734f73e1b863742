// AVX2 + FMA SiLU * up: silu(g) = g / (1 + exp(-g)), 8 lanes at a time.
#include "kernels/activation/silu_mul_x86.h"

#include <immintrin.h>

#include "kernels/activation/exp_avx2.h"

namespace ballast {
namespace {

__m256 silu_mul8(__m256 g, __m256 up) {
  const __m256 e = exp_clamped_avx2(_mm256_sub_ps(_mm256_setzero_ps(), g));
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
