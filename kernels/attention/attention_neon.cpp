// NEON body of the decode attention (see attention_arm.h), aarch64 and armv7.
// Per KV head, per block of attention_block_slots() slots: the f16 K and V
// rows widened to f32 scratch once for the query heads of the GQA group in
// the call (on armv7 the widening is a scalar integer conversion, so this
// matters most there), then each head scores, softmaxes and accumulates.
// Only POD types and intrinsics here: nothing with vague linkage that
// baseline code could share (cmake/BallastIsaSources.cmake).
#include <arm_neon.h>

#include "kernels/attention/attention_arm.h"
#include "kernels/quant/neon_helpers.h"

namespace ballast {
namespace {

float32x4_t load4(const uint16_t *p) { return load4_f16(reinterpret_cast<const uint8_t *>(p)); }
float32x4_t load4(const float *p) { return vld1q_f32(p); }

constexpr float kNegativeInfinity = -__builtin_inff();

// dot(q[0..n), k[0..n)), n a multiple of 8.
template <typename T>
float dot(const float *q, const T *k, uint32_t n) {
  float32x4_t acc0 = vdupq_n_f32(0.0f), acc1 = vdupq_n_f32(0.0f);
  for (uint32_t d = 0; d < n; d += 8) {
    acc0 = vfmaq_f32(acc0, vld1q_f32(q + d), load4(k + d));
    acc1 = vfmaq_f32(acc1, vld1q_f32(q + d + 4), load4(k + d + 4));
  }
  return horizontal_sum(vaddq_f32(acc0, acc1));
}

// out[0..n) += weight * v[0..n)
template <typename T>
void axpy(float weight, const T *v, float *out, uint32_t n) {
  const float32x4_t w = vdupq_n_f32(weight);
  for (uint32_t d = 0; d < n; d += 4) vst1q_f32(out + d, vfmaq_f32(vld1q_f32(out + d), w, load4(v + d)));
}

void scale(float factor, float *out, uint32_t n) {
  const float32x4_t f = vdupq_n_f32(factor);
  for (uint32_t d = 0; d < n; d += 4) vst1q_f32(out + d, vmulq_f32(f, vld1q_f32(out + d)));
}

// dst[i][0..dim) = src row i widened to f32, for i < count; src rows
// src_stride elements apart, dst rows dim floats apart.
void widen_rows(const uint16_t *src, size_t src_stride, uint32_t count, uint32_t dim, float *dst) {
  for (uint32_t i = 0; i < count; ++i) {
    const uint16_t *row = src + i * src_stride;
    float *to = dst + static_cast<size_t>(i) * dim;
    for (uint32_t d = 0; d < dim; d += 4) vst1q_f32(to + d, load4(row + d));
  }
}

constexpr uint32_t kMaxGroupHeads = 8;  // query heads one attend_group() call tracks

// Running online-softmax state of the query heads one attend_group() covers.
struct GroupState {
  float max_score[kMaxGroupHeads];  // largest score so far per head (-inf before the first)
  float sum[kMaxGroupHeads];        // sum of exp(score - max_score) per head
};

// One block of `count` slots for query heads [h0, h0 + n): keys/values are
// the block's rows of this KV head (f32 widened or straight from the cache),
// k_stride / v_stride elements apart; scores: >= count floats. Each head is
// done in full before the next, so its result does not depend on the others.
template <typename T>
void attend_block(const AttentionShape &shape, uint32_t h0, uint32_t n, const float *q, const T *keys, size_t k_stride,
                  const T *values, size_t v_stride, uint32_t count, float *out, float *scores, GroupState *state) {
  for (uint32_t h = 0; h < n; ++h) {
    const float *q_head = q + static_cast<size_t>(h0 + h) * shape.head_dim_k;
    float *out_head = out + static_cast<size_t>(h0 + h) * shape.head_dim_v;
    float block_max = kNegativeInfinity;
    for (uint32_t i = 0; i < count; ++i) {
      scores[i] = dot(q_head, keys + i * k_stride, shape.head_dim_k) * shape.scale;
      block_max = scores[i] > block_max ? scores[i] : block_max;
    }
    float &max_score = state->max_score[h], &sum = state->sum[h];
    if (block_max > max_score) {  // online softmax: rescale what was accumulated under the old max
      const float factor = sum == 0.0f ? 0.0f : __builtin_expf(max_score - block_max);
      sum *= factor;
      scale(factor, out_head, shape.head_dim_v);
      max_score = block_max;
    }
    for (uint32_t i = 0; i < count; ++i) {
      const float weight = __builtin_expf(scores[i] - max_score);
      sum += weight;
      axpy(weight, values + i * v_stride, out_head, shape.head_dim_v);
    }
  }
}

// Query heads [h0, h0 + n) (all reading KV head kv_head), n <= kMaxGroupHeads,
// in blocks of block_slots slots. widen_scratch: nullptr, or room for a
// block's f32 K rows [block_slots][head_dim_k] then V rows
// [block_slots][head_dim_v] (f16 KV with n > 1 is widened there once for all
// n heads: exact, so the bits are those of reading the f16 rows per head).
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
    for (uint32_t d = 0; d < shape.head_dim_v; d += 4) vst1q_f32(o + d, vdupq_n_f32(0.0f));
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
    scale(1.0f / state.sum[h], out + static_cast<size_t>(h0 + h) * shape.head_dim_v, shape.head_dim_v);
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
