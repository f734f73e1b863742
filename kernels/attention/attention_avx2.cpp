// AVX2 + FMA + F16C body of the decode attention (see attention_x86.h).
// Only POD types and intrinsics here: nothing with vague linkage that
// baseline code could share (cmake/BallastIsaSources.cmake).
//
// Work order, per KV head and the query heads that share it (GQA group, up
// to kMaxGroupHeads at a time), per block of slots (attention.h's
// attention_block_slots(), 32 for head dim 64):
//   0. f16 K and V rows of the block widened to f32 scratch once (when more
//      than one head of the group is in the call), so the F16C conversion is
//      paid once per group instead of once per head;
//   then for each head in turn:
//   1. scores: 4 slots at a time: 4 dot accumulators over the head dim,
//      reduced together (hadd tree), times the scale;
//   2. softmax: the block's max; when it raises the running max, the head's
//      sum and output are rescaled (online softmax, as the scalar
//      reference); then p = exp(score - max) 8 at a time (polynomial exp);
//   3. values: the output accumulated in registers (64 dims at a time) over
//      the block's slots.
// The K and V rows of a block are read from memory once per group and from
// L1 once per head.
#include <immintrin.h>

#include "kernels/activation/exp_avx2.h"
#include "kernels/attention/attention_x86.h"

namespace ballast {
namespace {

constexpr uint32_t kMaxGroupHeads = 8;  // query heads scored together (scratch rows)
constexpr float kNegativeInfinity = -__builtin_inff();

__m256 load8(const uint16_t *p) { return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p))); }
__m256 load8(const float *p) { return _mm256_loadu_ps(p); }

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

// scores[i] = scale * dot(q, key of slot i) for i < count; keys: slot 0's
// row of this KV head, k_stride elements between slots.
template <typename T>
void score_block(const float *q, const T *keys, size_t k_stride, uint32_t count, uint32_t dim, float scale,
                 float *scores) {
  const __m128 scale4 = _mm_set1_ps(scale);
  uint32_t i = 0;
  for (; i + 4 <= count; i += 4) {
    const T *k0 = keys + i * k_stride;
    const T *k1 = k0 + k_stride;
    const T *k2 = k1 + k_stride;
    const T *k3 = k2 + k_stride;
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
    for (uint32_t d = 0; d < dim; d += 8) {
      const __m256 qv = _mm256_loadu_ps(q + d);
      a0 = _mm256_fmadd_ps(qv, load8(k0 + d), a0);
      a1 = _mm256_fmadd_ps(qv, load8(k1 + d), a1);
      a2 = _mm256_fmadd_ps(qv, load8(k2 + d), a2);
      a3 = _mm256_fmadd_ps(qv, load8(k3 + d), a3);
    }
    _mm_storeu_ps(scores + i, _mm_mul_ps(horizontal_sum4(a0, a1, a2, a3), scale4));
  }
  for (; i < count; ++i) scores[i] = dot(q, keys + i * k_stride, dim) * scale;
}

