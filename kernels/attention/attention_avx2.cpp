// AVX2 + FMA + F16C body of the decode attention (see attention_x86.h): the
// shared algorithm of attention_x86_impl.h with 256-bit tiles.
// Only POD types and intrinsics here: nothing with vague linkage that
// baseline code could share (cmake/BallastIsaSources.cmake).
#include "kernels/attention/attention_x86.h"
#include "kernels/attention/attention_x86_impl.h"

namespace ballast {
namespace {

struct Avx2Tiles {
  static constexpr uint32_t kMaxSetHeads = 3;

  // scores[j][i] = scale * dot(q[j], key of slot i), i < count, for the M heads
  // of a set. Slots go in tiles of 4 as in the one-head form (each (head,
  // slot) dot one 8-lane FMA chain over the head dim, reduced by the
  // horizontal_sum4 tree, whose result per vector does not depend on the
  // other three vectors), worked as two halves of 2 slots x M heads so the
  // accumulators stay in registers (2M + 2 key rows + 1 query <= 9 ymm); the
  // last count % 4 slots by dot().
  template <typename T, int M>
  static void scores(const float *const *q, const T *keys, size_t k_stride, uint32_t count, uint32_t dim, float scale,
                     float *const *out_scores, PrefetchCursor *prefetch) {
    const __m128 scale4 = _mm_set1_ps(scale);
    uint32_t i = 0;
    for (; i + 4 <= count; i += 4) {
      for (uint32_t half = i; half < i + 4; half += 2) {
        const T *k0 = keys + half * k_stride;
        const T *k1 = k0 + k_stride;
        __m256 a[2 * M + 2];  // [j * 2 + slot]; 2 spare zero vectors pad the last horizontal_sum4
        for (int c = 0; c < 2 * M + 2; ++c) a[c] = _mm256_setzero_ps();
        for (uint32_t d = 0; d < dim; d += 8) {
          const __m256 x0 = load8(k0 + d), x1 = load8(k1 + d);
          for (int j = 0; j < M; ++j) {
            const __m256 qv = _mm256_loadu_ps(q[j] + d);
            a[2 * j] = _mm256_fmadd_ps(qv, x0, a[2 * j]);
            a[2 * j + 1] = _mm256_fmadd_ps(qv, x1, a[2 * j + 1]);
          }
        }
        for (int c = 0; c < 2 * M; c += 4) {  // 4 (head, slot) sums at a time
          alignas(16) float sums[4];
          _mm_store_ps(sums, _mm_mul_ps(horizontal_sum4(a[c], a[c + 1], a[c + 2], a[c + 3]), scale4));
          const int pairs = 2 * M - c >= 4 ? 2 : 1;
          for (int e = 0; e < 2 * pairs; ++e) out_scores[(c + e) / 2][half + (c + e) % 2] = sums[e];
        }
      }
      prefetch->tick();
    }
    for (; i < count; ++i) {
      for (int j = 0; j < M; ++j) out_scores[j][i] = dot(q[j], keys + i * k_stride, dim) * scale;
    }
  }

  // out[j][0..dim) += sum_i p[j][i] * value row of slot i, i < count, for the M
  // heads of a set; 16 dims at a time (2 x M accumulators), each value row
  // widened once for the set.
  template <typename T, int M>
  static void values(const float *const *p, const T *values, size_t v_stride, uint32_t count, uint32_t dim,
                     float *const *out, PrefetchCursor *prefetch) {
    for (uint32_t d = 0; d < dim; d += 16) {
      const bool pair = d + 16 <= dim;  // else the last 8 dims
      __m256 acc[M][2];
      for (int j = 0; j < M; ++j) {
        acc[j][0] = _mm256_loadu_ps(out[j] + d);
        acc[j][1] = pair ? _mm256_loadu_ps(out[j] + d + 8) : _mm256_setzero_ps();
      }
      if (pair) {
        for (uint32_t i = 0; i < count; ++i) {
          const T *v = values + i * v_stride + d;
          const __m256 v0 = load8(v), v1 = load8(v + 8);
          for (int j = 0; j < M; ++j) {
            const __m256 w = _mm256_broadcast_ss(p[j] + i);
            acc[j][0] = _mm256_fmadd_ps(w, v0, acc[j][0]);
            acc[j][1] = _mm256_fmadd_ps(w, v1, acc[j][1]);
          }
          if (d == 0) prefetch->tick();
        }
      } else {
        for (uint32_t i = 0; i < count; ++i) {
          const __m256 v0 = load8(values + i * v_stride + d);
          for (int j = 0; j < M; ++j) acc[j][0] = _mm256_fmadd_ps(_mm256_broadcast_ss(p[j] + i), v0, acc[j][0]);
          if (d == 0) prefetch->tick();
        }
      }
      for (int j = 0; j < M; ++j) {
        _mm256_storeu_ps(out[j] + d, acc[j][0]);
        if (pair) _mm256_storeu_ps(out[j] + d + 8, acc[j][1]);
      }
    }
  }
};

}  // namespace

void attend_heads_avx2(const AttentionShape &shape, bool kv_f16, uint32_t head_begin, uint32_t head_end, const float *q,
                       const KvSegment *segments, uint32_t n_segments, float *out, float *scratch, size_t block_slots) {
  if (kv_f16) {
    attend_heads<Avx2Tiles, uint16_t>(shape, head_begin, head_end, q, segments, n_segments, out, scratch, block_slots);
  } else {
    attend_heads<Avx2Tiles, float>(shape, head_begin, head_end, q, segments, n_segments, out, scratch, block_slots);
  }
}

}  // namespace ballast
