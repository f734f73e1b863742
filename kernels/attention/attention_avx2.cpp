// AVX2 + FMA + F16C body of the decode attention (see attention_x86.h).
// Only POD types and intrinsics here: nothing with vague linkage that
// baseline code could share (cmake/BallastIsaSources.cmake).
#include <immintrin.h>

#include "kernels/attention/attention_x86.h"

namespace ballast {
namespace {

__m256 load8(const uint16_t *p) { return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p))); }
__m256 load8(const float *p) { return _mm256_loadu_ps(p); }

float horizontal_sum(__m256 v) {
  const __m128 sum4 = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 sum2 = _mm_add_ps(sum4, _mm_movehl_ps(sum4, sum4));
  return _mm_cvtss_f32(_mm_add_ss(sum2, _mm_movehdup_ps(sum2)));
}

constexpr float kNegativeInfinity = -__builtin_inff();

template <typename T>
float dot(const float *q, const T *k, uint32_t n) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  uint32_t d = 0;
  for (; d + 16 <= n; d += 16) {
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + d), load8(k + d), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(q + d + 8), load8(k + d + 8), acc1);
  }
  if (d < n) acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + d), load8(k + d), acc0);
  return horizontal_sum(_mm256_add_ps(acc0, acc1));
}

// out[0..n) += weight * v[0..n)
template <typename T>
void axpy(float weight, const T *v, float *out, uint32_t n) {
  const __m256 w = _mm256_set1_ps(weight);
  for (uint32_t d = 0; d < n; d += 8) _mm256_storeu_ps(out + d, _mm256_fmadd_ps(w, load8(v + d), _mm256_loadu_ps(out + d)));
}

void scale(float factor, float *out, uint32_t n) {
  const __m256 f = _mm256_set1_ps(factor);
  for (uint32_t d = 0; d < n; d += 8) _mm256_storeu_ps(out + d, _mm256_mul_ps(f, _mm256_loadu_ps(out + d)));
}

template <typename T>
void attend_head(const AttentionShape &shape, uint32_t head, const float *q_head, const KvSegment *segments,
                 uint32_t n_segments, float *out_head, float *scores, size_t block_slots) {
  const uint32_t kv_head = head / (shape.n_head / shape.n_head_kv);
  const size_t k_stride = static_cast<size_t>(shape.n_head_kv) * shape.head_dim_k;  // elements per slot
  const size_t v_stride = static_cast<size_t>(shape.n_head_kv) * shape.head_dim_v;
  for (uint32_t d = 0; d < shape.head_dim_v; d += 8) _mm256_storeu_ps(out_head + d, _mm256_setzero_ps());
  float max_score = kNegativeInfinity, sum = 0.0f;
  for (uint32_t s = 0; s < n_segments; ++s) {
    const T *keys = static_cast<const T *>(segments[s].keys) + static_cast<size_t>(kv_head) * shape.head_dim_k;
    const T *values = static_cast<const T *>(segments[s].values) + static_cast<size_t>(kv_head) * shape.head_dim_v;
    for (uint32_t begin = 0; begin < segments[s].n_slots; begin += static_cast<uint32_t>(block_slots)) {
      const uint32_t count = static_cast<uint32_t>(
          segments[s].n_slots - begin < block_slots ? segments[s].n_slots - begin : block_slots);
      float block_max = kNegativeInfinity;
      for (uint32_t i = 0; i < count; ++i) {
        scores[i] = dot(q_head, keys + (begin + i) * k_stride, shape.head_dim_k) * shape.scale;
        block_max = scores[i] > block_max ? scores[i] : block_max;
      }
      if (block_max > max_score) {
        const float factor = sum == 0.0f ? 0.0f : __builtin_expf(max_score - block_max);
        sum *= factor;
        scale(factor, out_head, shape.head_dim_v);
        max_score = block_max;
      }
      for (uint32_t i = 0; i < count; ++i) {
        const float weight = __builtin_expf(scores[i] - max_score);
        sum += weight;
        axpy(weight, values + (begin + i) * v_stride, out_head, shape.head_dim_v);
      }
    }
  }
  scale(1.0f / sum, out_head, shape.head_dim_v);
}

template <typename T>
void attend_heads(const AttentionShape &shape, uint32_t head_begin, uint32_t head_end, const float *q,
                  const KvSegment *segments, uint32_t n_segments, float *out, float *scratch, size_t block_slots) {
  for (uint32_t h = head_begin; h < head_end; ++h) {
    attend_head<T>(shape, h, q + static_cast<size_t>(h) * shape.head_dim_k, segments, n_segments,
                   out + static_cast<size_t>(h) * shape.head_dim_v, scratch, block_slots);
  }
}

}  // namespace

void attend_heads_avx2(const AttentionShape &shape, bool kv_f16, uint32_t head_begin, uint32_t head_end,
                       const float *q, const KvSegment *segments, uint32_t n_segments, float *out, float *scratch,
                       size_t block_slots) {
  if (kv_f16) {
    attend_heads<uint16_t>(shape, head_begin, head_end, q, segments, n_segments, out, scratch, block_slots);
  } else {
    attend_heads<float>(shape, head_begin, head_end, q, segments, n_segments, out, scratch, block_slots);
  }
}

}  // namespace ballast
