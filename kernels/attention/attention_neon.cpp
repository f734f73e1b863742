// NEON body of the decode attention (see attention_arm.h), aarch64 and armv7.
// Per block of attention_block_slots() slots (K and V rows of all KV heads
// about 128 KiB), every query head of the call in turn: the cache is read
// from memory once per call, not once per KV head.
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

constexpr uint32_t kMaxPassHeads = 64;  // query heads one pass over the KV data tracks

// Running online-softmax state of the query heads of one pass.
struct PassState {
  float max_score[kMaxPassHeads];  // largest score so far per head (-inf before the first)
  float sum[kMaxPassHeads];        // sum of exp(score - max_score) per head
};

// One block of `count` slots for one query head: keys/values are the block's
// rows of its KV head, k_stride / v_stride elements apart; scores: >= count floats.
template <typename T>
void attend_block(const AttentionShape &shape, const float *q_head, const T *keys, size_t k_stride, const T *values,
                  size_t v_stride, uint32_t count, float *out_head, float *scores, float *max_score, float *sum) {
  float block_max = kNegativeInfinity;
  for (uint32_t i = 0; i < count; ++i) {
    scores[i] = dot(q_head, keys + i * k_stride, shape.head_dim_k) * shape.scale;
    block_max = scores[i] > block_max ? scores[i] : block_max;
  }
  if (block_max > *max_score) {  // online softmax: rescale what was accumulated under the old max
    const float factor = *sum == 0.0f ? 0.0f : __builtin_expf(*max_score - block_max);
    *sum *= factor;
    scale(factor, out_head, shape.head_dim_v);
    *max_score = block_max;
  }
  for (uint32_t i = 0; i < count; ++i) {
    const float weight = __builtin_expf(scores[i] - *max_score);
    *sum += weight;
    axpy(weight, values + i * v_stride, out_head, shape.head_dim_v);
  }
}

// Query heads [h0, h0 + n), n <= kMaxPassHeads, in blocks of block_slots
// slots: per block, every head in turn (the heads of one GQA group one after
// another), so the block's K/V rows of all KV heads come from memory once
// and are reused from cache. scores: block_slots floats.
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
    for (uint32_t d = 0; d < shape.head_dim_v; d += 4) vst1q_f32(o + d, vdupq_n_f32(0.0f));
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
    scale(1.0f / state.sum[h], out + static_cast<size_t>(h0 + h) * shape.head_dim_v, shape.head_dim_v);
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
