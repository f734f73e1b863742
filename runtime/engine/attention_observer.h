// A diagnostics-only hook into the forward pass: when a session has an
// observer set, the forward pass hands it every query (after RoPE) together
// with the cache view that query attends over, layer by layer. Null in normal
// runs, so the cost when off is one pointer test per layer and token.
// `ballast attention` uses it (runtime/eval/attention_shares.h).
#pragma once

#include <cstdint>

#include "kernels/attention/attention.h"
#include "runtime/kv_cache/sink_ring_cache.h"

namespace ballast {

class AttentionObserver {
 public:
  virtual ~AttentionObserver() = default;
  // q: [n_head][head_dim_k] f32, rotated; view: the slots it attends over, in
  // in-cache order (sinks, then the ring oldest first; the query's own slot last).
  virtual void on_query(uint32_t layer, const float *q, const KvLayerView &view, const AttentionShape &shape) = 0;
};

}  // namespace ballast
