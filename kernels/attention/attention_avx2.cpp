// AVX2 + FMA + F16C body of the decode attention (see attention_x86.h).
// Only POD types and intrinsics here: nothing with vague linkage that
// baseline code could share (cmake/BallastIsaSources.cmake).
//
// Work order, per block of attention_block_slots() slots (attention.h: the
// block's K and V rows of all KV heads fit in L2), per query head of the
// call (the heads of a GQA group one after another):
//   1. scores: 4 slots at a time: 4 dot accumulators over the head dim,
//      reduced together (hadd tree), times the scale;
//   2. softmax: the block's max; when it raises the running max, the head's
//      sum and output are rescaled (online softmax, as the scalar
//      reference); then p = exp(score - max) 8 at a time (polynomial exp);
//   3. values: the output accumulated in registers (64 dims at a time) over
//      the block's slots.
// So the cache is streamed from memory once per call, not once per KV head
// (each pass over one KV head's rows, 1/n_head_kv of every slot's bytes,
// still pulled the whole cache through the prefetchers), and the f16 rows
// are widened (F16C) from L1/L2 once per query head.
#include <immintrin.h>

#include "kernels/activation/exp_avx2.h"
#include "kernels/attention/attention_x86.h"

namespace ballast {
namespace {

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

constexpr uint32_t kMaxPassHeads = 64;  // query heads one pass over the KV data tracks

// Running online-softmax state of the query heads of one pass.
struct PassState {
  float max_score[kMaxPassHeads];  // largest score so far per head (-inf before the first)
  float sum[kMaxPassHeads];        // sum of exp(score - max_score) per head
};

// One block of `count` slots for one query head: keys/values are the block's
// rows of its KV head, k_stride / v_stride elements apart; p: scratch row of
// >= count scores.
template <typename T>
void attend_block(const AttentionShape &shape, const float *q_head, const T *keys, size_t k_stride, const T *values,
                  size_t v_stride, uint32_t count, float *o, float *p, float *max_score, float *sum) {
  score_block(q_head, keys, k_stride, count, shape.head_dim_k, shape.scale, p);
  float block_max = kNegativeInfinity;
  for (uint32_t i = 0; i < count; ++i) block_max = p[i] > block_max ? p[i] : block_max;
  if (block_max > *max_score) {
    const float factor = *sum == 0.0f ? 0.0f : exp_nonpositive(*max_score - block_max);
    *sum *= factor;
    scale_row(factor, o, shape.head_dim_v);
    *max_score = block_max;
  }
  *sum += exp_and_sum(p, count, *max_score);
  accumulate_values(p, values, v_stride, count, shape.head_dim_v, o);
}

// Query heads [h0, h0 + n), n <= kMaxPassHeads, in blocks of block_slots
// slots: per block, every head in turn (the heads of one GQA group one after
// another), so the block's K/V rows of all KV heads come from memory once
// and are reused from L1/L2. scores: block_slots floats.
template <typename T>
void attend_pass(const AttentionShape &shape, uint32_t h0, uint32_t n, const float *q, const KvSegment *segments,
                 uint32_t n_segments, float *out, float *scores, size_t block_slots) {
  const uint32_t group = shape.n_head / shape.n_head_kv;  // query heads per KV head
  const size_t k_stride = static_cast<size_t>(shape.n_head_kv) * shape.head_dim_k;  // elements per slot
  const size_t v_stride = static_cast<size_t>(shape.n_head_kv) * shape.head_dim_v;
  PassState state;
  for (uint32_t h = 0; h < n; ++h) {
    state.max_score[h] = kNegativeInfinity;
    state.sum[h] = 0.0f;
    float *o = out + static_cast<size_t>(h0 + h) * shape.head_dim_v;
    for (uint32_t d = 0; d < shape.head_dim_v; d += 8) _mm256_storeu_ps(o + d, _mm256_setzero_ps());
  }
  for (uint32_t s = 0; s < n_segments; ++s) {
    const T *keys = static_cast<const T *>(segments[s].keys);
    const T *values = static_cast<const T *>(segments[s].values);
    for (uint32_t begin = 0; begin < segments[s].n_slots; begin += static_cast<uint32_t>(block_slots)) {
      const uint32_t count = static_cast<uint32_t>(
          segments[s].n_slots - begin < block_slots ? segments[s].n_slots - begin : block_slots);
      for (uint32_t h = 0; h < n; ++h) {
        const uint32_t kv_head = (h0 + h) / group;
        attend_block(shape, q + static_cast<size_t>(h0 + h) * shape.head_dim_k,
                     keys + begin * k_stride + static_cast<size_t>(kv_head) * shape.head_dim_k, k_stride,
                     values + begin * v_stride + static_cast<size_t>(kv_head) * shape.head_dim_v, v_stride, count,
                     out + static_cast<size_t>(h0 + h) * shape.head_dim_v, scores, &state.max_score[h], &state.sum[h]);
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
template <typename T>
void attend_heads(const AttentionShape &shape, uint32_t head_begin, uint32_t head_end, const float *q,
                  const KvSegment *segments, uint32_t n_segments, float *out, float *scratch, size_t scratch_floats) {
  const size_t preferred = attention_block_slots(shape);
  const size_t block_slots = scratch_floats >= preferred ? preferred : scratch_floats;
  for (uint32_t h = head_begin; h < head_end;) {
    const uint32_t n = head_end - h < kMaxPassHeads ? head_end - h : kMaxPassHeads;
    attend_pass<T>(shape, h, n, q, segments, n_segments, out, scratch, block_slots);
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
