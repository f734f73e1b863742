// The x86 decode attention's algorithm, shared by the AVX2 and AVX-512
// translation units (attention_avx2.cpp, attention_avx512.cpp), which supply
// the compute tiles as a `Tiles` policy:
//   static constexpr uint32_t kMaxSetHeads;  // most query heads per head set
//   template <typename T, int M> static void scores(q[M], keys, k_stride, count, dim, scale, scores[M], prefetch);
//   template <typename T, int M> static void values(p[M], values, v_stride, count, dim, out[M], prefetch);
// (scores: scores[j][i] = scale * dot(q[j], key i); values: out[j] += sum_i
// p[j][i] * value i; each calls prefetch->tick() once per 4 scored slots and
// once per value row.)
//
// Work order, per block of attention_block_slots() slots (attention.h: the
// block's K and V rows of all KV heads fit in L2), per "head set" of the
// call (up to kMaxSetHeads query heads of one GQA group, attended together
// so each K and V row is loaded and widened once for the set):
//   1. scores (the tile);
//   2. softmax, per head: the block's max; when it raises the running max,
//      the head's sum and output are rescaled (online softmax, as the scalar
//      reference); then p = exp(score - max) 8 at a time (polynomial exp);
//   3. values (the tile).
// Meanwhile the next block's rows are prefetched (PrefetchCursor), so the
// cache streams from memory once per call, overlapped with the compute.
// A head's arithmetic must be the same whatever set and call it is in (the
// tiles guarantee it for their part), so any split of the heads over
// threads gives the same bits.
//
// Include ONLY from files compiled with AVX2 (or higher) flags: everything
// here has internal linkage (anonymous namespace), so no baseline code can
// end up calling an ISA copy (cmake/BallastIsaSources.cmake).
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "kernels/activation/exp_avx2.h"
#include "kernels/attention/attention.h"
#include "kernels/attention/kv_block_prefetch.h"

namespace ballast {
namespace {

constexpr float kNegativeInfinity = -__builtin_inff();

[[maybe_unused]] __m256 load8(const uint16_t *p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p)));
}
[[maybe_unused]] __m256 load8(const float *p) { return _mm256_loadu_ps(p); }

float horizontal_sum(__m256 v) {
  const __m128 sum4 = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 sum2 = _mm_add_ps(sum4, _mm_movehl_ps(sum4, sum4));
  return _mm_cvtss_f32(_mm_add_ss(sum2, _mm_movehdup_ps(sum2)));
}

// The four horizontal sums of a, b, c, d as one vector {sum a, sum b, sum c, sum d}.
__m128 horizontal_sum4(__m256 a, __m256 b, __m256 c, __m256 d) {
  const __m256 ab = _mm256_hadd_ps(a, b);  // a01 a23 b01 b23 | a45 a67 b45 b67
  const __m256 cd = _mm256_hadd_ps(c, d);
  const __m256 abcd = _mm256_hadd_ps(ab, cd);  // a0-3 b0-3 c0-3 d0-3 | a4-7 b4-7 c4-7 d4-7
  return _mm_add_ps(_mm256_castps256_ps128(abcd), _mm256_extractf128_ps(abcd, 1));
}

// exp(x) for x <= 0 (scores minus their max), 8 lanes (kernels/activation/exp_avx2.h:
// relative error ~2e-7; inputs below -87 give exp(-87) ~ 1.6e-38, a weight
// that adds nothing next to the max's weight of 1).
__m256 exp_nonpositive(__m256 x) { return exp_clamped_avx2(x); }

float exp_nonpositive(float x) {
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, exp_nonpositive(_mm256_set1_ps(x)));
  return lanes[0];
}

template <typename T>
float dot(const float *q, const T *k, uint32_t n) {
  __m256 acc = _mm256_setzero_ps();
  for (uint32_t d = 0; d < n; d += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(q + d), load8(k + d), acc);
  return horizontal_sum(acc);
}

void scale_row(float factor, float *out, uint32_t n) {
  const __m256 f = _mm256_set1_ps(factor);
  for (uint32_t d = 0; d < n; d += 8) _mm256_storeu_ps(out + d, _mm256_mul_ps(f, _mm256_loadu_ps(out + d)));
}

// p[i] = exp(p[i] - max) in place for i < count; returns the sum of the p[i].
float exp_and_sum(float *p, uint32_t count, float max) {
  const __m256 m = _mm256_set1_ps(max);
  __m256 sum8 = _mm256_setzero_ps();
  uint32_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m256 e = exp_nonpositive(_mm256_sub_ps(_mm256_loadu_ps(p + i), m));
    _mm256_storeu_ps(p + i, e);
    sum8 = _mm256_add_ps(sum8, e);
  }
  float sum = horizontal_sum(sum8);
  for (; i < count; ++i) {
    p[i] = exp_nonpositive(p[i] - max);
    sum += p[i];
  }
  return sum;
}

