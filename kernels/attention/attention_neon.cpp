// NEON body of the decode attention (see attention_arm.h), aarch64 and armv7:
// the algorithm of the x86 bodies (attention_x86_impl.h) with 4-lane tiles.
//
// Work order, per block of attention_block_slots() slots (attention.h: the
// block's K and V rows of all KV heads, about 128 KiB), per "head set" of
// the call (up to kMaxSetHeads query heads of one GQA group, attended
// together so each K and V row is loaded, and for f16 widened, once for the
// set instead of once per head):
//   1. scores: tiles of slots x the set's heads (score_tile);
//   2. softmax, per head: the block's max (vector max); when it raises the
//      running max, the head's sum and output are rescaled (online softmax,
//      as the scalar reference); then p = exp(score - max) 4 at a time
//      (polynomial exp, kernels/activation/exp_neon.h);
//   3. values: the set's outputs accumulated in registers over all the
//      block's slots (value_chunk), a chunk of dims at a time, and written
//      back once per block (not loaded and stored per slot).
// Meanwhile the next block's K/V rows are prefetched (PrefetchCursor,
// kv_block_prefetch.h: the same as the x86 bodies', PLDL2KEEP on aarch64,
// PLD on armv7; not measured on ARM hardware), spread over the current
// block's work.
//
// Set and tile sizes by register file:
//   aarch64 (32 q registers): sets of up to 4 heads (TinyLlama's group of 8
//     goes as 4 + 4, SmolLM2's 3 whole); scores in 4 slots x M heads (16
//     accumulators + 4 key vectors + 1 query); values 16 dims x M heads for
//     M <= 3 (12 accumulators + 4 value vectors + M weight vectors, the
//     weights of 4 slots per vector, used by lane: FMLA by element), 8 dims
//     x 4 heads for M = 4.
//   armv7 (16 q registers): sets of up to 3 heads; scores in 2 slots x M
//     heads (6 accumulators + 2 keys + 1 query); values 8 dims x M heads
//     (6 accumulators + 2 values + 1 weight).
//
// A head's bits never depend on the set or call it is in (threads split the
// heads anywhere): each (head, slot) score is one 4-lane FMA chain over the
// head dim in dim order, reduced by sum4() (per lane independent of the other
// three vectors), whatever the tile shape; every output element is one FMA
// chain over the slots in slot order, from the value the previous block
// left; block sizes and the softmax steps depend only on the shape and the
// scratch size.
//
// Only POD types and intrinsics here: nothing with vague linkage that
// baseline code could share (cmake/BallastIsaSources.cmake).
#include <arm_neon.h>

#include "kernels/activation/exp_neon.h"
#include "kernels/attention/attention_arm.h"
#include "kernels/attention/kv_block_prefetch.h"
#include "kernels/quant/neon_helpers.h"

