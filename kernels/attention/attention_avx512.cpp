// AVX-512 (F/BW/VL) body of the decode attention (see attention_x86.h): the
// shared algorithm of attention_x86_impl.h with 512-bit tiles, for head
// dims that are multiples of 16 (the wrapper sends other shapes to the AVX2
// body). Against the AVX2 tiles: half the instructions per (head, slot)
// (one 16-wide widening and FMA per 16 dims, the attention weight
// broadcast from memory into the FMA), 32 registers, so head sets of up to
// 6 query heads (TinyLlama's group of 8 goes as 6 + 2, SmolLM2's 3 whole).
// Results differ from the AVX2 body by f32 summation order only; per head
// they are the same whatever set and call the head is in.
// Only POD types and intrinsics here: nothing with vague linkage that
// baseline code could share (cmake/BallastIsaSources.cmake).
// GCC 12's AVX-512 intrinsics build their "undefined" upper halves from a
// self-initialised variable, which -Wmaybe-uninitialized reports at every
// inlined use (a false positive, fixed in later GCC); off before <immintrin.h>.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include "kernels/attention/attention_x86.h"

#include "kernels/attention/attention_x86_impl.h"

namespace ballast {
namespace {

__m512 load16(const uint16_t *p) { return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(p))); }
__m512 load16(const float *p) { return _mm512_loadu_ps(p); }

// The 16 lanes folded to 8 (low half + high half), then reduced as the AVX2 body does.
__m256 fold(__m512 v) {
  return _mm256_add_ps(_mm512_castps512_ps256(v), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
}

template <typename T>
float dot16(const float *q, const T *k, uint32_t n) {
  __m512 acc = _mm512_setzero_ps();
  for (uint32_t d = 0; d < n; d += 16) acc = _mm512_fmadd_ps(_mm512_loadu_ps(q + d), load16(k + d), acc);
  return horizontal_sum(fold(acc));
}

struct Avx512Tiles {
  static constexpr uint32_t kMaxSetHeads = 6;  // 4 slots x 6 heads = 24 score accumulators + 4 key rows: 28 zmm

  // out_scores[j][i] = scale * dot(q[j], key of slot i), i < count: tiles of
  // 4 slots x M heads, one 16-lane FMA chain per (head, slot) over the head
  // dim, folded and reduced by horizontal_sum4 (per vector independent of
  // the other three); the last count % 4 slots by dot16().
  template <typename T, int M>
  static void scores(const float *const *q, const T *keys, size_t k_stride, uint32_t count, uint32_t dim, float scale,
                     float *const *out_scores, PrefetchCursor *prefetch) {
    const __m128 scale4 = _mm_set1_ps(scale);
    uint32_t i = 0;
    for (; i + 4 <= count; i += 4) {
      const T *k0 = keys + i * k_stride;
      const T *k1 = k0 + k_stride;
      const T *k2 = k1 + k_stride;
      const T *k3 = k2 + k_stride;
      __m512 a[M][4];
      for (int j = 0; j < M; ++j) {
        for (int c = 0; c < 4; ++c) a[j][c] = _mm512_setzero_ps();
      }
      for (uint32_t d = 0; d < dim; d += 16) {
        const __m512 x0 = load16(k0 + d), x1 = load16(k1 + d), x2 = load16(k2 + d), x3 = load16(k3 + d);
        for (int j = 0; j < M; ++j) {
          const __m512 qv = _mm512_loadu_ps(q[j] + d);
          a[j][0] = _mm512_fmadd_ps(qv, x0, a[j][0]);
          a[j][1] = _mm512_fmadd_ps(qv, x1, a[j][1]);
          a[j][2] = _mm512_fmadd_ps(qv, x2, a[j][2]);
          a[j][3] = _mm512_fmadd_ps(qv, x3, a[j][3]);
        }
      }
      for (int j = 0; j < M; ++j) {
        const __m128 sums = horizontal_sum4(fold(a[j][0]), fold(a[j][1]), fold(a[j][2]), fold(a[j][3]));
        _mm_storeu_ps(out_scores[j] + i, _mm_mul_ps(sums, scale4));
      }
      prefetch->tick();
    }
    for (; i < count; ++i) {
      for (int j = 0; j < M; ++j) out_scores[j][i] = dot16(q[j], keys + i * k_stride, dim) * scale;
    }
  }

  // out[j][0..dim) += sum_i p[j][i] * value row of slot i, i < count: 64 dims
  // at a time (4 x M accumulators), then 16; each value row widened once for
  // the set, each output element summed over the slots in order.
  template <typename T, int M>
  static void values(const float *const *p, const T *values, size_t v_stride, uint32_t count, uint32_t dim,
                     float *const *out, PrefetchCursor *prefetch) {
    uint32_t d = 0;
    for (; d + 64 <= dim; d += 64) {
      __m512 acc[M][4];
      for (int j = 0; j < M; ++j) {
        for (int c = 0; c < 4; ++c) acc[j][c] = _mm512_loadu_ps(out[j] + d + 16 * c);
      }
      for (uint32_t i = 0; i < count; ++i) {
        const T *v = values + i * v_stride + d;
        const __m512 v0 = load16(v), v1 = load16(v + 16), v2 = load16(v + 32), v3 = load16(v + 48);
        for (int j = 0; j < M; ++j) {
          const __m512 w = _mm512_set1_ps(p[j][i]);
          acc[j][0] = _mm512_fmadd_ps(w, v0, acc[j][0]);
          acc[j][1] = _mm512_fmadd_ps(w, v1, acc[j][1]);
          acc[j][2] = _mm512_fmadd_ps(w, v2, acc[j][2]);
          acc[j][3] = _mm512_fmadd_ps(w, v3, acc[j][3]);
        }
        if (d == 0) prefetch->tick();
      }
      for (int j = 0; j < M; ++j) {
        for (int c = 0; c < 4; ++c) _mm512_storeu_ps(out[j] + d + 16 * c, acc[j][c]);
      }
    }
    const uint32_t tail = d;  // value rows ticked in the first pass only
    for (; d < dim; d += 16) {
      __m512 acc[M];
      for (int j = 0; j < M; ++j) acc[j] = _mm512_loadu_ps(out[j] + d);
      for (uint32_t i = 0; i < count; ++i) {
        const __m512 v0 = load16(values + i * v_stride + d);
        for (int j = 0; j < M; ++j) acc[j] = _mm512_fmadd_ps(_mm512_set1_ps(p[j][i]), v0, acc[j]);
        if (d == tail && tail == 0) prefetch->tick();
      }
      for (int j = 0; j < M; ++j) _mm512_storeu_ps(out[j] + d, acc[j]);
    }
  }
};

}  // namespace

void attend_heads_avx512(const AttentionShape &shape, bool kv_f16, uint32_t head_begin, uint32_t head_end,
                         const float *q, const KvSegment *segments, uint32_t n_segments, float *out, float *scratch,
                         size_t scratch_floats) {
  if (kv_f16) {
    attend_heads<Avx512Tiles, uint16_t>(shape, head_begin, head_end, q, segments, n_segments, out, scratch,
                                        scratch_floats);
  } else {
    attend_heads<Avx512Tiles, float>(shape, head_begin, head_end, q, segments, n_segments, out, scratch,
                                     scratch_floats);
  }
}

}  // namespace ballast