constexpr uint32_t kMaxPassHeads = 64;  // query heads one pass over the KV data tracks

// Running online-softmax state of the query heads of one pass.
struct PassState {
  float max_score[kMaxPassHeads];  // largest score so far per head (-inf before the first)
  float sum[kMaxPassHeads];        // sum of exp(score - max_score) per head
};

// max(p[0..count)) (-inf for none), 16 lanes at a time: the max of a set
// does not depend on the order it is taken in, so this is the scalar loop's value.
float max_of(const float *p, uint32_t count) {
  __m256 m0 = _mm256_set1_ps(kNegativeInfinity), m1 = m0;
  uint32_t i = 0;
  for (; i + 16 <= count; i += 16) {
    m0 = _mm256_max_ps(m0, _mm256_loadu_ps(p + i));
    m1 = _mm256_max_ps(m1, _mm256_loadu_ps(p + i + 8));
  }
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, _mm256_max_ps(m0, m1));
  float best = kNegativeInfinity;
  for (float lane : lanes) best = lane > best ? lane : best;
  for (; i < count; ++i) best = p[i] > best ? p[i] : best;
  return best;
}

// The online-softmax step of one head for one block: p holds the block's
// scores and becomes exp(score - running max); the running sum and the
// output row o are rescaled when the block raises the max.
void softmax_block(float *p, uint32_t count, uint32_t dim_v, float *o, float *max_score, float *sum) {
  float block_max = max_of(p, count);
  if (block_max > *max_score) {
    const float factor = *sum == 0.0f ? 0.0f : exp_nonpositive(*max_score - block_max);
    *sum *= factor;
    scale_row(factor, o, dim_v);
    *max_score = block_max;
  }
  *sum += exp_and_sum(p, count, *max_score);
}

// Query heads sharing one KV head are attended together, up to
// Tiles::kMaxSetHeads at a time (a "head set"): each K/V row of the block is loaded
// and widened once for the set instead of once per head. Every head's
// arithmetic is exactly what it would be alone (same FMA chain per dot over
// the head dim, same reduction tree per 4-slot tile, same slot order per
// output element), so a head's bits never depend on the set it is in.
//
// One block of `count` slots for the M heads of a set (one KV head): keys /
// values are the block's rows of that KV head, k_stride / v_stride elements
// apart; p[j]: a scratch row of >= count scores per head.
template <typename Tiles, typename T, int M>
void attend_block_set(const AttentionShape &shape, const float *const *q, const T *keys, size_t k_stride,
                      const T *values, size_t v_stride, uint32_t count, float *const *o, float *const *p,
                      float *max_score, float *sum, PrefetchCursor *prefetch) {
  Tiles::template scores<T, M>(q, keys, k_stride, count, shape.head_dim_k, shape.scale, p, prefetch);
  for (int j = 0; j < M; ++j) softmax_block(p[j], count, shape.head_dim_v, o[j], &max_score[j], &sum[j]);
  Tiles::template values<T, M>(p, values, v_stride, count, shape.head_dim_v, o, prefetch);
}

// attend_block_set for a run-time set size m in [M, Tiles::kMaxSetHeads].
template <typename Tiles, typename T, int M>
void attend_set_of(uint32_t m, const AttentionShape &shape, const float *const *q, const T *keys, size_t k_stride,
                   const T *values, size_t v_stride, uint32_t count, float *const *o, float *const *p, float *max_score,
                   float *sum, PrefetchCursor *prefetch) {
  if constexpr (M < static_cast<int>(Tiles::kMaxSetHeads)) {
    if (m > static_cast<uint32_t>(M)) {
      attend_set_of<Tiles, T, M + 1>(m, shape, q, keys, k_stride, values, v_stride, count, o, p, max_score, sum,
                                     prefetch);
      return;
    }
  }
  attend_block_set<Tiles, T, M>(shape, q, keys, k_stride, values, v_stride, count, o, p, max_score, sum, prefetch);
}