namespace ballast {
namespace {

float32x4_t load4(const uint16_t *p) { return load4_f16(reinterpret_cast<const uint8_t *>(p)); }
float32x4_t load4(const float *p) { return vld1q_f32(p); }

constexpr float kNegativeInfinity = -__builtin_inff();

#if defined(__aarch64__)
constexpr int kMaxSetHeads = 4;     // query heads per head set
constexpr int kScoreTileSlots = 4;  // slots per score tile
// 4-lane vectors per value chunk for a set of m heads: 16 dims up to 3 heads,
// 8 dims for 4 (16 x 4 would be 16 accumulators + 4 weights + 4 values, and
// GCC 12, loading the next rows early, then stores accumulators to the stack
// every 4 rows).
constexpr int value_vectors(int m) { return m <= 3 ? 4 : 2; }
#else
constexpr int kMaxSetHeads = 3;
constexpr int kScoreTileSlots = 2;
constexpr int value_vectors(int) { return 2; }  // 8 dims
#endif

// The four horizontal sums of a, b, c, d as one vector {sum a, sum b, sum c,
// sum d}; lane e depends on the e-th argument only (same tree for each).
float32x4_t sum4(float32x4_t a, float32x4_t b, float32x4_t c, float32x4_t d) {
#if defined(__aarch64__)
  return vpaddq_f32(vpaddq_f32(a, b), vpaddq_f32(c, d));  // (x0 + x1) + (x2 + x3)
#else
  const float32x2_t ab = vpadd_f32(vadd_f32(vget_low_f32(a), vget_high_f32(a)),
                                   vadd_f32(vget_low_f32(b), vget_high_f32(b)));  // (x0 + x2) + (x1 + x3)
  const float32x2_t cd = vpadd_f32(vadd_f32(vget_low_f32(c), vget_high_f32(c)),
                                   vadd_f32(vget_low_f32(d), vget_high_f32(d)));
  return vcombine_f32(ab, cd);
#endif
}

float horizontal_max(float32x4_t v) {
#if defined(__aarch64__)
  return vmaxvq_f32(v);
#else
  const float32x2_t pair = vmax_f32(vget_low_f32(v), vget_high_f32(v));
  return vget_lane_f32(vpmax_f32(pair, pair), 0);
#endif
}

// exp(x) for x <= 0 (scores minus their max): relative error ~2e-7; inputs
// below -87 give exp(-87) ~ 1.6e-38, a weight that adds nothing next to the
// max's weight of 1.
float32x4_t exp_nonpositive(float32x4_t x) { return exp_clamped_neon(x); }
float exp_nonpositive(float x) { return vgetq_lane_f32(exp_nonpositive(vdupq_n_f32(x)), 0); }

// out_scores[j][i + s] = scale * dot(q[j], key of slot i + s), s < S, j < M:
// one tile of S slots x M heads. Each (head, slot) dot is one FMA chain over
// the head dim, 4 dims per step in dim order; the chains are reduced 4 at a
// time by sum4 (padding the last group with repeats), so a (head, slot)
// score is the same bits whatever M, S and the tile position.
template <typename T, int M, int S>
void score_tile(const float *const *q, const T *keys, size_t k_stride, uint32_t i, uint32_t dim, float32x4_t scale4,
                float *const *out_scores) {
  constexpr int kChains = M * S;
  float32x4_t acc[kChains];  // [j * S + s]
  for (int c = 0; c < kChains; ++c) acc[c] = vdupq_n_f32(0.0f);
  const T *k = keys + i * k_stride;
  for (uint32_t d = 0; d < dim; d += 4) {
    float32x4_t x[S];
    for (int s = 0; s < S; ++s) x[s] = load4(k + s * k_stride + d);
    for (int j = 0; j < M; ++j) {
      const float32x4_t qv = vld1q_f32(q[j] + d);
      for (int s = 0; s < S; ++s) acc[j * S + s] = vfmaq_f32(acc[j * S + s], qv, x[s]);
    }
  }
  for (int c = 0; c < kChains; c += 4) {
    const float32x4_t b = acc[c + 1 < kChains ? c + 1 : c];
    const float32x4_t e = acc[c + 2 < kChains ? c + 2 : c];
    const float32x4_t f = acc[c + 3 < kChains ? c + 3 : c];
    float sums[4];
    vst1q_f32(sums, vmulq_f32(sum4(acc[c], b, e, f), scale4));
    for (int l = 0; l < 4 && c + l < kChains; ++l) out_scores[(c + l) / S][i + (c + l) % S] = sums[l];
  }
}

// Scores of the `count` slots for the M heads of a set: tiles of
// kScoreTileSlots slots (one prefetch tick per 4 slots), the last
// count % kScoreTileSlots slots one at a time.
template <typename T, int M>
void scores(const float *const *q, const T *keys, size_t k_stride, uint32_t count, uint32_t dim, float scale,
            float *const *out_scores, PrefetchCursor *prefetch) {
  const float32x4_t scale4 = vdupq_n_f32(scale);
  uint32_t i = 0;
  for (; i + 4 <= count; i += 4) {
    for (uint32_t t = i; t < i + 4; t += kScoreTileSlots) {
      score_tile<T, M, kScoreTileSlots>(q, keys, k_stride, t, dim, scale4, out_scores);
    }
    prefetch->tick();
  }
  for (; i < count; ++i) score_tile<T, M, 1>(q, keys, k_stride, i, dim, scale4, out_scores);
}

// One value row (slot i) into the accumulators of a V-vector chunk: the
// weight of head j broadcast from p[j][i].
template <typename T, int M, int V>
void value_row(const float *const *p, uint32_t i, const T *row, float32x4_t (&acc)[M][V]) {
  float32x4_t x[V];
  for (int v = 0; v < V; ++v) x[v] = load4(row + 4 * v);
  for (int j = 0; j < M; ++j) {
    const float32x4_t w = vld1q_dup_f32(p[j] + i);
    for (int v = 0; v < V; ++v) acc[j][v] = vfmaq_f32(acc[j][v], x[v], w);
  }
}

#if defined(__aarch64__)
// Same for row `L` of a 4-slot group whose weights w[j] = p[j][i..i+4) were
// loaded as one vector each: FMLA by element L (the same fused
// multiply-add of the same weight as value_row, so the same bits).
template <typename T, int M, int V, int L>
void value_row_lane(const float32x4_t (&w)[M], const T *row, float32x4_t (&acc)[M][V]) {
  float32x4_t x[V];
  for (int v = 0; v < V; ++v) x[v] = load4(row + 4 * v);
  for (int j = 0; j < M; ++j) {
    for (int v = 0; v < V; ++v) acc[j][v] = vfmaq_laneq_f32(acc[j][v], x[v], w[j], L);
  }
}
#endif

// out[j][d, d + 4V) += sum_i p[j][i] * value row of slot i, i < count, in
// slot order, with the M x V accumulators in registers for the whole block;
// each value row loaded (and widened) once for the set. prefetch: ticked
// once per row, or nullptr.
template <typename T, int M, int V>
void value_chunk(const float *const *p, const T *values, size_t v_stride, uint32_t count, uint32_t d,
                 float *const *out, PrefetchCursor *prefetch) {
  float32x4_t acc[M][V];
  for (int j = 0; j < M; ++j) {
    for (int v = 0; v < V; ++v) acc[j][v] = vld1q_f32(out[j] + d + 4 * v);
  }
  const T *rows = values + d;
  uint32_t i = 0;
#if defined(__aarch64__)
  for (; i + 4 <= count; i += 4) {
    float32x4_t w[M];
    for (int j = 0; j < M; ++j) w[j] = vld1q_f32(p[j] + i);
    value_row_lane<T, M, V, 0>(w, rows + (i + 0) * v_stride, acc);
    value_row_lane<T, M, V, 1>(w, rows + (i + 1) * v_stride, acc);
    value_row_lane<T, M, V, 2>(w, rows + (i + 2) * v_stride, acc);
    value_row_lane<T, M, V, 3>(w, rows + (i + 3) * v_stride, acc);
    if (prefetch != nullptr) {
      for (int t = 0; t < 4; ++t) prefetch->tick();
    }
  }
#endif
  for (; i < count; ++i) {
    value_row<T, M, V>(p, i, rows + i * v_stride, acc);
    if (prefetch != nullptr) prefetch->tick();
  }
  for (int j = 0; j < M; ++j) {
    for (int v = 0; v < V; ++v) vst1q_f32(out[j] + d + 4 * v, acc[j][v]);
  }
}

// The values of a block for the M heads of a set: chunks of value_vectors(M)
// vectors, the last 8 dims (dim % 16 == 8 on aarch64) as a 2-vector chunk.
// The first chunk ticks the prefetch once per value row.
template <typename T, int M>
void values_of(const float *const *p, const T *values, size_t v_stride, uint32_t count, uint32_t dim,
               float *const *out, PrefetchCursor *prefetch) {
  constexpr int V = value_vectors(M);
  uint32_t d = 0;
  for (; d + 4 * V <= dim; d += 4 * V) {
    value_chunk<T, M, V>(p, values, v_stride, count, d, out, d == 0 ? prefetch : nullptr);
  }
  if constexpr (V > 2) {
    for (; d < dim; d += 8) value_chunk<T, M, 2>(p, values, v_stride, count, d, out, d == 0 ? prefetch : nullptr);
  }
}

void scale_row(float factor, float *out, uint32_t n) {
  const float32x4_t f = vdupq_n_f32(factor);
  for (uint32_t d = 0; d < n; d += 4) vst1q_f32(out + d, vmulq_f32(f, vld1q_f32(out + d)));
}

// max(p[0..count)) (-inf for none), 8 lanes at a time: the max of a set does
// not depend on the order it is taken in, so this is the scalar loop's value.
float max_of(const float *p, uint32_t count) {
  float32x4_t m0 = vdupq_n_f32(kNegativeInfinity), m1 = m0;
  uint32_t i = 0;
  for (; i + 8 <= count; i += 8) {
    m0 = vmaxq_f32(m0, vld1q_f32(p + i));
    m1 = vmaxq_f32(m1, vld1q_f32(p + i + 4));
  }
  float best = horizontal_max(vmaxq_f32(m0, m1));
  for (; i < count; ++i) best = p[i] > best ? p[i] : best;
  return best;
}

// p[i] = exp(p[i] - max) in place for i < count; returns the sum of the p[i].
float exp_and_sum(float *p, uint32_t count, float max) {
  const float32x4_t m = vdupq_n_f32(max);
  float32x4_t sum4v = vdupq_n_f32(0.0f);
  uint32_t i = 0;
  for (; i + 4 <= count; i += 4) {
    const float32x4_t e = exp_nonpositive(vsubq_f32(vld1q_f32(p + i), m));
    vst1q_f32(p + i, e);
    sum4v = vaddq_f32(sum4v, e);
  }
  float sum = horizontal_sum(sum4v);
  for (; i < count; ++i) {
    p[i] = exp_nonpositive(p[i] - max);
    sum += p[i];
  }
  return sum;
}

// The online-softmax step of one head for one block: p holds the block's
// scores and becomes exp(score - running max); the running sum and the
// output row o are rescaled when the block raises the max.
void softmax_block(float *p, uint32_t count, uint32_t dim_v, float *o, float *max_score, float *sum) {
  const float block_max = max_of(p, count);
  if (block_max > *max_score) {
    const float factor = *sum == 0.0f ? 0.0f : exp_nonpositive(*max_score - block_max);
    *sum *= factor;
    scale_row(factor, o, dim_v);
    *max_score = block_max;
  }
  *sum += exp_and_sum(p, count, *max_score);
}

// One block of `count` slots for the M heads of a set (one KV head): keys /
// values are the block's rows of that KV head, k_stride / v_stride elements
// apart; p[j]: a scratch row of >= count scores per head.
template <typename T, int M>
void attend_block_set(const AttentionShape &shape, const float *const *q, const T *keys, size_t k_stride,
                      const T *values, size_t v_stride, uint32_t count, float *const *o, float *const *p,
                      float *max_score, float *sum, PrefetchCursor *prefetch) {
  scores<T, M>(q, keys, k_stride, count, shape.head_dim_k, shape.scale, p, prefetch);
  for (int j = 0; j < M; ++j) softmax_block(p[j], count, shape.head_dim_v, o[j], &max_score[j], &sum[j]);
  values_of<T, M>(p, values, v_stride, count, shape.head_dim_v, o, prefetch);
}

// attend_block_set for a run-time set size m in [M, kMaxSetHeads].
template <typename T, int M>
void attend_set_of(uint32_t m, const AttentionShape &shape, const float *const *q, const T *keys, size_t k_stride,
                   const T *values, size_t v_stride, uint32_t count, float *const *o, float *const *p, float *max_score,
                   float *sum, PrefetchCursor *prefetch) {
  if constexpr (M < kMaxSetHeads) {
    if (m > static_cast<uint32_t>(M)) {
      attend_set_of<T, M + 1>(m, shape, q, keys, k_stride, values, v_stride, count, o, p, max_score, sum, prefetch);
      return;
    }
  }
  attend_block_set<T, M>(shape, q, keys, k_stride, values, v_stride, count, o, p, max_score, sum, prefetch);
}

constexpr uint32_t kMaxPassHeads = 64;  // query heads one pass over the KV data tracks

// Running online-softmax state of the query heads of one pass.
struct PassState {
  float max_score[kMaxPassHeads];  // largest score so far per head (-inf before the first)
  float sum[kMaxPassHeads];        // sum of exp(score - max_score) per head
};

// Query heads [h0, h0 + n), n <= kMaxPassHeads, in blocks of block_slots
// slots: per block, every head set in turn (the heads of one GQA group one
// after another), so the block's K/V rows of all KV heads come from memory
// once and are reused from cache. scores: scores_floats >= block_slots floats.
template <typename T>
void attend_pass(const AttentionShape &shape, uint32_t h0, uint32_t n, const float *q, const KvSegment *segments,
                 uint32_t n_segments, float *out, float *scores, size_t scores_floats, size_t block_slots) {
  // As many heads per set as the scratch holds score rows for (never changes the bits).
  const size_t rows = scores_floats / block_slots;
  const uint32_t max_set = rows >= kMaxSetHeads ? kMaxSetHeads : static_cast<uint32_t>(rows);
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
    for (uint32_t d = 0; d < shape.head_dim_v; d += 4) vst1q_f32(o + d, vdupq_n_f32(0.0f));
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
        const float *q_set[kMaxSetHeads];
        float *o_set[kMaxSetHeads];
        float *p_set[kMaxSetHeads];
        for (uint32_t j = 0; j < m; ++j) {
          q_set[j] = q + static_cast<size_t>(h0 + h + j) * shape.head_dim_k;
          o_set[j] = out + static_cast<size_t>(h0 + h + j) * shape.head_dim_v;
          p_set[j] = scores + j * block_slots;
        }
        const T *k = keys + begin * k_stride + static_cast<size_t>(kv_head) * shape.head_dim_k;
        const T *v = values + begin * v_stride + static_cast<size_t>(kv_head) * shape.head_dim_v;
        attend_set_of<T, 1>(m, shape, q_set, k, k_stride, v, v_stride, count, o_set, p_set, &state.max_score[h],
                            &state.sum[h], &prefetch);
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
template <typename T>
void attend_heads(const AttentionShape &shape, uint32_t head_begin, uint32_t head_end, const float *q,
                  const KvSegment *segments, uint32_t n_segments, float *out, float *scratch, size_t scratch_floats) {
  const size_t preferred = attention_block_slots(shape);
  const size_t block_slots = scratch_floats >= preferred ? preferred : scratch_floats;
  for (uint32_t h = head_begin; h < head_end;) {
    const uint32_t n = head_end - h < kMaxPassHeads ? head_end - h : kMaxPassHeads;
    attend_pass<T>(shape, h, n, q, segments, n_segments, out, scratch, scratch_floats, block_slots);
    h += n;
  }
}

}  // namespace

void attend_heads_neon(const AttentionShape &shape, bool kv_f16, uint32_t head_begin, uint32_t head_end,
                       const float *q, const KvSegment *segments, uint32_t n_segments, float *out, float *scratch,
                       size_t scratch_floats) {
  if (kv_f16) {
    attend_heads<uint16_t>(shape, head_begin, head_end, q, segments, n_segments, out, scratch, scratch_floats);
  } else {
    attend_heads<float>(shape, head_begin, head_end, q, segments, n_segments, out, scratch, scratch_floats);
  }
}

}  // namespace ballast