// out[0..dim) += sum_i p[i] * value row of slot i, for i < count.
template <typename T>
void accumulate_values(const float *p, const T *values, size_t v_stride, uint32_t count, uint32_t dim, float *out) {
  uint32_t d = 0;
  for (; d + 64 <= dim; d += 64) {  // 8 accumulators in registers
    __m256 acc[8];
    for (int c = 0; c < 8; ++c) acc[c] = _mm256_loadu_ps(out + d + 8 * c);
    for (uint32_t i = 0; i < count; ++i) {
      const __m256 w = _mm256_set1_ps(p[i]);
      const T *v = values + i * v_stride + d;
      for (int c = 0; c < 8; ++c) acc[c] = _mm256_fmadd_ps(w, load8(v + 8 * c), acc[c]);
    }
    for (int c = 0; c < 8; ++c) _mm256_storeu_ps(out + d + 8 * c, acc[c]);
  }
  for (; d < dim; d += 8) {  // the rest, 8 dims at a time
    __m256 acc = _mm256_loadu_ps(out + d);
    for (uint32_t i = 0; i < count; ++i) acc = _mm256_fmadd_ps(_mm256_set1_ps(p[i]), load8(values + i * v_stride + d), acc);
    _mm256_storeu_ps(out + d, acc);
  }
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

// dst[i][0..dim) = src row i widened to f32, for i < count; src rows
// src_stride elements apart, dst rows dim floats apart.
void widen_rows(const uint16_t *src, size_t src_stride, uint32_t count, uint32_t dim, float *dst) {
  for (uint32_t i = 0; i < count; ++i) {
    const uint16_t *row = src + i * src_stride;
    float *to = dst + static_cast<size_t>(i) * dim;
    for (uint32_t d = 0; d < dim; d += 8) _mm256_storeu_ps(to + d, load8(row + d));
  }
}

// Running online-softmax state of the query heads one attend_group() covers.
struct GroupState {
  float max_score[kMaxGroupHeads];  // largest score so far per head (-inf before the first)
  float sum[kMaxGroupHeads];        // sum of exp(score - max_score) per head
};

// One block of `count` slots for query heads [h0, h0 + n): keys/values are
// the block's rows of this KV head (f32 widened or straight from the cache),
// k_stride / v_stride elements apart; p: scratch row of >= count scores.
// Each head is done in full before the next, so a head's result does not
// depend on which other heads share the call.
template <typename T>
void attend_block(const AttentionShape &shape, uint32_t h0, uint32_t n, const float *q, const T *keys, size_t k_stride,
                  const T *values, size_t v_stride, uint32_t count, float *out, float *p, GroupState *state) {
  for (uint32_t h = 0; h < n; ++h) {
    const float *q_head = q + static_cast<size_t>(h0 + h) * shape.head_dim_k;
    float *o = out + static_cast<size_t>(h0 + h) * shape.head_dim_v;
    score_block(q_head, keys, k_stride, count, shape.head_dim_k, shape.scale, p);
    float block_max = kNegativeInfinity;
    for (uint32_t i = 0; i < count; ++i) block_max = p[i] > block_max ? p[i] : block_max;
    if (block_max > state->max_score[h]) {
      const float factor = state->sum[h] == 0.0f ? 0.0f : exp_nonpositive(state->max_score[h] - block_max);
      state->sum[h] *= factor;
      scale_row(factor, o, shape.head_dim_v);
      state->max_score[h] = block_max;
    }
    state->sum[h] += exp_and_sum(p, count, state->max_score[h]);
    accumulate_values(p, values, v_stride, count, shape.head_dim_v, o);
  }
}

// Query heads [h0, h0 + n) (all reading KV head kv_head), n <= kMaxGroupHeads,
// in blocks of block_slots slots. widen_scratch: nullptr, or room for the
// block's f32 K rows [block_slots][head_dim_k] then V rows
// [block_slots][head_dim_v] (f16 KV with n > 1 is widened there once for all
// n heads: exact, so the bits are those of reading the f16 rows per head);
// scores: block_slots floats.
template <typename T>
void attend_group(const AttentionShape &shape, uint32_t kv_head, uint32_t h0, uint32_t n, const float *q,
                  const KvSegment *segments, uint32_t n_segments, float *out, float *widen_scratch, float *scores,
                  size_t block_slots) {
  const size_t k_stride = static_cast<size_t>(shape.n_head_kv) * shape.head_dim_k;  // elements per slot
  const size_t v_stride = static_cast<size_t>(shape.n_head_kv) * shape.head_dim_v;
  GroupState state;
  for (uint32_t h = 0; h < n; ++h) {
    state.max_score[h] = kNegativeInfinity;
    state.sum[h] = 0.0f;
    float *o = out + static_cast<size_t>(h0 + h) * shape.head_dim_v;
    for (uint32_t d = 0; d < shape.head_dim_v; d += 8) _mm256_storeu_ps(o + d, _mm256_setzero_ps());
  }
  const bool widen = sizeof(T) == 2 && widen_scratch != nullptr && n > 1;
  float *wide_keys = widen_scratch;  // [block_slots][head_dim_k]
  float *wide_values = widen ? widen_scratch + block_slots * shape.head_dim_k : nullptr;  // [block_slots][head_dim_v]
  for (uint32_t s = 0; s < n_segments; ++s) {
    const T *keys = static_cast<const T *>(segments[s].keys) + static_cast<size_t>(kv_head) * shape.head_dim_k;
    const T *values = static_cast<const T *>(segments[s].values) + static_cast<size_t>(kv_head) * shape.head_dim_v;
    for (uint32_t begin = 0; begin < segments[s].n_slots; begin += static_cast<uint32_t>(block_slots)) {
      const uint32_t count = static_cast<uint32_t>(
          segments[s].n_slots - begin < block_slots ? segments[s].n_slots - begin : block_slots);
      const T *block_keys = keys + begin * k_stride;
      const T *block_values = values + begin * v_stride;
      if (widen) {
        widen_rows(reinterpret_cast<const uint16_t *>(block_keys), k_stride, count, shape.head_dim_k, wide_keys);
        widen_rows(reinterpret_cast<const uint16_t *>(block_values), v_stride, count, shape.head_dim_v, wide_values);
        attend_block<float>(shape, h0, n, q, wide_keys, shape.head_dim_k, wide_values, shape.head_dim_v, count, out,
                            scores, &state);
      } else {
        attend_block<T>(shape, h0, n, q, block_keys, k_stride, block_values, v_stride, count, out, scores, &state);
      }
    }
  }
  for (uint32_t h = 0; h < n; ++h) {
    scale_row(1.0f / state.sum[h], out + static_cast<size_t>(h0 + h) * shape.head_dim_v, shape.head_dim_v);
  }
}

// Blocks of attention_block_slots() slots, widened in scratch, when the
// scratch holds attention_fast_scratch_floats(); else blocks of
// scratch_floats slots read straight from the cache. Neither depends on the
// head range, so any split of the heads gives the same bits per head.
template <typename T>
void attend_heads(const AttentionShape &shape, uint32_t head_begin, uint32_t head_end, const float *q,
                  const KvSegment *segments, uint32_t n_segments, float *out, float *scratch, size_t scratch_floats) {
  const uint32_t group = shape.n_head / shape.n_head_kv;  // query heads per KV head
  const bool fast = scratch_floats >= attention_fast_scratch_floats(shape.head_dim_k, shape.head_dim_v);
  const size_t block_slots = fast ? attention_block_slots(shape.head_dim_k, shape.head_dim_v) : scratch_floats;
  float *widen_scratch = fast ? scratch : nullptr;
  float *scores = fast ? scratch + block_slots * (size_t{shape.head_dim_k} + shape.head_dim_v) : scratch;
  for (uint32_t h = head_begin; h < head_end;) {
    const uint32_t kv_head = h / group;
    const uint32_t group_end = (kv_head + 1) * group < head_end ? (kv_head + 1) * group : head_end;
    const uint32_t n = group_end - h < kMaxGroupHeads ? group_end - h : kMaxGroupHeads;
    attend_group<T>(shape, kv_head, h, n, q, segments, n_segments, out, widen_scratch, scores, block_slots);
    h += n;
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