// Query heads [h0, h0 + n), n <= kMaxPassHeads, in blocks of block_slots
// slots: per block, every head in turn (the heads of one GQA group one after
// another), so the block's K/V rows of all KV heads come from memory once
// and are reused from L1/L2. scores: block_slots floats.
template <typename Tiles, typename T>
void attend_pass(const AttentionShape &shape, uint32_t h0, uint32_t n, const float *q, const KvSegment *segments,
                 uint32_t n_segments, float *out, float *scores, size_t scores_floats, size_t block_slots) {
  // As many heads per set as the scratch holds score rows for (never changes the bits).
  const size_t rows = scores_floats / block_slots;
  const uint32_t max_set = rows >= Tiles::kMaxSetHeads ? Tiles::kMaxSetHeads : static_cast<uint32_t>(rows);
  const uint32_t group = shape.n_head / shape.n_head_kv;                            // query heads per KV head
  const size_t k_stride = static_cast<size_t>(shape.n_head_kv) * shape.head_dim_k;  // elements per slot
  const size_t v_stride = static_cast<size_t>(shape.n_head_kv) * shape.head_dim_v;
  uint32_t n_sets = 0;  // head sets per block (the loop below forms them the same way)
  for (uint32_t h = 0; h < n;) {
    uint32_t m = 1;
    while (m < max_set && h + m < n && (h0 + h + m) / group == (h0 + h) / group) ++m;
    ++n_sets;
    h += m;
  }
  const uint32_t kv_begin = h0 / group, kv_end = (h0 + n - 1) / group + 1;  // the KV heads this pass reads
  PassState state;
  for (uint32_t h = 0; h < n; ++h) {
    state.max_score[h] = kNegativeInfinity;
    state.sum[h] = 0.0f;
    float *o = out + static_cast<size_t>(h0 + h) * shape.head_dim_v;
    for (uint32_t d = 0; d < shape.head_dim_v; d += 8) _mm256_storeu_ps(o + d, _mm256_setzero_ps());
  }
  {  // the first window, requested at once
    PrefetchCursor first;
    add_window<T>(&first, shape, kv_begin, kv_end, segments, n_segments, 0, 0, block_slots);
    first.flush();
  }
  PrefetchCursor prefetch;
  for (uint32_t s = 0; s < n_segments; ++s) {
    const T *keys = static_cast<const T *>(segments[s].keys);
    const T *values = static_cast<const T *>(segments[s].values);
    for (uint32_t begin = 0; begin < segments[s].n_slots; begin += static_cast<uint32_t>(block_slots)) {
      const uint32_t count =
          static_cast<uint32_t>(segments[s].n_slots - begin < block_slots ? segments[s].n_slots - begin : block_slots);
      // The window after this block, spread over its work.
      prefetch.flush();
      prefetch = PrefetchCursor{};
      add_window<T>(&prefetch, shape, kv_begin, kv_end, segments, n_segments, s, begin + count, block_slots);
      // score + value ticks per set
      prefetch.lines_per_tick =
          window_lines_per_tick<T>(shape, kv_begin, kv_end, block_slots, uint64_t{n_sets} * (count / 4 + count));
      for (uint32_t h = 0; h < n;) {
        // The set: heads h.. of the same KV head, at most max_set of them.
        const uint32_t kv_head = (h0 + h) / group;
        uint32_t m = 1;
        while (m < max_set && h + m < n && (h0 + h + m) / group == kv_head) ++m;
        const float *q_set[Tiles::kMaxSetHeads];
        float *o_set[Tiles::kMaxSetHeads];
        float *p_set[Tiles::kMaxSetHeads];
        for (uint32_t j = 0; j < m; ++j) {
          q_set[j] = q + static_cast<size_t>(h0 + h + j) * shape.head_dim_k;
          o_set[j] = out + static_cast<size_t>(h0 + h + j) * shape.head_dim_v;
          p_set[j] = scores + j * block_slots;
        }
        const T *k = keys + begin * k_stride + static_cast<size_t>(kv_head) * shape.head_dim_k;
        const T *v = values + begin * v_stride + static_cast<size_t>(kv_head) * shape.head_dim_v;
        float *mx = &state.max_score[h];
        float *sm = &state.sum[h];
        attend_set_of<Tiles, T, 1>(m, shape, q_set, k, k_stride, v, v_stride, count, o_set, p_set, mx, sm, &prefetch);
        h += m;
      }
    }
  }
  for (uint32_t h = 0; h < n; ++h) {
    scale_row(1.0f / state.sum[h], out + static_cast<size_t>(h0 + h) * shape.head_dim_v, shape.head_dim_v);
  }
}

// Blocks of attention_block_slots() slots when the scratch holds that many
// scores, else of scratch_floats slots: neither depends on the head range,
// so any split of the heads gives the same bits per head.
template <typename Tiles, typename T>
void attend_heads(const AttentionShape &shape, uint32_t head_begin, uint32_t head_end, const float *q,
                  const KvSegment *segments, uint32_t n_segments, float *out, float *scratch, size_t scratch_floats) {
  const size_t preferred = attention_block_slots(shape);
  const size_t block_slots = scratch_floats >= preferred ? preferred : scratch_floats;
  for (uint32_t h = head_begin; h < head_end;) {
    const uint32_t n = head_end - h < kMaxPassHeads ? head_end - h : kMaxPassHeads;
    attend_pass<Tiles, T>(shape, h, n, q, segments, n_segments, out, scratch, scratch_floats, block_slots);
    h += n;
  }
}

}  // namespace
}  // namespace ballast
