#include "kernels/attention/attention.h"

#include <cmath>
#include <limits>

#include "kernels/quant/float16.h"

namespace ballast {
namespace {

constexpr uint64_t kAttentionBlockBytes = 128 * 1024;  // K + V rows of one block, all KV heads

inline float load(const float *row, uint32_t i) { return row[i]; }
inline float load(const uint16_t *row, uint32_t i) { return f16_to_f32(row[i]); }

// Running state of one head's online softmax.
struct SoftmaxState {
  float max_score;  // largest score seen so far (-inf before the first slot)
  float sum;        // sum of exp(score - max_score) so far
};

template <typename T>
void attend_head(const AttentionShape &shape, uint32_t head, const float *q_head, const KvSegment *segments,
                 uint32_t n_segments, float *out_head, float *scores, size_t block_slots, float *probe_scores) {
  const uint32_t group = shape.n_head / shape.n_head_kv;
  const uint32_t kv_head = head / group;
  const size_t k_stride = static_cast<size_t>(shape.n_head_kv) * shape.head_dim_k;  // elements per slot
  const size_t v_stride = static_cast<size_t>(shape.n_head_kv) * shape.head_dim_v;

  for (uint32_t d = 0; d < shape.head_dim_v; ++d) out_head[d] = 0.0f;
  SoftmaxState state{-std::numeric_limits<float>::infinity(), 0.0f};
  size_t slot_index = 0;  // over all segments, for the probe

  for (uint32_t s = 0; s < n_segments; ++s) {
    const T *keys = static_cast<const T *>(segments[s].keys);
    const T *values = static_cast<const T *>(segments[s].values);
    for (uint32_t begin = 0; begin < segments[s].n_slots; begin += static_cast<uint32_t>(block_slots)) {
      const uint32_t count = static_cast<uint32_t>(
          segments[s].n_slots - begin < block_slots ? segments[s].n_slots - begin : block_slots);
      // Scores of this block, and their max.
      float block_max = -std::numeric_limits<float>::infinity();
      for (uint32_t i = 0; i < count; ++i) {
        const T *k = keys + (begin + i) * k_stride + static_cast<size_t>(kv_head) * shape.head_dim_k;
        float dot = 0.0f;
        for (uint32_t d = 0; d < shape.head_dim_k; ++d) dot += q_head[d] * load(k, d);
        scores[i] = dot * shape.scale;
        if (scores[i] > block_max) block_max = scores[i];
        if (probe_scores != nullptr) probe_scores[slot_index + i] = scores[i];
      }
      // Rescale what was accumulated under the old max.
      if (block_max > state.max_score) {
        const float factor = state.sum == 0.0f ? 0.0f : std::exp(state.max_score - block_max);
        state.sum *= factor;
        for (uint32_t d = 0; d < shape.head_dim_v; ++d) out_head[d] *= factor;
        state.max_score = block_max;
      }
      for (uint32_t i = 0; i < count; ++i) {
        const float weight = std::exp(scores[i] - state.max_score);
        state.sum += weight;
        const T *v = values + (begin + i) * v_stride + static_cast<size_t>(kv_head) * shape.head_dim_v;
        for (uint32_t d = 0; d < shape.head_dim_v; ++d) out_head[d] += weight * load(v, d);
      }
      slot_index += count;
    }
  }
  const float inv_sum = 1.0f / state.sum;
  for (uint32_t d = 0; d < shape.head_dim_v; ++d) out_head[d] *= inv_sum;
  if (probe_scores != nullptr) {
    for (size_t i = 0; i < slot_index; ++i) probe_scores[i] = std::exp(probe_scores[i] - state.max_score) * inv_sum;
  }
}

template <typename T>
void attend_heads(const AttentionShape &shape, uint32_t head_begin, uint32_t head_end, const float *q,
                  const KvSegment *segments, uint32_t n_segments, float *out, float *scratch, size_t block_slots,
                  const AttentionProbe *probe) {
  for (uint32_t h = head_begin; h < head_end; ++h) {
    float *probe_scores = (probe != nullptr && probe->head == h) ? probe->probabilities : nullptr;
    attend_head<T>(shape, h, q + static_cast<size_t>(h) * shape.head_dim_k, segments, n_segments,
                   out + static_cast<size_t>(h) * shape.head_dim_v, scratch, block_slots, probe_scores);
  }
}

}  // namespace

float attention_default_scale(uint32_t head_dim_k) {
  return static_cast<float>(1.0 / std::sqrt(static_cast<double>(head_dim_k)));
}

uint32_t attention_block_slots(const AttentionShape &shape) {
  const uint64_t elem = shape.kv_type == TensorType::f32 ? 4 : 2;
  const uint64_t slot_bytes = uint64_t{shape.n_head_kv} * (uint64_t{shape.head_dim_k} + shape.head_dim_v) * elem;
  uint64_t slots = slot_bytes == 0 ? 8 : kAttentionBlockBytes / slot_bytes;
  slots -= slots % 8;
  return static_cast<uint32_t>(slots < 8 ? 8 : slots > 1024 ? 1024 : slots);
}

Status attend_one_query(const AttentionShape &shape, const float *q, const KvSegment *segments, uint32_t n_segments,
                        float *out, float *scratch, size_t scratch_floats, const AttentionProbe *probe) {
  return attend_one_query_heads(shape, 0, shape.n_head, q, segments, n_segments, out, scratch, scratch_floats, probe);
}

Status attend_one_query_heads(const AttentionShape &shape, uint32_t head_begin, uint32_t head_end, const float *q,
                              const KvSegment *segments, uint32_t n_segments, float *out, float *scratch,
                              size_t scratch_floats, const AttentionProbe *probe) {
  if (shape.n_head == 0 || shape.n_head_kv == 0 || shape.n_head % shape.n_head_kv != 0) {
    return make_status(StatusCode::invalid_argument, "attention: n_head %u must be a positive multiple of n_head_kv %u",
                       shape.n_head, shape.n_head_kv);
  }
  if (shape.head_dim_k == 0 || shape.head_dim_v == 0) {
    return make_status(StatusCode::invalid_argument, "attention: head dims must be positive (k %u, v %u)",
                       shape.head_dim_k, shape.head_dim_v);
  }
  if (head_begin > head_end || head_end > shape.n_head) {
    return make_status(StatusCode::invalid_argument, "attention: head range [%u, %u) outside 0..%u", head_begin, head_end,
                       shape.n_head);
  }
  if (scratch == nullptr || scratch_floats == 0) {
    return make_status(StatusCode::invalid_argument, "attention: scratch buffer of at least 1 float required");
  }
  size_t total_slots = 0;
  for (uint32_t s = 0; s < n_segments; ++s) total_slots += segments[s].n_slots;
  if (total_slots == 0) return make_status(StatusCode::invalid_argument, "attention: no KV slots to attend to");
  if (probe != nullptr && (probe->head >= shape.n_head || probe->probabilities == nullptr)) {
    return make_status(StatusCode::invalid_argument, "attention: probe head %u out of range (n_head %u) or no buffer",
                       probe->head, shape.n_head);
  }
  const size_t block_slots = scratch_floats < total_slots ? scratch_floats : total_slots;
  switch (shape.kv_type) {
    case TensorType::f32:
      attend_heads<float>(shape, head_begin, head_end, q, segments, n_segments, out, scratch, block_slots, probe);
      return Status::ok();
    case TensorType::f16:
      attend_heads<uint16_t>(shape, head_begin, head_end, q, segments, n_segments, out, scratch, block_slots, probe);
      return Status::ok();
    default:
      return make_status(StatusCode::invalid_argument, "attention: KV type %u not supported (f16 or f32)",
                         static_cast<unsigned>(shape.kv_type));
  }
}

}  // namespace ballast
