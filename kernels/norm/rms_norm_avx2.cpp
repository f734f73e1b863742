// AVX2 + FMA RMSNorm over whole rows.
#include "kernels/norm/rms_norm_x86.h"

#include <immintrin.h>

namespace ballast {
namespace {

void rms_norm_row(const float *x, const float *weight, float *y, int64_t n, float eps) {
  __m256d low = _mm256_setzero_pd(), high = _mm256_setzero_pd();  // 4 + 4 partial sums of x^2
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    const __m256d a = _mm256_cvtps_pd(_mm256_castps256_ps128(v)), b = _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1));
    low = _mm256_fmadd_pd(a, a, low);
    high = _mm256_fmadd_pd(b, b, high);
  }
  const __m256d both = _mm256_add_pd(low, high);
  const __m128d two = _mm_add_pd(_mm256_castpd256_pd128(both), _mm256_extractf128_pd(both, 1));
  double sum_squares = _mm_cvtsd_f64(_mm_add_sd(two, _mm_unpackhi_pd(two, two)));
  for (; i < n; ++i) sum_squares += static_cast<double>(x[i]) * x[i];
  const float mean = static_cast<float>(sum_squares / static_cast<double>(n));
  const float scale = 1.0f / _mm_cvtss_f32(_mm_sqrt_ss(_mm_set_ss(mean + eps)));
  const __m256 scale8 = _mm256_set1_ps(scale);
  i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(x + i), scale8), _mm256_loadu_ps(weight + i)));
  }
  for (; i < n; ++i) y[i] = x[i] * scale * weight[i];
}

}  // namespace

void rms_norm_rows_avx2(const float *x, const float *weight, float *y, int64_t rows, int64_t n, float eps) {
  for (int64_t r = 0; r < rows; ++r) rms_norm_row(x + r * n, weight, y + r * n, n, eps);
}

}  // namespace ballast
