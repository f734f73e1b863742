// Test helpers for the KV cache: storage regions backed by vectors (the
// engine uses arena regions instead), random streams, one fast-path step.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "kernels/attention/attention.h"
#include "runtime/kv_cache/sink_ring_cache.h"

namespace ballast::testing {

// Owns 8-byte aligned buffers sized exactly as the cache requires.
struct OwnedKvStorage {
  std::vector<uint64_t> sinks, ring, sink_keys_rotated, slot_table, rope_state;
  SinkRingCacheStorage storage;

  explicit OwnedKvStorage(const SinkRingCacheConfig &config) {
    auto need = SinkRingCache::required_bytes(config);
    auto fill = [](std::vector<uint64_t> &buffer, ByteSpan &span, uint64_t bytes) {
      buffer.assign(bytes / 8 + 1, 0);
      span = ByteSpan{reinterpret_cast<uint8_t *>(buffer.data()), bytes};
    };
    fill(sinks, storage.sinks, need->sinks.bytes);
    fill(ring, storage.ring, need->ring.bytes);
    fill(sink_keys_rotated, storage.sink_keys_rotated, need->sink_keys_rotated.bytes);
    fill(slot_table, storage.slot_table, need->slot_table.bytes);
    fill(rope_state, storage.rope_state, need->rope_state.bytes);
  }
};

inline void fill_normal(std::mt19937 &rng, float *x, size_t n, float stddev = 1.0f) {
  std::normal_distribution<float> dist(0.0f, stddev);
  for (size_t i = 0; i < n; ++i) x[i] = dist(rng);
}

// One layer of one token through the fast path: store K/V, rotate q (copied),
// attend. `out` [n_head][head_dim_v]; `scratch` any size >= 1.
inline Status fast_path_layer(SinkRingCache &cache, uint32_t layer, uint32_t n_head, const float *k, const float *v,
                              const float *q_pre_rope, float *q_work, float *out, float *scratch, size_t scratch_floats,
                              const AttentionProbe *probe = nullptr) {
  const SinkRingCacheConfig &c = cache.config();
  BALLAST_RETURN_IF_ERROR(cache.store_layer(layer, k, v));
  for (size_t i = 0; i < size_t{n_head} * c.head_dim_k; ++i) q_work[i] = q_pre_rope[i];
  BALLAST_RETURN_IF_ERROR(cache.rotate_query(layer, q_work, n_head));
  BALLAST_ASSIGN_OR_RETURN(KvLayerView view, cache.layer_view(layer));
  AttentionShape shape;
  shape.n_head = n_head;
  shape.n_head_kv = c.n_head_kv;
  shape.head_dim_k = c.head_dim_k;
  shape.head_dim_v = c.head_dim_v;
  shape.scale = attention_default_scale(c.head_dim_k);
  shape.kv_type = cache.kv_tensor_type();
  return attend_one_query(shape, q_work, view.segments, view.n_segments, out, scratch, scratch_floats, probe);
}

}  // namespace ballast::testing
